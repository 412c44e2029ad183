import type { Knex } from 'knex';
import { overdueSql, scopePredicate } from '../data/access.js';
import { leadKind, leadOwnerJoin } from '../data/ownership.js';
import { SCOPE_ALL, type ReportScope } from '../domain/access.js';
import { PRIVATE_KINDS } from '../domain/owners.js';
import { OWNERSHIP_RIGHT } from '../domain/rights.js';

/** A piece of SQL with its positional (`?`) bindings. */
export interface Sql {
  sql: string;
  bindings: Knex.Value[];
}

/**
 * Which reports a user may see on the map: the report scope of the domain (`reportScope(user)`, DESIGN 3.4), turned
 * into SQL by the data layer's `scopePredicate` like every other reader; `scopeKey(scope)` goes into the ETag.
 */
export type Visibility = ReportScope;

/** The scope of the layers that do not depend on the user. */
export const SEE_ALL: Visibility = SCOPE_ALL;

export interface TileLayer {
  /** Below this zoom the layer is not served (empty tile, 204). */
  minZoom: number;
  /** Attribute columns of `features`, besides its `geom` column (EPSG:4326). */
  attributes: readonly string[];
  /** The features depend on who asks (the ETag then carries the visibility key). */
  perUser: boolean;
  /** Some attribute depends on the clock: ETags also change every this many seconds. */
  clockSeconds?: number;
  /**
   * SELECT geom, …attributes of the features whose box meets `(SELECT area FROM tile)`, the buffered tile in EPSG:4326
   * (a CTE the encoders provide), at zoom `z`.
   */
  features(visibility: Visibility, z: number): Sql;
}

const IN_TILE = (alias: string) => `${alias}.geom && (SELECT area FROM tile)`;

/** Below this zoom the parcels tiles hold the actors' land only (see `parcels`). */
export const ALL_PARCELS_MIN_ZOOM = 14;
const PRIVATE_KIND_LIST = [...PRIVATE_KINDS];

/**
 * Parcels with their lead owner, by the rule of domain/ownership.ts: only `P` rights; the first by the organisation's
 * configuration order (unconfigured last), then by name, leads; no `P` right → natural persons.
 *
 * Overview zooms (11–13, the whole territory on one screen): only the land of the GUP's actors, parcels with a `P`
 * right of a public or social-housing owner (not a private kind): ~7 % of the demo's parcels, the land ownership
 * "at a glance" in tiles of 40–90 kB (demo) instead of 630 kB of houses at 2 px. From z14, every parcel.
 */
const parcels: TileLayer = {
  minZoom: 11,
  attributes: ['idu', 'label', 'commune', 'kind', 'org', 'joint', 'owners'],
  perUser: false,
  features: (_visibility, z) => {
    const lead = leadOwnerJoin('p');
    return {
      sql: `SELECT p.geom, p.idu,
             regexp_replace(p.section, '^0+(.)', '\\1') || ' ' || regexp_replace(p.number, '^0+(.)', '\\1') AS label,
             p.commune_insee AS commune, ${leadKind.sql} AS kind, coalesce(lead.org, '') AS org,
             coalesce(lead.owners, 0) > 1 AS joint, coalesce(lead.owners, 0) AS owners
           FROM parcels p
           ${lead.sql}
           WHERE ${IN_TILE('p')}${z < ALL_PARCELS_MIN_ZOOM ? `
             AND p.idu IN (SELECT ar.idu FROM parcel_rights ar JOIN owners ao ON ao.id = ar.owner_id
                           WHERE ar.right_code = ? AND ao.kind NOT IN (${PRIVATE_KIND_LIST.map(() => '?').join(', ')}))` : ''}`,
      bindings: [...leadKind.bindings, ...lead.bindings, ...(z < ALL_PARCELS_MIN_ZOOM ? [OWNERSHIP_RIGHT, ...PRIVATE_KIND_LIST] : [])],
    };
  },
};

const qpv: TileLayer = {
  minZoom: 8,
  attributes: ['code', 'name'],
  perUser: false,
  features: () => ({ sql: `SELECT q.geom, q.code, q.name FROM qpv q WHERE ${IN_TILE('q')}`, bindings: [] }),
};

const communes: TileLayer = {
  minZoom: 6,
  attributes: ['insee', 'name', 'in_territory'],
  perUser: false,
  features: () => ({ sql: `SELECT c.geom, c.insee, c.name, c.in_territory FROM communes c WHERE ${IN_TILE('c')}`, bindings: [] }),
};

const subsectors: TileLayer = {
  minZoom: 10,
  attributes: ['id', 'name', 'outcome', 'delegate', 'borderline'],
  perUser: false,
  features: () => ({
    sql: `SELECT s.geom, s.id, s.name, s.outcome, coalesce(s.delegate_organisation_code, '') AS delegate, s.borderline
          FROM subsectors s WHERE s.status = 'active' AND ${IN_TILE('s')}`,
    bindings: [],
  }),
};

/** Reports, filtered by role; `overdue` follows the clock, so their ETags expire every minute. */
const reports: TileLayer = {
  minZoom: 10,
  attributes: ['id', 'reference', 'status', 'category', 'urgent', 'overdue'],
  perUser: true,
  clockSeconds: 60,
  features: (visibility) => {
    const visible = scopePredicate(visibility, 'r');
    return {
      sql: `SELECT r.geom, r.id, r.reference, r.status, r.category_code AS category, r.urgent, ${overdueSql('r')} AS overdue
            FROM reports r WHERE ${IN_TILE('r')} AND ${visible.sql}`,
      bindings: visible.bindings,
    };
  },
};

/** The served layers: URL name → fixed SQL definition. The name is also the layer's name inside the tile. */
export const TILE_LAYERS = { parcels, qpv, communes, subsectors, reports } as const satisfies Record<string, TileLayer>;

export type LayerName = keyof typeof TILE_LAYERS;

export function isLayerName(name: string): name is LayerName {
  return Object.hasOwn(TILE_LAYERS, name);
}

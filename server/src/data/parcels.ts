import type { Knex } from 'knex';
import type { ParcelDetail } from '../domain/api.js';
import type { OwnerKind } from '../domain/owners.js';

export interface ParcelOwnerRow {
  id: number;
  name: string;
  siren: string | null;
  kind: OwnerKind;
  legalForm: string | null;
  organisationCode: string | null;
  organisationName: string | null;
  organisationOrder: number | null;
  rightCode: string;
}

/** A parcel as read: the API's fields of it (domain/api.ts), with its commune flat. */
export interface ParcelRow extends Pick<ParcelDetail, 'prefix' | 'section' | 'number' | 'officialAreaM2' | 'areaM2' | 'sourceVintage' | 'sourceUpdated'> {
  idu: string;
  communeInsee: string;
  communeName: string | null;
  geometry: GeoJSON.MultiPolygon;
}

/** One parcel by IDU with its commune and geodesic area, or null. */
export async function findParcel(knex: Knex, idu: string): Promise<ParcelRow | null> {
  const { rows } = await knex.raw(
    `SELECT p.idu, p.commune_insee AS "communeInsee", c.name AS "communeName", p.prefix, p.section, p.number,
            p.official_area_m2 AS "officialAreaM2", ST_Area(p.geom::geography) AS "areaM2",
            p.source_vintage AS "sourceVintage", to_char(p.source_updated, 'YYYY-MM-DD') AS "sourceUpdated",
            ST_AsGeoJSON(p.geom, 7)::json AS geometry
     FROM parcels p LEFT JOIN communes c ON c.insee = p.commune_insee
     WHERE p.idu = ?`,
    [idu],
  );
  return (rows[0] as ParcelRow | undefined) ?? null;
}

/** Every right held on the given parcels, with the owner and its organisation (configuration order first). */
export async function rightsOf(knex: Knex, idus: string[]): Promise<(ParcelOwnerRow & { idu: string })[]> {
  if (idus.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT pr.idu, o.id, o.name, o.siren, o.kind, o.legal_form AS "legalForm", o.organisation_code AS "organisationCode",
            g.name AS "organisationName", g.sort_order AS "organisationOrder", pr.right_code AS "rightCode"
     FROM parcel_rights pr JOIN owners o ON o.id = pr.owner_id LEFT JOIN organisations g ON g.code = o.organisation_code
     WHERE pr.idu IN (SELECT jsonb_array_elements_text(?::jsonb))
     ORDER BY pr.idu, g.sort_order NULLS LAST, o.name, pr.right_code`,
    [JSON.stringify(idus)],
  );
  return rows as (ParcelOwnerRow & { idu: string })[];
}

/** QPV containing most of a geometry given as a parcel IDU (the QPV boundary follows parcel limits). */
export async function qpvOfParcel(knex: Knex, idu: string): Promise<{ code: string; name: string } | null> {
  const { rows } = await knex.raw(
    `SELECT q.code, q.name FROM parcels p JOIN qpv q ON ST_Intersects(q.geom, ST_PointOnSurface(p.geom))
     WHERE p.idu = ? LIMIT 1`,
    [idu],
  );
  return (rows[0] as { code: string; name: string } | undefined) ?? null;
}

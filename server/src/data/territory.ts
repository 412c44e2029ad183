import type { Knex } from 'knex';
import { allQueries } from './connection.js';
import type { BBox, OrganisationKind } from '../domain/api.js';
import type { ObservationGrid } from '../domain/diagnostics.js';
import { observationGridSchema } from '../domain/territory.js';
import type { ConventionFact } from '../domain/conventions.js';
import { NO_DIRECTORY_FIELDS, type DirectoryFields } from '../domain/directory.js';
import type { RoutingConfig, ServiceInfo } from '../domain/lookup.js';
import { SIGNED_CONVENTIONS_SQL, conventionFactOf } from './conventions.js';

export interface TerritoryInfo {
  name: string;
  kind: string;
  publicDomainOwner: 'commune' | 'agglomeration';
  delegationThreshold: number;
  duplicatesRadiusM: number;
  duplicatesWindowDays: number;
  urgencyResolveHours: number | null;
  routing: RoutingConfig;
  communes: { insee: string; name: string; inTerritory: boolean; sectorCode: string | null; bbox: BBox | null }[];
  sectors: Record<string, { code: string; name: string; delegate: { name: string | null; email: string | null; phone: string | null } }>;
  organisations: { code: string; name: string; kind: OrganisationKind; insee: string | null }[];
  categories: { code: string; name: string; theme: string }[];
  /** Each category with its delays and the services it also notifies, by code (read with the rest: no query of its own). */
  categoryRules: ReadonlyMap<string, CategoryRow>;
  urgencyCriteria: { code: string; name: string }[];
  /** Priority neighbourhoods loaded for the territory, by name (for filters). */
  qpvs: { code: string; name: string }[];
  bbox: BBox | null;
  /** The walking-diagnosis observation grid of the configuration (empty when it has none). */
  observationGrid: ObservationGrid;
  /** Signed conventions by sub-sector id (DESIGN 3.8; the lookup checks their validity at the time asked). */
  conventions: ReadonlyMap<number, ConventionFact>;
  /** The directory fields of each service (referents, deputy, hours, last verified…), by code. */
  serviceDirectory: ReadonlyMap<string, DirectoryFields>;
}

/** A category as stored: theme, services also notified, delays (DESIGN 3.3). */
export interface CategoryRow {
  code: string;
  name: string;
  theme_code: string;
  also_notify: string[];
  ack_hours: number;
  resolve_hours: number;
  resolve_hours_qpv: number | null;
  seasonal: any;
}

const bboxOf = (box: string | null): BBox | null => {
  const m = box ? /BOX\(([-\d.e]+) ([-\d.e]+),([-\d.e]+) ([-\d.e]+)\)/.exec(box) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : null;
};

/** Whether a territory configuration was imported. */
export async function hasTerritory(knex: Knex): Promise<boolean> {
  return !!(await knex('territory').first('id'));
}

/** The configuration's observation grid, as imported (the stored JSON was validated by the import). */
function gridOf(config: unknown): ObservationGrid {
  const raw = (typeof config === 'string' ? JSON.parse(config) : config) as { observationGrid?: unknown } | null;
  const parsed = observationGridSchema.safeParse(raw?.observationGrid ?? []);
  return parsed.success ? parsed.data : [];
}

/** Loads the territory configuration (organisations, services, managers…) from the database. */
export async function loadTerritory(knex: Knex): Promise<TerritoryInfo | null> {
  const t = (await knex('territory').first()) as Record<string, any> | undefined;
  if (!t) return null;
  const [orgs, services, themes, managers, privateLand, communes, sectors, categories, urgency, qpvs, conventions] = await allQueries(knex, [
    knex('organisations').orderBy('sort_order'),
    knex('services'),
    knex('themes').orderBy('sort_order'),
    knex('managers'),
    knex('private_land_services'),
    knex.raw(`SELECT insee, name, in_territory, sector_code, ST_Extent(geom)::text AS box FROM communes GROUP BY insee ORDER BY in_territory DESC, name`),
    knex('sectors'),
    knex('categories').orderBy('sort_order'),
    knex('urgency_criteria').orderBy('sort_order'),
    knex('qpv').select('code', 'name').orderBy(['name', 'code']),
    knex.raw(SIGNED_CONVENTIONS_SQL),
  ]);
  const orgByCode = Object.fromEntries(orgs.map((o: any) => [o.code, { code: o.code, name: o.name, kind: o.kind, insee: o.insee }]));
  const serviceByCode: Record<string, ServiceInfo> = Object.fromEntries(services.map((s: any) => [s.code, {
    code: s.code, name: s.name, email: s.email, phone: s.phone, organisation: { code: s.organisation_code, name: orgByCode[s.organisation_code]?.name ?? s.organisation_code },
  }]));
  const managerMap: Record<string, Record<string, string>> = {};
  for (const m of managers as any[]) (managerMap[m.organisation_code] ??= {})[m.theme_code] = m.service_code;
  const communeRows = (communes.rows as any[]).map((c) => ({ insee: c.insee, name: c.name, inTerritory: c.in_territory, sectorCode: c.sector_code, bbox: bboxOf(c.box) }));
  const inside = communeRows.filter((c) => c.inTerritory && c.bbox);
  const bbox: BBox | null = inside.length
    ? [Math.min(...inside.map((c) => c.bbox![0]!)), Math.min(...inside.map((c) => c.bbox![1]!)), Math.max(...inside.map((c) => c.bbox![2]!)), Math.max(...inside.map((c) => c.bbox![3]!))]
    : null;
  return {
    name: t.name,
    kind: t.kind,
    publicDomainOwner: t.public_domain_owner,
    delegationThreshold: t.delegation_threshold,
    duplicatesRadiusM: t.duplicates_radius_m,
    duplicatesWindowDays: t.duplicates_window_days,
    urgencyResolveHours: t.urgency_resolve_hours,
    routing: {
      themes: themes.map((th: any) => ({ code: th.code, name: th.name, mode: th.mode, serviceCode: th.service_code })),
      services: serviceByCode,
      organisations: orgByCode,
      managers: managerMap,
      privateLand: Object.fromEntries(privateLand.map((p: any) => [p.commune_insee, p.service_code])),
      triageServiceCode: t.triage_service,
      publicDomainOwner: t.public_domain_owner,
    },
    communes: communeRows,
    sectors: Object.fromEntries(sectors.map((s: any) => [s.code, { code: s.code, name: s.name, delegate: { name: s.delegate_name, email: s.delegate_email, phone: s.delegate_phone } }])),
    organisations: Object.values(orgByCode),
    categories: categories.map((c: any) => ({ code: c.code, name: c.name, theme: c.theme_code })),
    categoryRules: new Map((categories as CategoryRow[]).map((c) => [c.code, c])),
    urgencyCriteria: urgency.map((u: any) => ({ code: u.code, name: u.name })),
    qpvs: qpvs.map((q: any) => ({ code: q.code, name: q.name })),
    bbox,
    observationGrid: gridOf(t.config),
    serviceDirectory: new Map(services.map((s: any) => [s.code, { ...NO_DIRECTORY_FIELDS, ...(typeof s.directory === 'string' ? JSON.parse(s.directory) : s.directory ?? {}) }])),
    conventions: new Map((conventions.rows as Record<string, unknown>[]).map((r) => { const c = conventionFactOf(r); return [c.subsectorId, c]; })),
  };
}

const TTL_MS = 5_000;

/** The territory as last read, for a few seconds: one per database context (`Database.territoryCache`, made by openDatabase). */
export interface TerritoryCache {
  at: number;
  value: Promise<TerritoryInfo | null> | null;
}

export const newTerritoryCache = (): TerritoryCache => ({ at: 0, value: null });

/**
 * Where the territory is read: a database context, through its cache; or a transaction, read inside it and never
 * cached (an import changes the configuration and recomputes the sub-sectors in one transaction).
 */
export type TerritorySource = { knex: Knex; territoryCache: TerritoryCache } | Knex.Transaction;

/**
 * Forgets the context's cached territory: the next reader loads it again. Called after a change of the configuration
 * made through the API (an admin save or browser import, a convention saved…), so that it takes effect at once in this process (other cluster workers
 * within the cache's few seconds).
 */
export function invalidateTerritory(db: { territoryCache: TerritoryCache }): void {
  db.territoryCache.value = null;
  db.territoryCache.at = 0;
}

/**
 * The territory configuration, cached for a few seconds: it changes only through imports, and the lookup must not
 * pay eight queries per click.
 */
export function territory(source: TerritorySource): Promise<TerritoryInfo | null> {
  if (typeof source === 'function') return loadTerritory(source);
  const cache = source.territoryCache;
  if (cache.value && Date.now() - cache.at < TTL_MS) return cache.value;
  const value = loadTerritory(source.knex);
  cache.at = Date.now();
  cache.value = value;
  value.catch(() => { if (cache.value === value) cache.value = null; });
  return value;
}


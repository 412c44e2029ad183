import type { Knex } from 'knex';
import { allQueries } from './db.js';
import type { ObservationGrid } from '../domain/diagnostics.js';
import { observationGridSchema } from '../domain/territory.js';
import type { RoutingConfig, ServiceInfo } from '../domain/lookup.js';

export interface TerritoryInfo {
  name: string;
  kind: string;
  publicDomainOwner: 'commune' | 'agglomeration';
  delegationThreshold: number;
  duplicatesRadiusM: number;
  duplicatesWindowDays: number;
  urgencyResolveHours: number | null;
  routing: RoutingConfig;
  communes: { insee: string; name: string; inTerritory: boolean; sectorCode: string | null; bbox: number[] | null }[];
  sectors: Record<string, { code: string; name: string; delegate: { name: string | null; email: string | null; phone: string | null } }>;
  organisations: { code: string; name: string; kind: string; insee: string | null }[];
  categories: { code: string; name: string; theme: string }[];
  urgencyCriteria: { code: string; name: string }[];
  /** Priority neighbourhoods loaded for the territory, by name (for filters). */
  qpvs: { code: string; name: string }[];
  bbox: number[] | null;
  /** The walking-diagnosis observation grid of the configuration (empty when it has none). */
  observationGrid: ObservationGrid;
}

const bboxOf = (box: string | null): number[] | null => {
  const m = box ? /BOX\(([-\d.e]+) ([-\d.e]+),([-\d.e]+) ([-\d.e]+)\)/.exec(box) : null;
  return m ? m.slice(1, 5).map(Number) : null;
};

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
  const [orgs, services, themes, managers, privateLand, communes, sectors, categories, urgency, qpvs] = await allQueries(knex, [
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
  ]);
  const orgByCode = Object.fromEntries(orgs.map((o: any) => [o.code, { code: o.code, name: o.name, kind: o.kind, insee: o.insee }]));
  const serviceByCode: Record<string, ServiceInfo> = Object.fromEntries(services.map((s: any) => [s.code, {
    code: s.code, name: s.name, email: s.email, phone: s.phone, organisation: { code: s.organisation_code, name: orgByCode[s.organisation_code]?.name ?? s.organisation_code },
  }]));
  const managerMap: Record<string, Record<string, string>> = {};
  for (const m of managers as any[]) (managerMap[m.organisation_code] ??= {})[m.theme_code] = m.service_code;
  const communeRows = (communes.rows as any[]).map((c) => ({ insee: c.insee, name: c.name, inTerritory: c.in_territory, sectorCode: c.sector_code, bbox: bboxOf(c.box) }));
  const inside = communeRows.filter((c) => c.inTerritory && c.bbox);
  const bbox = inside.length
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
    urgencyCriteria: urgency.map((u: any) => ({ code: u.code, name: u.name })),
    qpvs: qpvs.map((q: any) => ({ code: q.code, name: q.name })),
    bbox,
    observationGrid: gridOf(t.config),
  };
}

const TTL_MS = 5_000;
const cache = new WeakMap<Knex, { at: number; value: Promise<TerritoryInfo | null> }>();

/**
 * The territory configuration, cached for a few seconds: it changes only through imports, and the lookup must not
 * pay eight queries per click.
 */
export function territory(knex: Knex): Promise<TerritoryInfo | null> {
  const hit = cache.get(knex);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = loadTerritory(knex);
  cache.set(knex, { at: Date.now(), value });
  value.catch(() => cache.delete(knex));
  return value;
}

/** Forgets the cached configuration (after an import in this process). */
export function invalidateTerritory(knex: Knex): void {
  cache.delete(knex);
}

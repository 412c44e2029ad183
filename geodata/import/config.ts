import type { Knex } from 'knex';
import { territoryConfigSchema, type TerritoryConfig } from '../../server/src/domain/territory.js';
import { ImportError } from './errors.js';
import { resolveAllOwners } from './owners.js';
import { parseJson, type InputFile } from './read.js';
import type { FileSummary } from './summary.js';

/** Whether parsed JSON looks like a territory configuration. */
export function looksLikeConfig(data: unknown): boolean {
  return !!data && typeof data === 'object' && 'territory' in data && 'organisations' in data;
}

/** Validates a territory configuration, naming the first wrong field. */
export function parseConfig(fileName: string, data: unknown): TerritoryConfig {
  const result = territoryConfigSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ImportError(fileName, issue.path.length ? `champ ${issue.path.join('.')}` : null, issue.message);
  }
  return result.data;
}

type Row = Record<string, unknown>;

/** Comparable form of a column value: JSON text parsed, object keys sorted (jsonb reorders them). */
function canonical(v: unknown): string {
  const parsed = typeof v === 'string' && /^[[{]/.test(v) ? (JSON.parse(v) as unknown) : v;
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort)
      : x && typeof x === 'object' && !(x instanceof Date) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Row)[k])]))
        : x ?? null;
  return JSON.stringify(sort(parsed));
}

/** Upserts rows by key, updating only rows that differ; returns how many were inserted or updated. */
async function upsert(trx: Knex.Transaction, table: string, key: string[], rows: Row[]): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  for (const row of rows) {
    const where = Object.fromEntries(key.map((k) => [k, row[k]]));
    const existing = (await trx(table).where(where).first()) as Row | undefined;
    if (!existing) {
      await trx(table).insert(row);
      inserted++;
    } else if (Object.entries(row).some(([k, v]) => canonical(existing[k]) !== canonical(v))) {
      await trx(table).where(where).update(row);
      updated++;
    }
  }
  return { inserted, updated };
}

/**
 * Imports a territory configuration: organisations, services, themes, managers, communes and sectors, private-land
 * services, categories, urgency criteria and the duplicates window. Managers and private-land services are replaced
 * as a whole; other entries are upserted by code (never deleted, as reports may refer to them).
 */
export async function importConfig(trx: Knex.Transaction, file: InputFile, data = parseJson(file)): Promise<FileSummary> {
  const cfg = parseConfig(file.name, data);
  const { demoPassword: _omitSecret, ...stored } = cfg;
  const counts = { inserted: 0, updated: 0 };
  const add = (c: { inserted: number; updated: number }) => { counts.inserted += c.inserted; counts.updated += c.updated; };

  add(await upsert(trx, 'sectors', ['code'], cfg.sectors.map((s) => ({
    code: s.code, name: s.name, delegate_name: s.delegate?.name ?? null, delegate_email: s.delegate?.email ?? null, delegate_phone: s.delegate?.phone ?? null,
  }))));
  add(await upsert(trx, 'organisations', ['code'], cfg.organisations.map((o, i) => ({
    code: o.code, name: o.name, kind: o.kind, siren: o.siren ?? null, insee: o.insee ?? null, sort_order: i,
  }))));
  add(await upsert(trx, 'services', ['code'], cfg.services.map((s) => ({
    code: s.code, organisation_code: s.organisation, name: s.name, email: s.email ?? null, phone: s.phone ?? null,
  }))));
  add(await upsert(trx, 'themes', ['code'], cfg.themes.map((t, i) => ({
    code: t.code, name: t.name, mode: t.mode, service_code: t.service ?? null, sort_order: i,
  }))));
  add(await upsert(trx, 'communes', ['insee'], cfg.communes.map((c) => ({
    insee: c.insee, name: c.name, siren: c.siren ?? null, sector_code: c.sector ?? null, in_territory: true,
  }))));
  const inTerritory = cfg.communes.map((c) => c.insee);
  await trx('communes').whereNotIn('insee', inTerritory).andWhere({ in_territory: true }).update({ in_territory: false, sector_code: null });

  await trx('managers').delete();
  await trx('managers').insert(cfg.managers.map((m) => ({ organisation_code: m.organisation, theme_code: m.theme, service_code: m.service })));
  await trx('private_land_services').delete();
  if (cfg.privateLand.length) await trx('private_land_services').insert(cfg.privateLand.map((p) => ({ commune_insee: p.commune, service_code: p.service })));

  add(await upsert(trx, 'categories', ['code'], cfg.categories.map((c, i) => ({
    code: c.code, name: c.name, theme_code: c.theme, also_notify: c.alsoNotify, ack_hours: c.ackHours, resolve_hours: c.resolveHours,
    resolve_hours_qpv: c.resolveHoursQpv ?? null, seasonal: c.seasonal ? JSON.stringify(c.seasonal) : null, sort_order: i,
  }))));
  add(await upsert(trx, 'urgency_criteria', ['code'], cfg.urgency.criteria.map((c, i) => ({ code: c.code, name: c.name, sort_order: i }))));
  add(await upsert(trx, 'territory', ['id'], [{
    id: 1,
    name: cfg.territory.name,
    kind: cfg.territory.kind,
    siren: cfg.territory.siren ?? null,
    public_domain_owner: cfg.territory.publicDomainOwner,
    delegation_threshold: cfg.territory.delegationThreshold,
    triage_service: cfg.triageService,
    urgency_resolve_hours: cfg.urgency.resolveHours,
    duplicates_radius_m: cfg.duplicates.radiusMeters,
    duplicates_window_days: cfg.duplicates.windowDays,
    config: JSON.stringify(stored),
  }]));
  await resolveAllOwners(trx);
  return {
    file: file.name,
    kind: 'config',
    read: cfg.organisations.length + cfg.services.length + cfg.themes.length + cfg.categories.length,
    inserted: counts.inserted,
    updated: counts.updated,
    unchanged: 0,
    removed: 0,
    note: `${cfg.communes.length} communes, ${cfg.organisations.length} organisations, ${cfg.services.length} services, ${cfg.categories.length} catégories`,
  };
}

export { ImportError };

import type { Knex } from 'knex';
import { leaveTerritoryExcept, replaceManagers, replacePrivateLandServices, upsertConfigRows } from '../data/imports.js';
import { territoryConfigSchema, type TerritoryConfig } from '../domain/territory.js';
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

  add(await upsertConfigRows(trx, 'sectors', ['code'], cfg.sectors.map((s) => ({
    code: s.code, name: s.name, delegate_name: s.delegate?.name ?? null, delegate_email: s.delegate?.email ?? null, delegate_phone: s.delegate?.phone ?? null,
  }))));
  add(await upsertConfigRows(trx, 'organisations', ['code'], cfg.organisations.map((o, i) => ({
    code: o.code, name: o.name, kind: o.kind, siren: o.siren ?? null, insee: o.insee ?? null, sort_order: i,
  }))));
  add(await upsertConfigRows(trx, 'services', ['code'], cfg.services.map((s) => ({
    code: s.code, organisation_code: s.organisation, name: s.name, email: s.email ?? null, phone: s.phone ?? null,
    directory: JSON.stringify({
      referents: s.referents ?? [], deputy: s.deputy ?? null, hours: s.hours ?? null, verifiedAt: s.verifiedAt ?? null, communes: s.communes ?? null, qpv: s.qpv ?? null,
    }),
  }))));
  add(await upsertConfigRows(trx, 'themes', ['code'], cfg.themes.map((t, i) => ({
    code: t.code, name: t.name, mode: t.mode, service_code: t.service ?? null, sort_order: i,
  }))));
  add(await upsertConfigRows(trx, 'communes', ['insee'], cfg.communes.map((c) => ({
    insee: c.insee, name: c.name, siren: c.siren ?? null, sector_code: c.sector ?? null, in_territory: true,
  }))));
  const inTerritory = cfg.communes.map((c) => c.insee);
  await leaveTerritoryExcept(trx, inTerritory);

  await replaceManagers(trx, cfg.managers.map((m) => ({ organisation_code: m.organisation, theme_code: m.theme, service_code: m.service })));
  await replacePrivateLandServices(trx, cfg.privateLand.map((p) => ({ commune_insee: p.commune, service_code: p.service })));

  add(await upsertConfigRows(trx, 'categories', ['code'], cfg.categories.map((c, i) => ({
    code: c.code, name: c.name, theme_code: c.theme, also_notify: c.alsoNotify, ack_hours: c.ackHours, resolve_hours: c.resolveHours,
    resolve_hours_qpv: c.resolveHoursQpv ?? null, seasonal: c.seasonal ? JSON.stringify(c.seasonal) : null, sort_order: i,
  }))));
  add(await upsertConfigRows(trx, 'urgency_criteria', ['code'], cfg.urgency.criteria.map((c, i) => ({ code: c.code, name: c.name, sort_order: i }))));
  add(await upsertConfigRows(trx, 'territory', ['id'], [{
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

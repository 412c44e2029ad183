import type { Knex } from 'knex';

/** What the administration compares before and after a configuration change (its effect, shown before saving). */
export interface ConfigSnapshot {
  categories: { code: string; name: string; theme: string; ackHours: number; resolveHours: number; resolveHoursQpv: number | null; seasonal: unknown }[];
  themes: { code: string; name: string; mode: string; service: string | null }[];
  managers: { organisation: string; theme: string; service: string }[];
  privateLand: { commune: string; service: string }[];
  territory: { triageService: string; publicDomainOwner: string; delegationThreshold: number } | null;
  subsectors: { id: number; name: string; outcome: string; delegate: string | null }[];
}

/** The configuration as stored (the JSON of the last import or save, without the demo password). */
export async function storedConfig(knex: Knex): Promise<unknown> {
  const row = (await knex('territory').where({ id: 1 }).first('config')) as { config: unknown } | undefined;
  if (!row) return null;
  return typeof row.config === 'string' ? JSON.parse(row.config) : row.config;
}

/** The rows a configuration decides, read inside the caller's transaction. */
export async function configSnapshot(knex: Knex): Promise<ConfigSnapshot> {
  const categories = await knex('categories').orderBy('code').select('code', 'name', 'theme_code as theme', 'ack_hours as ackHours', 'resolve_hours as resolveHours',
    'resolve_hours_qpv as resolveHoursQpv', 'seasonal');
  const themes = await knex('themes').orderBy('code').select('code', 'name', 'mode', 'service_code as service');
  const managers = await knex('managers').orderBy(['organisation_code', 'theme_code']).select('organisation_code as organisation', 'theme_code as theme', 'service_code as service');
  const privateLand = await knex('private_land_services').orderBy('commune_insee').select('commune_insee as commune', 'service_code as service');
  const territory = await knex('territory').where({ id: 1 }).first('triage_service as triageService', 'public_domain_owner as publicDomainOwner', 'delegation_threshold as delegationThreshold');
  const subsectors = await knex('subsectors').where({ status: 'active' }).orderBy('id').select('id', 'name', 'outcome', 'delegate_organisation_code as delegate');
  return { categories, themes, managers, privateLand, territory: territory ?? null, subsectors } as ConfigSnapshot;
}

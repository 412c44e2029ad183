import type { Knex } from 'knex';

/**
 * Claims the reminders of a period for these services: returns the codes not yet reminded in that period (one
 * reminder per service and period, whoever asks and however often).
 */
export async function claimReminders(knex: Knex, period: string, serviceCodes: string[]): Promise<string[]> {
  if (!serviceCodes.length) return [];
  const rows = await knex('directory_reminders').insert(serviceCodes.map((c) => ({ service_code: c, period })))
    .onConflict(['service_code', 'period']).ignore().returning('service_code');
  return (rows as { service_code: string }[]).map((r) => r.service_code);
}

/** Active service agents' addresses of these services. */
export async function serviceAgentsOf(knex: Knex, serviceCodes: string[]): Promise<{ email: string; serviceCode: string }[]> {
  return (await knex('users').where({ role: 'service_agent', active: true }).whereIn('service_code', serviceCodes).orderBy('email')
    .select('email', 'service_code as serviceCode')) as { email: string; serviceCode: string }[];
}

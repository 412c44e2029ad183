import type { Knex } from 'knex';
import type { ServiceInfo } from '../domain/lookup.js';

type Db = Knex | Knex.Transaction;

/** A managing service with its organisation and contacts, as a report's routing names it; null when unknown. */
export async function serviceWithOrganisation(db: Db, code: string): Promise<ServiceInfo | null> {
  const row = (await db('services as s').join('organisations as o', 'o.code', 's.organisation_code').where('s.code', code)
    .first('s.code', 's.name', 's.email', 's.phone', 'o.code as organisationCode', 'o.name as organisationName')) as
    { code: string; name: string; email: string | null; phone: string | null; organisationCode: string; organisationName: string } | undefined;
  return row ? { code: row.code, name: row.name, email: row.email, phone: row.phone, organisation: { code: row.organisationCode, name: row.organisationName } } : null;
}

/** Name and e-mail of services, by code. */
export async function serviceContacts(db: Db, codes: string[]): Promise<{ code: string; name: string; email: string | null }[]> {
  if (codes.length === 0) return [];
  return db('services').whereIn('code', codes).select('code', 'name', 'email');
}

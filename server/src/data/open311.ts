import type { Knex } from 'knex';
import type { Open311KeyView } from '../domain/admin-api.js';
import type { ServiceRequestSource } from '../domain/open311.js';
import type { ReportStatus } from '../domain/reports.js';
import type { SessionUser } from './users.js';

export interface Open311Category {
  code: string;
  name: string;
  themeCode: string;
  themeName: string;
  ackHours: number;
  resolveHours: number;
  resolveHoursQpv: number | null;
}

export async function open311Categories(knex: Knex): Promise<Open311Category[]> {
  return knex('categories as c').join('themes as t', 't.code', 'c.theme_code')
    .select('c.code', 'c.name', 'c.theme_code as themeCode', 't.name as themeName', 'c.ack_hours as ackHours', 'c.resolve_hours as resolveHours', 'c.resolve_hours_qpv as resolveHoursQpv')
    .orderBy([{ column: 't.sort_order' }, { column: 'c.sort_order' }, { column: 'c.code' }]);
}

export interface ServiceRequestFilters {
  references?: string[] | undefined;
  categories?: string[] | undefined;
  statuses?: ReportStatus[] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
}

/**
 * Reports as Open311 sources, newest first, with their status changes (for what the commune was told). Never the
 * creator nor a follower; which of the other columns a reader gets is decided by the service (domain/open311.ts).
 */
export async function listServiceRequests(knex: Knex, f: ServiceRequestFilters): Promise<ServiceRequestSource[]> {
  const where: string[] = [];
  const b: Knex.RawBinding[] = [];
  const inList = (column: string, values: readonly string[]) => {
    where.push(`${column} IN (${values.map(() => '?').join(',')})`);
    b.push(...values);
  };
  if (f.references?.length) inList('r.reference', f.references);
  if (f.categories?.length) inList('r.category_code', f.categories);
  if (f.statuses?.length) inList('r.status', f.statuses);
  if (f.since) { where.push('r.created_at >= ?'); b.push(f.since); }
  if (f.until) { where.push('r.created_at <= ?'); b.push(f.until); }
  const { rows } = await knex.raw(
    `SELECT r.reference, r.status, r.category_code AS "categoryCode", c.name AS "categoryName", r.description, s.name AS "serviceName",
            m.name AS "communeName", r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.resolve_due_at AS "resolveDueAt",
            ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, r.commune_insee AS "communeInsee", r.service_code AS "serviceCode",
            r.also_notify AS "alsoNotify",
            coalesce((SELECT json_agg(json_build_object('kind', e.kind, 'toStatus', e.to_status, 'comment', e.comment) ORDER BY e.at, e.id)
                      FROM report_events e WHERE e.report_id = r.id AND e.kind = 'transition'), '[]'::json) AS transitions
     FROM reports r
     JOIN categories c ON c.code = r.category_code
     JOIN services s ON s.code = r.service_code
     JOIN communes m ON m.insee = r.commune_insee
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY r.created_at DESC, r.id DESC LIMIT ?`,
    [...b, f.limit],
  );
  return (rows as (ServiceRequestSource & { transitions: unknown })[]).map((r) => ({
    ...r,
    transitions: (typeof r.transitions === 'string' ? JSON.parse(r.transitions) : r.transitions) as ServiceRequestSource['transitions'],
  }));
}

/** The account an active API key files reports under (the key's commune service account), or null. */
export async function userForKeyHash(knex: Knex, keyHash: string): Promise<(SessionUser & { keyId: number; keyCommune: string }) | null> {
  const row = await knex('open311_keys as k').join('users as u', 'u.id', 'k.user_id')
    .where({ 'k.key_hash': keyHash, 'k.active': true, 'u.active': true })
    .first('k.id as keyId', 'k.commune_insee as keyCommune', 'u.id', 'u.email', 'u.name', 'u.role', 'u.commune_insee as communeInsee',
      'u.service_code as serviceCode', 'u.organisation_code as organisationCode');
  return (row as (SessionUser & { keyId: number; keyCommune: string }) | undefined) ?? null;
}

export async function insertKey(knex: Knex, k: { keyHash: string; communeInsee: string; userId: number; label: string }): Promise<number> {
  const [row] = await knex('open311_keys').insert({ key_hash: k.keyHash, commune_insee: k.communeInsee, user_id: k.userId, label: k.label }).returning('id');
  return (row as { id: number }).id;
}

export async function listKeys(knex: Knex): Promise<Open311KeyView[]> {
  return knex('open311_keys as k').join('users as u', 'u.id', 'k.user_id')
    .select('k.id', 'k.commune_insee as communeInsee', 'k.label', 'k.active', 'k.created_at as createdAt', 'u.email as userEmail').orderBy('k.id');
}

/** Deactivates a key; returns whether it was active before, or null when there is no such key. */
export async function deactivateKey(knex: Knex, id: number): Promise<boolean | null> {
  const { rows } = await knex.raw(
    `UPDATE open311_keys k SET active = false FROM (SELECT id, active FROM open311_keys WHERE id = ? FOR UPDATE) old
     WHERE k.id = old.id RETURNING old.active AS "wasActive"`,
    [id],
  );
  return (rows[0] as { wasActive: boolean } | undefined)?.wasActive ?? null;
}

/** The urgency criteria, in the configuration's order (the values of the `urgent` attribute). */
export async function urgencyCriteria(knex: Knex): Promise<{ code: string; name: string }[]> {
  return (await knex('urgency_criteria').orderBy('sort_order').select('code', 'name')) as { code: string; name: string }[];
}

/** A commune by INSEE code, with whether it belongs to the territory; undefined when unknown. */
export async function communeByInsee(knex: Knex, insee: string): Promise<{ insee: string; name: string; in_territory: boolean } | undefined> {
  return (await knex('communes').where({ insee }).first('insee', 'name', 'in_territory')) as { insee: string; name: string; in_territory: boolean } | undefined;
}

/** An account by e-mail (exact), with its role and commune; undefined when none. */
export async function accountByEmail(knex: Knex, email: string): Promise<{ id: number; role: string; commune_insee: string } | undefined> {
  return (await knex('users').where({ email }).first('id', 'role', 'commune_insee')) as { id: number; role: string; commune_insee: string } | undefined;
}

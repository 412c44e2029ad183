import type { Knex } from 'knex';
import type { AuditEntry } from '../domain/admin-api.js';

export type { AuditEntry };

export interface AuditFilters {
  userId?: number | undefined;
  /** Actions starting with this prefix ("user." for every change of accounts). */
  action?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
}

/** The audit log, newest first, filtered by who, what and when (bound parameters only). */
export async function listAudit(knex: Knex, f: AuditFilters): Promise<AuditEntry[]> {
  const q = knex('audit_log as a').leftJoin('users as u', 'u.id', 'a.user_id')
    .select('a.id', 'a.at', 'a.user_id as userId', 'u.name as userName', 'u.email as userEmail', 'a.action', 'a.entity', 'a.entity_id as entityId', 'a.details')
    .orderBy('a.id', 'desc').limit(f.limit);
  if (f.userId) q.where('a.user_id', f.userId);
  if (f.action) q.whereRaw(`starts_with(a.action, ?)`, [f.action]);
  if (f.entity) q.where('a.entity', f.entity);
  if (f.entityId) q.where('a.entity_id', f.entityId);
  if (f.from) q.where('a.at', '>=', f.from);
  if (f.to) q.where('a.at', '<', f.to);
  const rows = (await q) as (AuditEntry & { id: string | number })[];
  return rows.map((r) => ({ ...r, id: Number(r.id), details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details }));
}

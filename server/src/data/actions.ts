/**
 * Action-plan items (DESIGN 3.6): per commune and QPV, with origin, owner, due date, status and evidence. Scoped like
 * the sessions (`diagnosticPredicate`); "overdue" is `actionOverdueSql`, the SQL twin of the domain's rule.
 */
import type { Knex } from 'knex';
import type { DiagnosticScope } from '../domain/access.js';
import type { ActionOrigin, ActionRow, ActionStatus } from '../domain/diagnostics.js';
import { actionOverdueSql, diagnosticPredicate } from './access.js';

export type { ActionRow };

type Db = Knex | Knex.Transaction;


const SELECT = `SELECT a.id, a.title, a.description, a.commune_insee AS "communeInsee", m.name AS "communeName", a.qpv_code AS "qpvCode", q.name AS "qpvName",
  a.origin, a.diagnostic_id AS "diagnosticId", d.title AS "diagnosticTitle", a.observation_id AS "observationId", a.report_id AS "reportId",
  a.owner_organisation AS "ownerOrganisation", o.name AS "ownerOrganisationName", a.owner_service AS "ownerService", s.name AS "ownerServiceName",
  to_char(a.due_on, 'YYYY-MM-DD') AS "dueOn", a.status, a.evidence, a.created_at AS "createdAt", a.updated_at AS "updatedAt",
  ${actionOverdueSql('a')} AS overdue
  FROM action_items a
  JOIN communes m ON m.insee = a.commune_insee
  LEFT JOIN qpv q ON q.code = a.qpv_code
  LEFT JOIN diagnostics d ON d.id = a.diagnostic_id
  LEFT JOIN organisations o ON o.code = a.owner_organisation
  LEFT JOIN services s ON s.code = a.owner_service`;

export interface ActionFilters {
  commune?: string | undefined;
  qpv?: string | undefined;
  status?: ActionStatus | undefined;
  overdue?: boolean | undefined;
  diagnostic?: number | undefined;
}

/** The WHERE clause of the items in a scope matching the filters, with its bindings. */
function actionsWhere(scope: DiagnosticScope, f: ActionFilters): { sql: string; bindings: Knex.Value[] } {
  const where = diagnosticPredicate(scope, 'a');
  const sql = [where.sql];
  const b: Knex.Value[] = [...where.bindings];
  if (f.commune) { sql.push('a.commune_insee = ?'); b.push(f.commune); }
  if (f.qpv) { sql.push('a.qpv_code = ?'); b.push(f.qpv); }
  if (f.status) { sql.push('a.status = ?'); b.push(f.status); }
  if (f.overdue !== undefined) sql.push(f.overdue ? actionOverdueSql('a') : `NOT ${actionOverdueSql('a')}`);
  if (f.diagnostic) { sql.push('a.diagnostic_id = ?'); b.push(f.diagnostic); }
  return { sql: sql.join(' AND '), bindings: b };
}

/** The most items one answer holds (a page, or the whole CSV). */
export const ACTIONS_MAX = 5000;

/** The items in a scope, overdue first, then by due date (at most `ACTIONS_MAX`, or one page of them). */
export async function listActions(db: Db, scope: DiagnosticScope, f: ActionFilters, page: { limit: number; offset: number } = { limit: ACTIONS_MAX, offset: 0 }): Promise<ActionRow[]> {
  const where = actionsWhere(scope, f);
  const { rows } = await db.raw(`${SELECT} WHERE ${where.sql} ORDER BY ${actionOverdueSql('a')} DESC, a.due_on NULLS LAST, a.id LIMIT ? OFFSET ?`,
    [...where.bindings, page.limit, page.offset]);
  return rows;
}

/** How many items of a scope match the filters (the pager's total). */
export async function countActions(db: Db, scope: DiagnosticScope, f: ActionFilters): Promise<number> {
  const where = actionsWhere(scope, f);
  const { rows } = await db.raw(`SELECT count(*)::int AS n FROM action_items a WHERE ${where.sql}`, where.bindings);
  return rows[0].n as number;
}

export async function findAction(db: Db, id: number): Promise<ActionRow | null> {
  const { rows } = await db.raw(`${SELECT} WHERE a.id = ?`, [id]);
  return rows[0] ?? null;
}

export interface ActionFields {
  title: string;
  description: string | null;
  communeInsee: string;
  qpvCode: string | null;
  origin: ActionOrigin;
  diagnosticId: number | null;
  observationId: number | null;
  reportId: number | null;
  ownerOrganisation: string | null;
  ownerService: string | null;
  dueOn: string | null;
  status: ActionStatus;
  evidence: string | null;
}

const COLUMNS: Record<keyof ActionFields, string> = {
  title: 'title', description: 'description', communeInsee: 'commune_insee', qpvCode: 'qpv_code', origin: 'origin', diagnosticId: 'diagnostic_id',
  observationId: 'observation_id', reportId: 'report_id', ownerOrganisation: 'owner_organisation', ownerService: 'owner_service', dueOn: 'due_on',
  status: 'status', evidence: 'evidence',
};
const columns = (f: Partial<ActionFields>) =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined).map(([k, v]) => [COLUMNS[k as keyof ActionFields], v]));

export async function insertAction(db: Db, f: ActionFields, createdBy: number): Promise<number> {
  const [row] = await db('action_items').insert({ ...columns(f), created_by: createdBy }).returning('id');
  return row.id as number;
}

export async function updateAction(db: Db, id: number, f: Partial<ActionFields>): Promise<void> {
  await db('action_items').where({ id }).update({ ...columns(f), updated_at: db.fn.now() });
}

/** Whether an organisation / a service is configured (an item's owner must be one). */
export async function ownerExists(db: Db, f: { organisation?: string | null | undefined; service?: string | null | undefined }): Promise<{ organisation: boolean; service: boolean }> {
  const [o, s] = await Promise.all([
    f.organisation ? db('organisations').where({ code: f.organisation }).first('code') : true,
    f.service ? db('services').where({ code: f.service }).first('code') : true,
  ]);
  return { organisation: !!o, service: !!s };
}

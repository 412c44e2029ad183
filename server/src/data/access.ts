/**
 * The report scope of the domain (`domain/access.ts`) as SQL: the ONE predicate every reader of reports uses (lists,
 * CSV, nearby, duplicates proposal, tiles, Open311), and the domain's status sets as SQL lists.
 */
import type { Knex } from 'knex';
import type { DiagnosticScope, ReportScope } from '../domain/access.js';
import { OPEN_ACTION_STATUSES } from '../domain/diagnostics.js';
import { CLOSED_STATUS_LIST, OPEN_STATUS_LIST, type ReportStatus } from '../domain/reports.js';

/** A piece of SQL with its positional (`?`) bindings. */
export interface SqlPart {
  sql: string;
  bindings: Knex.Value[];
}

/**
 * `WHERE`-ready predicate on the reports table aliased `alias`, values bound: `true`, `false`, the commune, or the
 * service routed to or in copy (`also_notify`) — exactly `inScope` of the domain.
 * @example scopePredicate({ kind: 'commune', insee: '91027' }, 'r') // { sql: '(r.commune_insee = ?)', bindings: ['91027'] }
 */
export function scopePredicate(scope: ReportScope, alias: string): SqlPart {
  switch (scope.kind) {
    case 'all': return { sql: 'true', bindings: [] };
    case 'none': return { sql: 'false', bindings: [] };
    case 'commune': return { sql: `(${alias}.commune_insee = ?)`, bindings: [scope.insee] };
    case 'service': return { sql: `(${alias}.service_code = ? OR ? = ANY(${alias}.also_notify))`, bindings: [scope.code, scope.code] };
  }
}

/**
 * A list of the domain's statuses as SQL literals: code constants (never request values), checked to be plain
 * identifiers, written inline so that the statements' plans stay what they were.
 */
function statusList(statuses: readonly ReportStatus[]): string {
  if (!statuses.every((s) => /^[a-z_]+$/.test(s))) throw new Error('unexpected status name');
  return `(${statuses.map((s) => `'${s}'`).join(', ')})`;
}

/** `IN (…)` list of the open statuses (`OPEN_STATUSES`). */
export const OPEN_STATUSES_SQL = statusList(OPEN_STATUS_LIST);
/** `IN (…)` list of the closed statuses (every other one). */
export const CLOSED_STATUSES_SQL = statusList(CLOSED_STATUS_LIST);

/** Whether the report aliased `alias` is late on its resolution deadline (`isOverdue` of the domain). */
export const overdueSql = (alias: string) => `(${alias}.status IN ${OPEN_STATUSES_SQL} AND ${alias}.resolve_due_at < now())`;

/**
 * `WHERE`-ready predicate on a table of walking-diagnosis sessions or action-plan items aliased `alias` (both carry
 * `commune_insee`): the SQL form of `diagnosticScope`, the same commune rule as the reports'.
 * @example diagnosticPredicate({ kind: 'commune', insee: '91027' }, 'd') // { sql: '(d.commune_insee = ?)', bindings: ['91027'] }
 */
export const diagnosticPredicate = (scope: DiagnosticScope, alias: string): SqlPart => scopePredicate(scope, alias);

/** `IN (…)` list of the action-plan statuses still to do (`OPEN_ACTION_STATUSES`). */
const OPEN_ACTION_STATUSES_SQL = `(${OPEN_ACTION_STATUSES.map((s) => { if (!/^[a-z_]+$/.test(s)) throw new Error('unexpected status name'); return `'${s}'`; }).join(', ')})`;

/** Whether the action-plan item aliased `alias` is overdue (`isActionOverdue` of the domain: due day passed in Paris, still open). */
export const actionOverdueSql = (alias: string) =>
  `(${alias}.status IN ${OPEN_ACTION_STATUSES_SQL} AND ${alias}.due_on < (now() AT TIME ZONE 'Europe/Paris')::date)`;

/**
 * Who sees a report and who may report (DESIGN 3.4), each written once. Every reader — lists, CSV, details, nearby,
 * duplicates proposal, tiles, Open311, and what comes next (statistics, exports) — derives its filter from
 * `reportScope`: in JavaScript through `inScope`/`canSee`, in SQL through the data layer's `scopePredicate`.
 * Pure code, shared by the server and the client.
 */
import type { Role } from './territory.js';

/** The part of a user that decides access. */
export interface AccessUser {
  role: Role;
  communeInsee: string | null;
  serviceCode: string | null;
}

/**
 * The reports a user may see, as data:
 * - `all`: admin, GUP officer, planner (everything on the map, read-only);
 * - `commune`: a commune user, its commune's reports;
 * - `service`: a service agent, the reports routed to its service or sent to it in copy (`also_notify`);
 * - `none`: anyone else, and an account missing its commune or service.
 */
export type ReportScope =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'commune'; insee: string }
  | { kind: 'service'; code: string };

export const SCOPE_ALL: ReportScope = Object.freeze({ kind: 'all' });
export const SCOPE_NONE: ReportScope = Object.freeze({ kind: 'none' });

/**
 * @example reportScope({ role: 'commune_user', communeInsee: '91027', serviceCode: null }) // { kind: 'commune', insee: '91027' }
 * @example reportScope({ role: 'service_agent', communeInsee: null, serviceCode: null }) // { kind: 'none' }
 */
export function reportScope(user: AccessUser): ReportScope {
  switch (user.role) {
    case 'admin':
    case 'gup_officer':
    case 'planner':
      return SCOPE_ALL;
    case 'commune_user':
      return user.communeInsee ? { kind: 'commune', insee: user.communeInsee } : SCOPE_NONE;
    case 'service_agent':
      return user.serviceCode ? { kind: 'service', code: user.serviceCode } : SCOPE_NONE;
    default:
      return SCOPE_NONE;
  }
}

/**
 * A stable key of a scope (tile ETags, caches): two users with the same key see the same reports.
 * @example scopeKey({ kind: 'service', code: 'oph-proximite' }) // 'service:oph-proximite'
 */
export function scopeKey(scope: ReportScope): string {
  switch (scope.kind) {
    case 'commune': return `commune:${scope.insee}`;
    case 'service': return `service:${scope.code}`;
    default: return scope.kind;
  }
}

/** The fields of a report that access depends on. */
export interface ScopedReport {
  communeInsee: string;
  serviceCode: string;
  alsoNotify?: readonly string[] | null | undefined;
}

/**
 * Whether a report lies in a scope (the JavaScript twin of the data layer's `scopePredicate`).
 * @example inScope({ kind: 'service', code: 'ept-dechets' }, { communeInsee: '91027', serviceCode: 'oph-proximite', alsoNotify: ['ept-dechets'] }) // true
 */
export function inScope(scope: ReportScope, report: ScopedReport): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'none': return false;
    case 'commune': return report.communeInsee === scope.insee;
    case 'service': return report.serviceCode === scope.code || (report.alsoNotify ?? []).includes(scope.code);
  }
}

/**
 * Whether a user may see a report.
 * @example canSee({ role: 'commune_user', communeInsee: '91326', serviceCode: null }, { communeInsee: '91027', serviceCode: 'x' }) // false
 */
export function canSee(user: AccessUser, report: ScopedReport): boolean {
  return inScope(reportScope(user), report);
}

/** Roles that file reports (and are offered the open reports nearby, to join one instead). */
const REPORTING_ROLES: ReadonlySet<Role> = new Set(['commune_user', 'gup_officer', 'admin']);

/**
 * Whether a user files reports at all: commune users, GUP officers and admins.
 * @example canReport({ role: 'planner', communeInsee: null, serviceCode: null }) // false
 */
export function canReport(user: Pick<AccessUser, 'role'>): boolean {
  return REPORTING_ROLES.has(user.role);
}

/**
 * Whether a user may report at a spot of this commune: a commune user in its own commune only; officers and admins
 * anywhere in the territory.
 * @example mayReportIn({ role: 'commune_user', communeInsee: '91027', serviceCode: null }, '91326') // false
 */
export function mayReportIn(user: AccessUser, communeInsee: string): boolean {
  if (!canReport(user)) return false;
  return user.role !== 'commune_user' || user.communeInsee === communeInsee;
}

/**
 * The walking-diagnosis sessions and action-plan items a user reaches (DESIGN 3.6), scoped the way a commune user's
 * reports are: `all` for admin, GUP officer and planner (read-only for the planner); `commune` for a commune user; `none`
 * for service agents (they receive what triage turns into reports) and for an account missing its commune.
 * @example diagnosticScope({ role: 'commune_user', communeInsee: '91027', serviceCode: null }) // { kind: 'commune', insee: '91027' }
 * @example diagnosticScope({ role: 'service_agent', communeInsee: null, serviceCode: 'oph-proximite' }) // { kind: 'none' }
 */
export function diagnosticScope(user: AccessUser): DiagnosticScope {
  const scope = reportScope(user);
  return scope.kind === 'service' ? SCOPE_NONE as DiagnosticScope : scope;
}
export type DiagnosticScope = Exclude<ReportScope, { kind: 'service' }>;

/** Roles that organise diagnoses, capture observations, triage them and keep the action plan. */
const ORGANISING_ROLES: ReadonlySet<Role> = new Set(['commune_user', 'gup_officer', 'admin']);

/**
 * Whether a user organises (plans, captures, triages, keeps the action plan) in this commune: officers and admins
 * anywhere, a commune user in its own commune only.
 * @example mayOrganiseIn({ role: 'commune_user', communeInsee: '91027', serviceCode: null }, '91326') // false
 * @example mayOrganiseIn({ role: 'planner', communeInsee: null, serviceCode: null }, '91027') // false
 */
export function mayOrganiseIn(user: AccessUser, communeInsee: string): boolean {
  return ORGANISING_ROLES.has(user.role) && inScope(diagnosticScope(user), { communeInsee, serviceCode: '' });
}

/**
 * The broadcasts (information to the communes, DESIGN 3.7) a user sees: a commune user those concerning its commune;
 * everyone else all of them (officers issue and follow them, services and planners are told of disruptions too).
 * The data layer's `broadcastScopeSql` (data/broadcasts.ts) is its only SQL form.
 * @example broadcastScope({ role: 'commune_user', communeInsee: '91027', serviceCode: null }) // { kind: 'commune', insee: '91027' }
 */
export function broadcastScope(user: AccessUser): { kind: 'all' } | { kind: 'none' } | { kind: 'commune'; insee: string } {
  if (user.role !== 'commune_user') return SCOPE_ALL as { kind: 'all' };
  return user.communeInsee ? { kind: 'commune', insee: user.communeInsee } : (SCOPE_NONE as { kind: 'none' });
}

/**
 * Whether a user sees a broadcast concerning these communes.
 * @example seesBroadcast({ role: 'commune_user', communeInsee: '91326', serviceCode: null }, ['91027']) // false
 */
export function seesBroadcast(user: AccessUser, communes: readonly string[]): boolean {
  const scope = broadcastScope(user);
  return scope.kind === 'all' || (scope.kind === 'commune' && communes.includes(scope.insee));
}

/** Roles that issue broadcasts: GUP officers and admins. */
const BROADCASTING_ROLES: ReadonlySet<Role> = new Set(['gup_officer', 'admin']);

/**
 * Whether a user issues broadcasts.
 * @example mayIssueBroadcast({ role: 'planner' }) // false
 */
export function mayIssueBroadcast(user: Pick<AccessUser, 'role'>): boolean {
  return BROADCASTING_ROLES.has(user.role);
}

/**
 * Whether a user acknowledges a broadcast for its commune: a commune user of a commune concerned.
 * @example mayAcknowledgeBroadcast({ role: 'commune_user', communeInsee: '91027', serviceCode: null }, ['91027', '91326']) // true
 */
export function mayAcknowledgeBroadcast(user: AccessUser, communes: readonly string[]): boolean {
  return user.role === 'commune_user' && !!user.communeInsee && communes.includes(user.communeInsee);
}

/**
 * Reports (signalements, DESIGN 3.3): the lifecycle as a table of allowed transitions per role, and the delays.
 * Pure code, shared by the server and the client (which offers only the allowed actions).
 */
import type { Role } from './territory.js';

export const REPORT_STATUSES = ['submitted', 'acknowledged', 'in_progress', 'transferred', 'resolved', 'closed', 'rejected', 'duplicate'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** The channels a report arrives by (DESIGN 3.5 "channel"): the web form, Open311, a walking diagnosis's triage. */
export const REPORT_SOURCES = ['web', 'open311', 'diagnosis'] as const;
export type ReportSource = (typeof REPORT_SOURCES)[number];

/** Statuses in which a report is still waiting for the service (the clock runs), in lifecycle order. */
export const OPEN_STATUS_LIST = ['submitted', 'acknowledged', 'in_progress', 'transferred'] as const satisfies readonly ReportStatus[];
/** The same, as a set: the one definition of "open" (lists, overdue, duplicates, tiles, Open311). */
export const OPEN_STATUSES: ReadonlySet<ReportStatus> = new Set(OPEN_STATUS_LIST);
/** Statuses in which the service has no more work: resolved, closed, rejected, duplicate. */
export const CLOSED_STATUS_LIST: readonly ReportStatus[] = REPORT_STATUSES.filter((s) => !OPEN_STATUSES.has(s));

export const STATUS_LABELS: Record<ReportStatus, string> = {
  submitted: 'Transmis',
  acknowledged: 'Pris en compte',
  in_progress: 'En cours',
  transferred: 'Réorienté',
  resolved: 'Traité',
  closed: 'Clos',
  rejected: 'Rejeté',
  duplicate: 'Doublon',
};

/** Orders of a report list: newest first, oldest first, or the work list (overdue first, then the oldest open). */
export const REPORT_SORTS = ['newest', 'oldest', 'priority'] as const;
export type ReportSort = (typeof REPORT_SORTS)[number];

/** Actions on a report; most change its status, some only add to its timeline. */
export const REPORT_ACTIONS = ['acknowledge', 'start', 'resolve', 'transfer', 'reject', 'merge', 'close', 'reopen', 'comment', 'add_info', 'flag_urgency'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/** Who relates to the report: its routed service, its commune, or oversight (officer/admin). */
export type Relation = 'service' | 'commune' | 'officer';

interface ActionRule {
  from: readonly ReportStatus[] | 'any';
  to: ReportStatus | null; // null: no status change
  by: readonly Relation[];
  needsComment: boolean;
}

const OPEN = OPEN_STATUS_LIST;

export const ACTION_RULES: Record<ReportAction, ActionRule> = {
  acknowledge: { from: ['submitted', 'transferred'], to: 'acknowledged', by: ['service', 'officer'], needsComment: false },
  start: { from: ['submitted', 'acknowledged', 'transferred'], to: 'in_progress', by: ['service', 'officer'], needsComment: false },
  resolve: { from: OPEN, to: 'resolved', by: ['service', 'officer'], needsComment: true }, // the answer the commune sees
  transfer: { from: OPEN, to: 'transferred', by: ['service', 'officer'], needsComment: true },
  reject: { from: OPEN, to: 'rejected', by: ['officer'], needsComment: true },
  merge: { from: OPEN, to: 'duplicate', by: ['officer'], needsComment: false },
  close: { from: ['resolved'], to: 'closed', by: ['commune', 'officer'], needsComment: false },
  reopen: { from: ['resolved', 'closed'], to: 'submitted', by: ['commune', 'officer'], needsComment: true },
  comment: { from: 'any', to: null, by: ['service', 'commune', 'officer'], needsComment: true },
  add_info: { from: OPEN, to: null, by: ['commune'], needsComment: true },
  flag_urgency: { from: 'any', to: null, by: ['officer'], needsComment: false },
};

/** A commune may reopen a resolved or closed report within this many days of its resolution. */
export const REOPEN_DAYS = 7;

export type TransitionCheck = { ok: true; to: ReportStatus | null } | { ok: false; status: 403 | 409; reason: string };

/**
 * Whether `relations` may apply `action` to a report in `status`.
 * @example checkAction('resolve', 'submitted', ['service'], { hasComment: true }) // { ok: true, to: 'resolved' }
 */
export function checkAction(
  action: ReportAction,
  status: ReportStatus,
  relations: readonly Relation[],
  ctx: { hasComment: boolean; resolvedAt?: Date | null; now?: Date; urgent?: boolean },
): TransitionCheck {
  const rule = ACTION_RULES[action];
  if (!rule.by.some((r) => relations.includes(r))) return { ok: false, status: 403, reason: `Action « ${action} » non permise pour votre rôle` };
  if (rule.from !== 'any' && !rule.from.includes(status)) {
    return { ok: false, status: 409, reason: `Action « ${action} » impossible : le signalement est « ${STATUS_LABELS[status]} »` };
  }
  if (rule.needsComment && !ctx.hasComment) return { ok: false, status: 409, reason: `Action « ${action} » : un commentaire est obligatoire` };
  if (action === 'reopen' && !relations.includes('officer')) {
    const now = ctx.now ?? new Date();
    if (!ctx.resolvedAt || now.getTime() - ctx.resolvedAt.getTime() > REOPEN_DAYS * 86_400_000) {
      return { ok: false, status: 409, reason: `Réouverture possible ${REOPEN_DAYS} jours après le traitement seulement` };
    }
  }
  if (action === 'flag_urgency' && !ctx.urgent) return { ok: false, status: 409, reason: 'Le signalement n\'est pas marqué urgent' };
  return { ok: true, to: rule.to };
}

/** Actions a person may try on a report now (for the UI's buttons). */
export function availableActions(status: ReportStatus, relations: readonly Relation[], urgent: boolean): ReportAction[] {
  return REPORT_ACTIONS.filter((a) => {
    const check = checkAction(a, status, relations, { hasComment: true, resolvedAt: new Date(), urgent });
    return check.ok;
  });
}

export interface CategoryDelays {
  ackHours: number;
  resolveHours: number;
  resolveHoursQpv: number | null;
  seasonal: { months: number[]; resolveHours: number; resolveHoursQpv?: number | null | undefined } | null;
}

/** Month number in Paris time (built once: a formatter per call costs ~6 % of an intake request). */
const PARIS_MONTH = new Intl.DateTimeFormat('fr-FR', { month: 'numeric', timeZone: 'Europe/Paris' });
const HOUR_MS = 3_600_000;
/** The last UTC hour asked and its Paris month: formatting still costs ~40 µs, 2 % of an intake request. */
let lastHour = Number.NaN;
let lastMonth = 0;

/**
 * The month (1–12) of a date in Paris time. Paris's offset from UTC is a whole number of hours, so a Paris month
 * begins on a UTC hour: every instant of one UTC hour has the same Paris month, and the last hour's answer is kept.
 * @example parisMonth(new Date('2026-03-31T22:30:00Z')) // 4 (00:30 on 1 April, summer time)
 */
export function parisMonth(at: Date): number {
  const hour = Math.floor(at.getTime() / HOUR_MS);
  if (hour !== lastHour) {
    lastMonth = Number(PARIS_MONTH.format(at));
    lastHour = hour;
  }
  return lastMonth;
}

export interface Delays {
  ackDueAt: Date;
  resolveDueAt: Date;
  /** Which delay applied, for the timeline: category, QPV, season, urgency. */
  basis: string;
}

/**
 * Deadlines of a report: the category's delay, the QPV delay inside a QPV, the seasonal delay in its months
 * (Paris time), and the urgency delay when urgent (the shortest applicable wins). Inside a sub-sector whose convention
 * routed the report (DESIGN 3.8), the obligation's delay replaces the category's, QPV and seasonal delays; urgency still
 * shortens it.
 * @example computeDelays({ ackHours: 24, resolveHours: 72, resolveHoursQpv: 48, seasonal: null }, { at, inQpv: true, urgent: false, urgencyHours: 24 }).basis // 'QPV'
 * @example computeDelays(cat, { at, inQpv: true, urgent: false, urgencyHours: 24, obligationHours: 12 }).basis // 'convention'
 */
export function computeDelays(cat: CategoryDelays, ctx: { at: Date; inQpv: boolean; urgent: boolean; urgencyHours: number | null; obligationHours?: number | null | undefined }): Delays {
  let hours = cat.resolveHours;
  let basis = 'catégorie';
  const byConvention = ctx.obligationHours !== undefined && ctx.obligationHours !== null;
  const inSeason = !byConvention && !!cat.seasonal && cat.seasonal.months.includes(parisMonth(ctx.at));
  if (byConvention) {
    hours = ctx.obligationHours!;
    basis = 'convention';
  }
  if (inSeason) {
    hours = cat.seasonal!.resolveHours;
    basis = 'saison';
  }
  if (ctx.inQpv && !byConvention) {
    const qpv = inSeason ? (cat.seasonal!.resolveHoursQpv ?? cat.resolveHoursQpv) : cat.resolveHoursQpv;
    if (qpv && qpv < hours) {
      hours = qpv;
      basis = inSeason ? 'saison, QPV' : 'QPV';
    }
  }
  let ackHours = byConvention ? Math.min(cat.ackHours, hours) : cat.ackHours;
  if (ctx.urgent && ctx.urgencyHours && ctx.urgencyHours < hours) {
    hours = ctx.urgencyHours;
    basis = 'urgence';
    ackHours = Math.min(ackHours, ctx.urgencyHours);
  }
  return {
    ackDueAt: new Date(ctx.at.getTime() + ackHours * 3_600_000),
    resolveDueAt: new Date(ctx.at.getTime() + hours * 3_600_000),
    basis,
  };
}

/** Whether a report is late on its resolution deadline. */
export function isOverdue(status: ReportStatus, resolveDueAt: Date, now = new Date()): boolean {
  return OPEN_STATUSES.has(status) && resolveDueAt.getTime() < now.getTime();
}

/** Relations of a user to a report, from role and scope. */
export function relationsOf(
  user: { role: Role; communeInsee: string | null; serviceCode: string | null },
  report: { communeInsee: string; serviceCode: string },
): Relation[] {
  const rel: Relation[] = [];
  if (user.role === 'admin' || user.role === 'gup_officer') rel.push('officer');
  if (user.role === 'service_agent' && user.serviceCode === report.serviceCode) rel.push('service');
  if (user.role === 'commune_user' && user.communeInsee === report.communeInsee) rel.push('commune');
  return rel;
}

/**
 * Whether the person closing a report may rate it (satisfaction 1–5, DESIGN 3.5): the commune, whose opinion it is.
 * @example mayRate(['officer']) // false
 */
export function mayRate(relations: readonly Relation[]): boolean {
  return relations.includes('commune');
}

/** An event of a report's timeline, as far as "what was the commune told" goes. */
export interface TimelineEventLike {
  kind: string;
  toStatus: ReportStatus | string | null;
  comment: string | null;
}

/**
 * Statuses whose comment is an answer to the commune: the resolution ("what was done") and the rejection reason.
 * Every other comment (a transfer reason, a comment between agents, the commune's own words) is internal.
 */
const ANSWER_STATUSES: ReadonlySet<string> = new Set<ReportStatus>(['resolved', 'rejected']);

/**
 * Whether an event is a public answer: what the commune was told, which may be published (Open311's
 * `status_notes`), mailed as "Réponse" and shown as the answer.
 * @example isPublicAnswer({ kind: 'transition', toStatus: 'resolved', comment: 'Tag effacé' }) // true
 * @example isPublicAnswer({ kind: 'transition', toStatus: 'transferred', comment: 'Pas chez nous, voir M. X' }) // false
 */
export function isPublicAnswer(e: TimelineEventLike): boolean {
  return e.kind === 'transition' && e.toStatus !== null && ANSWER_STATUSES.has(e.toStatus) && !!e.comment?.trim();
}

/**
 * The answer that stands for a report now: the comment of the latest public answer, unless the report went back to
 * an open status since (a reopening: the former answer no longer holds). Events oldest first.
 * @example latestPublicAnswer([{ kind: 'transition', toStatus: 'resolved', comment: 'Fait' }, { kind: 'transition', toStatus: 'closed', comment: null }]) // 'Fait'
 */
export function latestPublicAnswer(events: readonly TimelineEventLike[]): string | null {
  let answer: string | null = null;
  for (const e of events) {
    if (isPublicAnswer(e)) answer = e.comment!.trim();
    else if (e.kind === 'transition' && e.toStatus !== null && OPEN_STATUSES.has(e.toStatus as ReportStatus)) answer = null;
  }
  return answer;
}

/**
 * Statistics of interventions (observatoire, DESIGN 3.5): the dimensions, the channels, the period rule and the labels
 * that need no database. The indicators themselves are computed by PostgreSQL (server/src/data/stats.ts).
 * Pure code, shared by the server and the client.
 */
import type { Role } from './territory.js';

/** Dimensions a statistic can be broken down by (`groupBy`). */
export const STATS_DIMENSIONS = ['month', 'commune', 'qpv', 'sector', 'subsector', 'organisation', 'service', 'theme', 'category', 'urgent', 'channel'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

/** Channels a report comes in by (`reports.source`). */
export const CHANNELS = ['web', 'open311', 'diagnosis'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_LABELS: Record<Channel, string> = { web: 'Application web', open311: 'Open311 (logiciel de la commune)', diagnosis: 'Diagnostic en marchant' };

/** Longest period a statistic may cover (days): a bound on every request. */
export const MAX_PERIOD_DAYS = 3 * 366;
/** Hotspots: default minimum of reports in a cell, and the window they are counted over. */
export const HOTSPOT_DEFAULT_MIN = 5;
export const HOTSPOT_DAYS = 90;
/** Backlog age bands (hours): under 48 h, 48 h to 10 days, over 10 days. */
export const BACKLOG_BANDS_HOURS = [48, 240] as const;

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/**
 * French label of a month key.
 * @example monthLabel('2026-03') // 'mars 2026'
 */
export function monthLabel(key: string): string {
  const [y, m] = key.split('-');
  const name = MONTHS[Number(m) - 1];
  return name ? `${name} ${y}` : key;
}

/**
 * Label of a key of a dimension whose values are not in the configuration (month, QPV or not, urgency, channel), or
 * of a missing value (no sector, no sub-sector); null when the configuration names it.
 * @example fixedLabel('qpv', 'hors_qpv') // 'Hors QPV'
 * @example fixedLabel('commune', '91027') // null
 */
export function fixedLabel(dimension: StatsDimension, key: string | null): string | null {
  switch (dimension) {
    case 'month': return key ? monthLabel(key) : null;
    case 'qpv': return key === 'qpv' ? 'En QPV' : 'Hors QPV';
    case 'urgent': return key === 'urgent' ? 'Urgent' : 'Non urgent';
    case 'channel': return CHANNEL_LABELS[key as Channel] ?? key;
    case 'sector': return key === null ? 'Sans secteur' : null;
    case 'subsector': return key === null ? 'Hors sous-secteur' : null;
    default: return key === null ? 'Non renseigné' : null;
  }
}

export type PeriodCheck = { ok: true; from: string; to: string } | { ok: false; field: 'from' | 'to'; reason: string };

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * A statistics period: calendar days `from` to `to`, both included (Paris time), at most MAX_PERIOD_DAYS long.
 * Missing bounds: the twelve months up to `today`.
 * @example checkPeriod('2026-01-01', '2026-12-31', '2026-11-29') // { ok: true, from: '2026-01-01', to: '2026-12-31' }
 * @example checkPeriod('2026-02-01', '2026-01-01', '2026-11-29').ok // false
 */
export function checkPeriod(from: string | undefined, to: string | undefined, today: string): PeriodCheck {
  const end = to ?? today;
  const start = from ?? isoDay(new Date(Date.parse(`${end}T00:00:00Z`) - 365 * DAY_MS));
  const a = Date.parse(`${start}T00:00:00Z`);
  const b = Date.parse(`${end}T00:00:00Z`);
  if (b < a) return { ok: false, field: 'to', reason: '« to » doit suivre « from »' };
  if ((b - a) / DAY_MS + 1 > MAX_PERIOD_DAYS) return { ok: false, field: 'from', reason: `période limitée à ${MAX_PERIOD_DAYS} jours` };
  return { ok: true, from: start, to: end };
}

/** First day of the month after the one of `day` (YYYY-MM-DD). */
const nextMonth = (day: string) => {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return isoDay(d);
};

/**
 * The whole calendar months inside a period (both days included), as [from, to): first day of the first whole month,
 * first day after the last one — the statistics roll-up reads these months' rows and the other days' rows. No whole
 * month: both are the day after `to`, so that every day of the period is outside.
 * @example wholeMonths('2026-01-15', '2026-04-10') // { from: '2026-02-01', to: '2026-04-01' }
 * @example wholeMonths('2026-03-01', '2026-03-31') // { from: '2026-03-01', to: '2026-04-01' }
 * @example wholeMonths('2026-03-02', '2026-03-31') // { from: '2026-04-01', to: '2026-04-01' }
 */
export function wholeMonths(from: string, to: string): { from: string; to: string } {
  const first = from.endsWith('-01') ? from : nextMonth(from);
  const dayAfter = isoDay(new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS));
  const end = dayAfter.endsWith('-01') ? dayAfter : `${to.slice(0, 7)}-01`;
  return first < end ? { from: first, to: end } : { from: dayAfter, to: dayAfter };
}

/** Roles that close a period (freeze a committee's figures): GUP officers and admins. */
const PERIOD_CLOSERS: ReadonlySet<Role> = new Set(['gup_officer', 'admin']);

/**
 * Whether a user may close a statistics period.
 * @example canClosePeriod({ role: 'commune_user' }) // false
 */
export function canClosePeriod(user: { role: Role }): boolean {
  return PERIOD_CLOSERS.has(user.role);
}

/** The indicators of DESIGN 3.5 over a set of reports (README, "Statistics fields"). */
export interface StatsMeasures {
  received: number;
  /** Acknowledged by ackDueAt ÷ (acknowledged + not acknowledged and past ackDueAt); 0–1, null when none is due. */
  ackOnTimeRate: number | null;
  /** Resolved by resolveDueAt ÷ (resolved + open past resolveDueAt); 0–1, null when none is due. */
  resolvedOnTimeRate: number | null;
  ackMedianHours: number | null;
  ackP90Hours: number | null;
  resolveMedianHours: number | null;
  resolveP90Hours: number | null;
  backlog: number;
  backlogByAge: { under48h: number; from48hTo10d: number; over10d: number };
  overdue: number;
  transfers: number;
  transferRate: number | null;
  rejected: number;
  duplicates: number;
  reopened: number;
  urgent: number;
  urgencyNotJustified: number;
  satisfaction: number | null;
  satisfactionCount: number;
}

/** The label of each dimension, as a column header and a select option. */
export const DIMENSION_LABELS: Record<StatsDimension, string> = {
  month: 'Mois', commune: 'Commune', qpv: 'QPV', sector: 'Secteur', subsector: 'Sous-secteur', organisation: 'Organisation',
  service: 'Service', theme: 'Thématique', category: 'Catégorie', urgent: 'Urgence', channel: 'Canal',
};

const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

/**
 * The columns of a statistics table or export, in order: French header and value of a row (numbers or null).
 * @example STATS_COLUMNS.find((c) => c.key === 'resolvedOnTimePct')!.value({ resolvedOnTimeRate: 0.8125 } as never) // 81.3
 */
export const STATS_COLUMNS: readonly { key: string; header: string; value: (m: StatsMeasures) => number | null }[] = [
  { key: 'received', header: 'Reçus', value: (m) => m.received },
  { key: 'ackOnTimePct', header: 'Pris en compte dans les délais (%)', value: (m) => pct(m.ackOnTimeRate) },
  { key: 'resolvedOnTimePct', header: 'Résolus dans les délais (%)', value: (m) => pct(m.resolvedOnTimeRate) },
  { key: 'ackMedianHours', header: 'Délai médian de prise en compte (h)', value: (m) => m.ackMedianHours },
  { key: 'resolveMedianHours', header: 'Délai médian de résolution (h)', value: (m) => m.resolveMedianHours },
  { key: 'resolveP90Hours', header: 'Délai de résolution, 90e centile (h)', value: (m) => m.resolveP90Hours },
  { key: 'backlog', header: 'En stock', value: (m) => m.backlog },
  { key: 'overdue', header: 'En retard', value: (m) => m.overdue },
  { key: 'transfers', header: 'Transferts', value: (m) => m.transfers },
  { key: 'rejected', header: 'Rejetés', value: (m) => m.rejected },
  { key: 'duplicates', header: 'Doublons fusionnés', value: (m) => m.duplicates },
  { key: 'reopened', header: 'Réouverts', value: (m) => m.reopened },
  { key: 'urgent', header: 'Urgents', value: (m) => m.urgent },
  { key: 'urgencyNotJustified', header: 'Urgences non justifiées', value: (m) => m.urgencyNotJustified },
  { key: 'satisfaction', header: 'Satisfaction (sur 5)', value: (m) => m.satisfaction },
];

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

/** A range of roll-up rows: grain (`m` month rows by their first day, `d` day rows), days both included, added or subtracted. */
export interface RollupSlice {
  grain: 'm' | 'd';
  from: string;
  to: string;
  sign: 1 | -1;
}

const addDays = (day: string, n: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
const lastOfMonth = (first: string) => {
  const d = new Date(`${first}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return addDays(isoDay(d), -1);
};

/**
 * The roll-up rows that sum to a period (both days included): each month of the period is read as its month row when
 * the period covers it; as its month row minus the day rows of its days outside the period when those are fewer (the
 * current month of a period ending today: its later days hold no report); else as the day rows of its days inside.
 * @example rollupSlices('2026-01-01', '2026-02-28') // [{ grain: 'm', from: '2026-01-01', to: '2026-02-01', sign: 1 }]
 * @example rollupSlices('2026-03-01', '2026-03-29') // [{ grain: 'm', from: '2026-03-01', to: '2026-03-01', sign: 1 }, { grain: 'd', from: '2026-03-30', to: '2026-03-31', sign: -1 }]
 * @example rollupSlices('2026-03-30', '2026-04-02') // [{ grain: 'd', from: '2026-03-30', to: '2026-03-31', sign: 1 }, { grain: 'd', from: '2026-04-01', to: '2026-04-02', sign: 1 }]
 */
export function rollupSlices(from: string, to: string): RollupSlice[] {
  const out: RollupSlice[] = [];
  const month = (first: string) => {
    const last = out.at(-1);
    if (last?.grain === 'm' && last.sign === 1 && addDays(lastOfMonth(last.to), 1) === first) last.to = first;
    else out.push({ grain: 'm', from: first, to: first, sign: 1 });
  };
  for (let first = `${from.slice(0, 7)}-01`; first <= to; first = addDays(lastOfMonth(first), 1)) {
    const last = lastOfMonth(first);
    const a = from > first ? from : first;
    const b = to < last ? to : last;
    const inside = (Date.parse(b) - Date.parse(a)) / DAY_MS + 1;
    const outside = (Date.parse(last) - Date.parse(first)) / DAY_MS + 1 - inside;
    if (outside === 0) month(first);
    else if (outside < inside) {
      month(first);
      if (a > first) out.push({ grain: 'd', from: first, to: addDays(a, -1), sign: -1 });
      if (b < last) out.push({ grain: 'd', from: addDays(b, 1), to: last, sign: -1 });
    } else out.push({ grain: 'd', from: a, to: b, sign: 1 });
  }
  return out;
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

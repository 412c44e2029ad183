import { CHANNELS, STATS_DIMENSIONS, type StatsDimension } from '@gup/server/domain';
import type { LocationQuery, LocationQueryRaw } from 'vue-router';

/**
 * The dashboard's state as URL query parameters, named as the statistics API's (`/tableau-de-bord?from=2026-01-01&
 * to=2026-06-30&groupBy=commune&qpv=QP091028`), so a dashboard survives a reload and can be shared. Empty = the API's
 * defaults (the twelve months up to today, by month).
 */
export interface DashboardQuery {
  from: string;
  to: string;
  groupBy: StatsDimension;
  /** Filters, each one value: commune, qpv (true, false or a QPV code), service, theme, category, urgent, channel. */
  filters: Partial<Record<DashboardFilter, string>>;
}

export const DASHBOARD_FILTERS = ['commune', 'qpv', 'service', 'theme', 'category', 'urgent', 'channel'] as const;
export type DashboardFilter = (typeof DASHBOARD_FILTERS)[number];

const first = (v: LocationQuery[string] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : v) ?? '';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const VALID: Record<DashboardFilter, RegExp> = {
  commune: /^[0-9][0-9AB][0-9]{3}$/,
  qpv: /^(true|false|Q[PN]\d{6})$/,
  service: /^[\w-]{1,64}$/,
  theme: /^[\w-]{1,64}$/,
  category: /^[\w-]{1,64}$/,
  urgent: /^(true|false)$/,
  channel: new RegExp(`^(${CHANNELS.join('|')})$`),
};

/** Reads the dashboard state from a route query; anything malformed is left out. */
export function parseDashboardQuery(query: LocationQuery): DashboardQuery {
  const groupBy = first(query.groupBy);
  const filters: DashboardQuery['filters'] = {};
  for (const f of DASHBOARD_FILTERS) {
    const v = first(query[f]);
    if (VALID[f].test(v)) filters[f] = v;
  }
  return {
    from: DAY.test(first(query.from)) ? first(query.from) : '',
    to: DAY.test(first(query.to)) ? first(query.to) : '',
    groupBy: (STATS_DIMENSIONS as readonly string[]).includes(groupBy) ? (groupBy as StatsDimension) : 'month',
    filters,
  };
}

/** Writes the state into a route query, defaults left out. */
export function formatDashboardQuery(q: DashboardQuery): LocationQueryRaw {
  const out: LocationQueryRaw = {};
  if (q.from) out.from = q.from;
  if (q.to) out.to = q.to;
  if (q.groupBy !== 'month') out.groupBy = q.groupBy;
  for (const f of DASHBOARD_FILTERS) if (q.filters[f]) out[f] = q.filters[f];
  return out;
}

/** The filters as API parameters (the hotspots take them too). */
export function filterParams(q: DashboardQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of DASHBOARD_FILTERS) if (q.filters[f]) out[f] = q.filters[f]!;
  return out;
}

/** The statistics API parameters of the state. */
export function statsParams(q: DashboardQuery, groupBy: StatsDimension = q.groupBy): Record<string, string> {
  const out: Record<string, string> = { groupBy, ...filterParams(q) };
  if (q.from) out.from = q.from;
  if (q.to) out.to = q.to;
  return out;
}

const DAY_MS = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The period of equal length just before `from`–`to` (both included), to compare with.
 * @example previousPeriod('2026-02-01', '2026-02-28') // { from: '2026-01-04', to: '2026-01-31' }
 */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  return { from: iso(a - (b - a) - DAY_MS), to: iso(a - DAY_MS) };
}

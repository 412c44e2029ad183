/** Statistics (observatoire, DESIGN 3.5): the answers are the server's types (`@gup/server/domain`), one function per endpoint. */
import type { ClosedPeriod, HotspotsAnswer, StatsAnswer, StatsMeasures, StatsRowView } from '@gup/server/domain';
import { request } from './http';

export type { HotspotsAnswer, StatsAnswer, StatsMeasures, StatsRowView };

/** The API query of a statistic (period, dimension, filters), as strings: see `stores/dashboardQuery.ts`. */
export type StatsParams = Record<string, string>;

const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});

export const fetchStats = (params: StatsParams, signal?: AbortSignal) =>
  request<StatsAnswer>(`/api/stats?${new URLSearchParams(params)}`, withSignal(signal));

export const fetchHotspots = (params: StatsParams, signal?: AbortSignal) =>
  request<HotspotsAnswer>(`/api/stats/hotspots?${new URLSearchParams(params)}`, withSignal(signal));

/** The same statistic as a file (the server writes CSV and XLSX, scoped like the JSON). */
export const statsFileUrl = (params: StatsParams, format: 'csv' | 'xlsx'): string => `/api/stats?${new URLSearchParams({ ...params, format })}`;

/** The closed periods (frozen figures), newest first as the server lists them. */
export const fetchPeriods = () => request<{ periods: ClosedPeriod[] }>('/api/stats/periods').then((r) => r.periods);

/** Closes a finished period (officers and admins). */
export const closePeriod = (body: { label: string; from: string; to: string }) =>
  request<ClosedPeriod>('/api/stats/periods', { method: 'POST', body });

import { REPORT_STATUSES } from '@gup/server/domain';
import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import type { ReportFilters } from '../api/reports';
import type { Role } from '../api/types';

/**
 * The reports list's state as URL query parameters (the same names as the API's filters), so a filtered list
 * survives a reload and can be shared: `/signalements?status=submitted,acknowledged&qpv=QP091028&overdue=true&offset=50`.
 */
export interface ListQuery {
  filters: ReportFilters;
  /** By creation date, newest (`desc`) or oldest (`asc`) first, or `priority`: overdue first, then the oldest open. */
  order: ListOrder;
  limit: number;
  offset: number;
}

export type ListOrder = 'asc' | 'desc' | 'priority';
const ORDERS: readonly string[] = ['asc', 'desc', 'priority'];

/**
 * The list's order when the URL names none: those who deal with reports (officers, admins, service agents) get
 * their work list, overdue and oldest open first; a commune follows its latest reports.
 * @example defaultListOrder('service_agent') // 'priority'
 */
export function defaultListOrder(role: Role | undefined): ListOrder {
  return role === 'gup_officer' || role === 'admin' || role === 'service_agent' ? 'priority' : 'desc';
}

export const PAGE_SIZES = [25, 50, 100] as const;
const DEFAULT_LIMIT = 50;

const first = (v: LocationQuery[string] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : v) ?? '';
const CODE = /^[\w-]{1,64}$/;

/** Reads the list state from a route query; anything malformed falls back to the default. */
export function parseListQuery(query: LocationQuery, defaultOrder: ListOrder = 'desc'): ListQuery {
  const statuses = first(query.status).split(',').filter((s) => (REPORT_STATUSES as readonly string[]).includes(s));
  const category = first(query.category);
  const qpv = first(query.qpv);
  const commune = first(query.commune);
  const service = first(query.service);
  const limit = Number(first(query.limit));
  const offset = Number(first(query.offset));
  const filters: ReportFilters = {};
  if (statuses.length) filters.status = statuses.join(',');
  if (CODE.test(category)) filters.category = category;
  if (CODE.test(qpv)) filters.qpv = qpv;
  if (/^[0-9][0-9AB][0-9]{3}$/.test(commune)) filters.commune = commune;
  if (CODE.test(service)) filters.service = service;
  if (first(query.overdue) === 'true') filters.overdue = true;
  return {
    filters,
    order: ORDERS.includes(first(query.order)) ? (first(query.order) as ListOrder) : defaultOrder,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_LIMIT,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** Writes the list state into a query, leaving defaults out. */
export function formatListQuery(q: ListQuery, defaultOrder: ListOrder = 'desc'): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  if (q.filters.status) query.status = q.filters.status;
  if (q.filters.category) query.category = q.filters.category;
  if (q.filters.qpv) query.qpv = q.filters.qpv;
  if (q.filters.commune) query.commune = q.filters.commune;
  if (q.filters.service) query.service = q.filters.service;
  if (q.filters.overdue) query.overdue = 'true';
  if (q.order !== defaultOrder) query.order = q.order;
  if (q.limit !== DEFAULT_LIMIT) query.limit = String(q.limit);
  if (q.offset > 0) query.offset = String(q.offset);
  return query;
}

/** Whether any filter is set (the empty list then says "no report matches these filters", else "no report yet"). */
export function hasFilters(filters: ReportFilters): boolean {
  return Object.values(filters).some((v) => v !== undefined && v !== '' && v !== false);
}

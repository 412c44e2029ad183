/** Reports (signalements, DESIGN 3.3): API shapes and one function per endpoint. */
import type { ReportAction, ReportCounts, ReportSort, ReportStatus } from '@gup/server/domain';
import { request } from './http';
import type { ServiceRef } from './types';

export type { ReportAction, ReportCounts, ReportStatus };

/** What a commune user fills in; the spot comes from the map. */
export interface ReportDraft {
  category: string;
  description: string;
  lon: number;
  lat: number;
  urgent: boolean;
  /** Mandatory when urgent; null otherwise. */
  urgencyCriterion: string | null;
  /** Optional photo (PHOTO_TYPES, PHOTO_MAX_BYTES of the shared domain): sent as multipart/form-data. */
  photo: File | null;
}

/** An open report of the same category near the spot (join it instead of filing a duplicate). */
export interface NearbyReport {
  id: number;
  reference: string;
  description: string;
  status: ReportStatus;
  distanceM: number;
  createdAt: string;
}

export interface NearbyAnswer {
  radiusMeters: number;
  windowDays: number;
  reports: NearbyReport[];
}

export interface Routing {
  service: ServiceRef;
  /** Plain French sentence: why this service. */
  reason: string;
  rule: string;
  unresolved?: boolean;
  alsoNotify?: string[];
}

/** Answer to a submission (201, or 200 when the Idempotency-Key was seen before). */
export interface CreatedReport {
  id: number;
  reference: string;
  status: ReportStatus;
  routing: Routing & { unresolved: boolean; alsoNotify: string[] };
  ackDueAt: string;
  resolveDueAt: string;
  possibleDuplicates: NearbyReport[];
}

/** One row of a list (scoped by role on the server). */
export interface ReportRow {
  id: number;
  reference: string;
  status: ReportStatus;
  statusLabel: string;
  categoryCode: string;
  categoryName: string;
  description: string;
  urgent: boolean;
  urgencyCriterion: string | null;
  urgencyNotJustified: boolean;
  communeInsee: string;
  communeName: string;
  parcelIdu: string | null;
  owners: { name: string; kind: string; organisation: string | null; share: number }[] | null;
  qpvCode: string | null;
  qpvName: string | null;
  serviceCode: string;
  serviceName: string;
  routing: Routing | null;
  /** Services sent a copy (category's and joint owners'), by code. */
  alsoNotify?: string[];
  unresolved: boolean;
  ackDueAt: string;
  resolveDueAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  duplicateOf: number | null;
  createdByName: string;
  createdAt: string;
  delayBasis: string | null;
  /** Synthetic demo activity: shown as « Donnée de démonstration ». */
  synthetic: boolean;
  /** The commune's 1–5 rating, given when it closed the report. */
  satisfaction: number | null;
  overdue: boolean;
  lon: number;
  lat: number;
}

export interface TimelineEvent {
  id: number;
  kind: string;
  fromStatus: ReportStatus | null;
  toStatus: ReportStatus | null;
  comment: string | null;
  details: Record<string, unknown> | null;
  at: string;
  userName: string | null;
  userRole: string | null;
}

export interface ReportPhoto {
  id: number;
  url: string;
  thumbnailUrl: string;
  width?: number;
  height?: number;
}

export interface ReportDetails extends ReportRow {
  timeline: TimelineEvent[];
  photos: ReportPhoto[];
  followers: { id: number; name: string }[];
  /** What this user may do now (the server's lifecycle table). */
  actions: ReportAction[];
  /** Whether this user's closing may carry a 1–5 rating (the commune's). */
  mayRate: boolean;
}

/** After a transfer the former service no longer sees the report: only what changed comes back. */
export interface HiddenAfterTransition {
  id: number;
  status: ReportStatus;
  serviceCode: string;
  visible: false;
}

export interface TransitionInput {
  action: ReportAction;
  comment?: string;
  service?: string;
  duplicateOf?: number;
  /** 1–5, when the commune closes the report. */
  satisfaction?: number;
}

/** List filters, as in the URL and the API query. */
export interface ReportFilters {
  status?: string;
  category?: string;
  qpv?: string;
  /** INSEE code (the API's `commune=`). */
  commune?: string;
  /** Service code (the API's `service=`). */
  service?: string;
  overdue?: boolean;
}

export const fetchNearby = (category: string, lon: number, lat: number, signal?: AbortSignal) =>
  request<NearbyAnswer>(`/api/reports/nearby?${new URLSearchParams({ category, lon: String(lon), lat: String(lat) })}`, signal ? { signal } : {});

/** Files a report; `idempotencyKey` is reused on retry so a repeated submission creates one report. */
export function createReport(draft: ReportDraft, idempotencyKey: string): Promise<CreatedReport> {
  const { photo, ...fields } = draft;
  const headers = { 'Idempotency-Key': idempotencyKey };
  if (!photo) return request<CreatedReport>('/api/reports', { body: fields, headers });
  const form = new FormData();
  form.set('category', fields.category);
  form.set('description', fields.description);
  form.set('lon', String(fields.lon));
  form.set('lat', String(fields.lat));
  form.set('urgent', String(fields.urgent));
  form.set('urgencyCriterion', fields.urgencyCriterion ?? '');
  form.set('photo', photo, photo.name);
  return request<CreatedReport>('/api/reports', { body: form, headers });
}

export const followReport = (id: number) => request<ReportDetails>(`/api/reports/${id}/follow`, { method: 'POST' });

export const fetchReport = (id: number, signal?: AbortSignal) => request<ReportDetails>(`/api/reports/${id}`, signal ? { signal } : {});

export const applyTransition = (id: number, input: TransitionInput) =>
  request<ReportDetails | HiddenAfterTransition>(`/api/reports/${id}/transitions`, { body: input });

/** The API query string for filters (plus paging or format). */
export function filtersQuery(filters: ReportFilters, extra: Record<string, string | number> = {}): URLSearchParams {
  const q = new URLSearchParams();
  if (filters.status) q.set('status', filters.status);
  if (filters.category) q.set('category', filters.category);
  if (filters.qpv) q.set('qpv', filters.qpv);
  if (filters.commune) q.set('commune', filters.commune);
  if (filters.service) q.set('service', filters.service);
  if (filters.overdue) q.set('overdue', 'true');
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  return q;
}

/** CSV export of every report matching the filters (the API caps a list at 5 000 rows). */
export const csvUrl = (filters: ReportFilters): string => `/api/reports?${filtersQuery(filters, { format: 'csv', limit: 5000 })}`;

export const listReports = (filters: ReportFilters, limit: number, offset: number, signal?: AbortSignal, sort: ReportSort = 'newest') =>
  request<{ total: number; reports: ReportRow[] }>(`/api/reports?${filtersQuery(filters, { limit, offset, sort })}`, signal ? { signal } : {});

/** The API's order for the list's: newest first (`desc`), oldest first (`asc`), or the work list's `priority`. */
const SORTS = { desc: 'newest', asc: 'oldest', priority: 'priority' } as const satisfies Record<string, ReportSort>;

/** A page of reports in the list's order (sorted by the server). */
export function listReportsSorted(
  filters: ReportFilters,
  page: { limit: number; offset: number; order: keyof typeof SORTS },
  signal?: AbortSignal,
): Promise<{ total: number; reports: ReportRow[] }> {
  return listReports(filters, page.limit, page.offset, signal, SORTS[page.order]);
}

/** The caller's counts for the same filters: in all, open, overdue, per status. */
export const fetchReportCounts = (filters: ReportFilters, signal?: AbortSignal) =>
  request<ReportCounts>(`/api/reports/counts?${filtersQuery(filters)}`, signal ? { signal } : {});

/** The reports the user may see inside a box (west, south, east, north), the most urgent to deal with first. */
export const listReportsInBox = (bbox: [number, number, number, number], limit: number, signal?: AbortSignal) =>
  request<{ total: number; reports: ReportRow[] }>(`/api/reports?${new URLSearchParams({ bbox: bbox.join(','), limit: String(limit), sort: 'priority' })}`, signal ? { signal } : {});

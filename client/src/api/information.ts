/** Directory, information to the communes and sub-sector conventions (DESIGN 3.7, 3.8, 4). */
import type { MultiPolygon, Polygon } from 'geojson';
import type { BroadcastKind, BroadcastSeverity, ConventionInput, ConventionStatus, Obligation } from '@gup/server/domain';

export type { ConventionInput };
import { request, type RequestOptions } from './http';
import type { BroadcastView, ConventionView, DirectoryAnswer } from './types';

export interface DirectoryQuery {
  q?: string;
  theme?: string;
  commune?: string;
  lon?: number;
  lat?: number;
}

export function fetchDirectory(query: DirectoryQuery, signal?: AbortSignal): Promise<DirectoryAnswer> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  return request<DirectoryAnswer>(`/api/directory?${params}`, signal ? { signal } : {});
}

export const fetchBroadcasts = (active: boolean, opts: Pick<RequestOptions, 'allow401'> = {}) =>
  request<{ broadcasts: BroadcastView[] }>(`/api/broadcasts?active=${active}`, opts).then((r) => r.broadcasts);

export interface NewBroadcast {
  kind: BroadcastKind;
  severity: BroadcastSeverity;
  title: string;
  text: string;
  area: { communes: string[] } | { qpv: string[] } | { geometry: Polygon | MultiPolygon };
  validTo: string;
}

export const issueBroadcast = (b: NewBroadcast) => request<{ broadcast: BroadcastView }>('/api/broadcasts', { body: b }).then((r) => r.broadcast);

export const acknowledgeBroadcast = (id: number) =>
  request<{ broadcast: BroadcastView }>(`/api/broadcasts/${id}/ack`, { method: 'POST' }).then((r) => r.broadcast);

export const fetchConvention = (subsectorId: number) =>
  request<{ convention: ConventionView | null }>(`/api/subsectors/${subsectorId}/convention`).then((r) => r.convention);

export const saveConvention = (subsectorId: number, c: ConventionInput) =>
  request<{ convention: ConventionView }>(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', body: c }).then((r) => r.convention);

/** Uploads the convention's signed PDF as the request body (`PUT …/convention/document?name=`). */
export const uploadConventionDocument = (subsectorId: number, file: File) =>
  request<{ convention: ConventionView }>(`/api/subsectors/${subsectorId}/convention/document?name=${encodeURIComponent(file.name)}`, {
    method: 'PUT',
    body: file,
    headers: { 'content-type': 'application/pdf' },
  }).then((r) => r.convention);

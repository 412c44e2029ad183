/** Walking diagnoses and the action plan (DESIGN 3.6, §4): shapes of the answers and one function per endpoint. */
import type { Geometry } from 'geojson';
import type {
  ActionOrigin, ActionRow, ActionStatus, DiagnosticRow, DiagnosticStatus, ObservationGrid, ObservationInput, ObservationRow, Participant, TriageTarget,
} from '@gup/server/domain';
import { request } from './http';

export type Diagnostic = DiagnosticRow;
export type Observation = ObservationRow;
export type ActionItem = ActionRow;
export type { ObservationInput, Participant };

export interface DiagnosticDetails extends Diagnostic {
  organiser: boolean;
  observations: Observation[];
  nearIdentical: number[][];
  previous: (Observation & { sessionTitle: string; sessionDate: string })[];
  grid: ObservationGrid;
}

export interface DiagnosticInput {
  title: string;
  commune: string;
  qpv?: string | null;
  heldOn: string;
  slot?: string | null;
  geometry: Geometry;
  participants?: Participant[];
}



export const listDiagnostics = () => request<{ diagnostics: Diagnostic[] }>('/api/diagnostics').then((r) => r.diagnostics);
export const fetchDiagnostic = (id: number) => request<DiagnosticDetails>(`/api/diagnostics/${id}`);
export const createDiagnostic = (body: DiagnosticInput) => request<Diagnostic>('/api/diagnostics', { body });
export const updateDiagnostic = (id: number, body: Partial<Omit<DiagnosticInput, 'commune'>> & { status?: DiagnosticStatus; decisions?: string | null }) =>
  request<Diagnostic>(`/api/diagnostics/${id}`, { method: 'PUT', body });
export const postObservation = (id: number, body: ObservationInput) => request<Observation>(`/api/diagnostics/${id}/observations`, { body });
export function postObservationPhoto(id: number, observationUuid: string, photoUuid: string, photo: Blob) {
  const form = new FormData();
  form.set('uuid', photoUuid);
  form.set('photo', photo, 'photo.jpg');
  return request<{ created: boolean }>(`/api/diagnostics/${id}/observations/${observationUuid}/photos`, { body: form });
}
export const triage = (id: number, oid: number, body: { to: TriageTarget; reason?: string; category?: string; dueOn?: string | null }) =>
  request<{ observation: Observation; merged: number[]; report?: { id: number; reference: string; routing: { service: { name: string } } }; actionId?: number }>(
    `/api/diagnostics/${id}/observations/${oid}/triage`, { body },
  );
export const observationsAround = (bbox: [number, number, number, number]) =>
  request<{ observations: (Observation & { sessionTitle: string; sessionDate: string })[] }>(`/api/diagnostics/observations?bbox=${bbox.join(',')}`).then((r) => r.observations);
export const minutesUrl = (id: number) => `/api/diagnostics/${id}/minutes.pdf`;
export const photoUrl = (id: number, oid: number, pid: number, thumbnail = true) => `/api/diagnostics/${id}/observations/${oid}/photos/${pid}${thumbnail ? '?thumbnail=1' : ''}`;

/** One page of the action plan under the filters, and how many items there are in all. */
export const listActions = (filters: Record<string, string>, page: { limit: number; offset: number }, signal?: AbortSignal) =>
  request<{ actions: ActionItem[]; total: number }>(`/api/actions?${new URLSearchParams({ ...filters, limit: String(page.limit), offset: String(page.offset) })}`, signal ? { signal } : {});
export const actionsCsvUrl = (filters: Record<string, string> = {}) => `/api/actions?${new URLSearchParams({ ...filters, format: 'csv' })}`;
export const createAction = (body: { title: string; commune: string; origin: ActionOrigin; qpv?: string | null; ownerService?: string | null; dueOn?: string | null }) =>
  request<ActionItem>('/api/actions', { body });
export const updateAction = (id: number, body: { status?: ActionStatus; evidence?: string | null; dueOn?: string | null; ownerService?: string | null }) =>
  request<ActionItem>(`/api/actions/${id}`, { method: 'PUT', body });

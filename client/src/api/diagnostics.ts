/** Walking diagnoses and the action plan (DESIGN 3.6, §4): shapes of the answers and one function per endpoint. */
import type { Geometry } from 'geojson';
import type {
  ActionOrigin, ActionStatus, DiagnosticStatus, ObservationGrid, ObservationKind, ObservationOutcome, Severity, TriageTarget,
} from '@gup/server/domain';
import { request } from './http';

export interface Participant { name: string; organisation?: string | null; kind: string }

export interface Diagnostic {
  id: number;
  title: string;
  communeInsee: string;
  communeName: string;
  qpvCode: string | null;
  qpvName: string | null;
  heldOn: string;
  slot: string | null;
  geometry: Geometry;
  bbox: [number, number, number, number];
  participants: Participant[];
  status: DiagnosticStatus;
  decisions: string | null;
  observationCount: number;
  pendingCount: number;
}

export interface Observation {
  id: number;
  diagnosticId: number;
  uuid: string;
  lon: number;
  lat: number;
  criterion: string;
  kind: ObservationKind;
  severity: Severity | null;
  text: string;
  authorName: string;
  capturedAt: string;
  suggestion: { service: { code: string; name: string }; reason: string } | null;
  outcome: ObservationOutcome;
  outcomeReason: string | null;
  reportId: number | null;
  reportReference: string | null;
  actionId: number | null;
  mergedInto: number | null;
  photos: { id: number; uuid: string }[];
}

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

export interface ObservationInput {
  uuid: string;
  lon: number;
  lat: number;
  criterion: string;
  kind: ObservationKind;
  severity?: Severity | null;
  text?: string;
  capturedAt?: string;
}

export interface ActionItem {
  id: number;
  title: string;
  description: string | null;
  communeInsee: string;
  communeName: string;
  qpvCode: string | null;
  qpvName: string | null;
  origin: ActionOrigin;
  diagnosticId: number | null;
  diagnosticTitle: string | null;
  ownerService: string | null;
  ownerServiceName: string | null;
  ownerOrganisation: string | null;
  ownerOrganisationName: string | null;
  dueOn: string | null;
  status: ActionStatus;
  evidence: string | null;
  overdue: boolean;
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
export const minutesUrl = (id: number) => `/api/diagnostics/${id}/minutes.pdf`;
export const photoUrl = (id: number, oid: number, pid: number, thumbnail = true) => `/api/diagnostics/${id}/observations/${oid}/photos/${pid}${thumbnail ? '?thumbnail=1' : ''}`;

export const listActions = (filters: Record<string, string> = {}) =>
  request<{ actions: ActionItem[] }>(`/api/actions?${new URLSearchParams(filters)}`).then((r) => r.actions);
export const actionsCsvUrl = (filters: Record<string, string> = {}) => `/api/actions?${new URLSearchParams({ ...filters, format: 'csv' })}`;
export const createAction = (body: { title: string; commune: string; origin: ActionOrigin; qpv?: string | null; ownerService?: string | null; dueOn?: string | null }) =>
  request<ActionItem>('/api/actions', { body });
export const updateAction = (id: number, body: { status?: ActionStatus; evidence?: string | null; dueOn?: string | null; ownerService?: string | null }) =>
  request<ActionItem>(`/api/actions/${id}`, { method: 'PUT', body });

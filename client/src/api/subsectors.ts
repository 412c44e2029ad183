/**
 * Sub-sector endpoints (DESIGN 4) and their shapes. GeoJSON in and out; errors come back as ApiError
 * (409 `overlap` with `details.overlapping`, 422 `invalid_geometry` with `details.reason` / `details.location`).
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type { DelegationResult, LandCommune, LandFace, LandParcel, OverlapKind, Share } from '@gup/server/domain';
import { request } from './http';
import type { BBox } from './types';

export type Perimeter = Polygon | MultiPolygon;
export type Outcome = 'delegated' | 'shared';

/** What a planner types about a sub-sector. */
export interface SubsectorText {
  name: string;
  description?: string | null;
  procedureNotes?: string | null;
}

/** Properties of a sub-sector as the API answers them (current state or one version). */
export interface SubsectorProperties {
  id: number;
  name: string;
  description: string | null;
  procedureNotes: string | null;
  status: 'active' | 'archived';
  outcome: Outcome;
  delegate: { code: string; name: string } | null;
  threshold: number;
  borderline: boolean;
  shares: Share[];
  version: number;
  createdAt: string;
  updatedAt?: string;
}

/** One entry of `GET /api/subsectors/:id/versions`. */
export interface VersionProperties extends SubsectorProperties {
  change: 'created' | 'edited' | 'recomputed' | 'archived';
  overlapAllowed: boolean;
  authorId: number | null;
  authorName: string | null;
}

export type SubsectorFeature = Feature<MultiPolygon, SubsectorProperties> & { id: number };
export type VersionFeature = Feature<MultiPolygon, VersionProperties>;

/** An outcome flip after a re-import (`GET /api/subsectors/changes`). */
export interface OutcomeChange {
  id: number;
  name: string;
  version: number;
  at: string;
  from: { outcome: Outcome; delegate: string | null };
  to: { outcome: Outcome; delegate: string | null };
}

/** Land around a drawing, for the live preview in the browser. */
export interface LandAnswer {
  threshold: number;
  parcels: LandParcel[];
  faces: LandFace[];
  communes: LandCommune[];
}

/** One group of parcels sharing land (GET /api/subsectors/overlaps): geometry = the land covered more than once. */
export interface OverlapGroupFeature {
  type: 'Feature';
  id: string;
  geometry: Perimeter | null;
  properties: {
    id: string;
    kinds: OverlapKind[];
    sharedM2: number;
    /** The parcels count for different actors of the 60 % rule. */
    ownersDiffer: boolean;
    parcels: { idu: string; owners: { name: string; kind: string; organisationCode: string | null }[] }[];
  };
}

/** A page of the data-quality list of one commune. */
export interface OverlapReport {
  type: 'FeatureCollection';
  commune: string;
  total: number;
  page: number;
  limit: number;
  features: OverlapGroupFeature[];
}

/** `details` of a 409 `overlap`. */
export interface OverlapDetails {
  overlapping: { id: number; name: string; m2: number }[];
}

/** `details` of a 422 `invalid_geometry`. */
export interface GeometryErrorDetails {
  field?: string;
  reason?: string;
  location?: Position | null;
}

const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

export const fetchLand = (bbox: BBox, signal?: AbortSignal) =>
  request<LandAnswer>(`/api/subsectors/land?${new URLSearchParams({ bbox: bbox.map((n) => n.toFixed(6)).join(',') })}`, opts(signal));

export const previewOnServer = (geometry: Perimeter, signal?: AbortSignal) =>
  request<DelegationResult>('/api/subsectors/preview', { body: { geometry }, ...opts(signal) });

export const fetchOverlaps = (commune: string, page: number, signal?: AbortSignal) =>
  request<OverlapReport>(`/api/subsectors/overlaps?${new URLSearchParams({ commune, page: String(page), limit: '20' })}`, opts(signal));

export const listSubsectors = (status: 'active' | 'archived' | 'all' = 'active') =>
  request<FeatureCollection<MultiPolygon, SubsectorProperties>>(`/api/subsectors?status=${status}`).then((fc) => fc.features as SubsectorFeature[]);

/** The raw collection, as exchanged with other GIS software (export). */
export const exportSubsectors = () => request<FeatureCollection>('/api/subsectors');

export const fetchSubsector = (id: number) => request<SubsectorFeature>(`/api/subsectors/${id}`);

export const fetchVersions = (id: number) =>
  request<FeatureCollection<MultiPolygon, VersionProperties>>(`/api/subsectors/${id}/versions`).then((fc) => fc.features);

export const fetchChanges = () => request<{ changes: OutcomeChange[] }>('/api/subsectors/changes').then((r) => r.changes);

export const createSubsector = (geometry: Perimeter, text: SubsectorText, allowOverlap = false) =>
  request<SubsectorFeature>('/api/subsectors', { body: { type: 'Feature', geometry, properties: { ...text, allowOverlap } } });

export const updateSubsector = (id: number, geometry: Perimeter | undefined, text: Partial<SubsectorText>, allowOverlap = false) =>
  request<SubsectorFeature>(`/api/subsectors/${id}`, {
    method: 'PUT',
    body: { type: 'Feature', ...(geometry ? { geometry } : {}), properties: { ...text, allowOverlap } },
  });

export const archiveSubsector = (id: number) => request<void>(`/api/subsectors/${id}`, { method: 'DELETE' });

/** Imports a FeatureCollection (all or nothing on the server). */
export const importSubsectors = (collection: FeatureCollection) =>
  request<FeatureCollection<MultiPolygon, SubsectorProperties>>('/api/subsectors', { body: collection });

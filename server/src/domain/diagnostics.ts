/**
 * Walking diagnosis (diagnostic en marchant) and action plan, DESIGN 3.6: the observation grid, the vocabularies of a
 * session and of an observation, which observations are near-identical, which criteria stay off shared maps, and when
 * an action-plan item is overdue. Pure code, shared by the server and the client.
 */
import type { Geometry, MultiPolygon, Polygon } from 'geojson';
import turfBbox from '@turf/bbox';
import { checkPerimeter, GEOMETRY_REASONS, inFrance } from './geometry.js';

/**
 * The territory's observation grid (themes → criteria), the optional key `observationGrid` of the configuration
 * (validated by `observationGridSchema` in `./territory.ts`). A criterion may name the report `category` an observation
 * of it becomes at triage (its theme gives the routing, DESIGN 3.1), and `confidential: true` keeps its observations off
 * every shared map and listing (e.g. tranquillité).
 */
export type ObservationGrid = {
  code: string;
  name: string;
  criteria: { code: string; name: string; category?: string | undefined; confidential: boolean }[];
}[];
export type GridCriterion = ObservationGrid[number]['criteria'][number] & { theme: string; themeName: string };

/**
 * The grid's criteria by code, each with its theme.
 * @example criteriaOf([{ code: 'proprete', name: 'Propreté', criteria: [{ code: 'dechets_sol', name: 'Déchets au sol', confidential: false }] }]).get('dechets_sol')?.theme // 'proprete'
 */
export function criteriaOf(grid: ObservationGrid): Map<string, GridCriterion> {
  const out = new Map<string, GridCriterion>();
  for (const theme of grid) for (const c of theme.criteria) out.set(c.code, { ...c, theme: theme.code, themeName: theme.name });
  return out;
}

/** Whether an observation of this criterion may appear on a shared map or listing (minutes, other sessions). */
export const isShareable = (criterion: Pick<GridCriterion, 'confidential'> | undefined): boolean => !criterion?.confidential;

export const DIAGNOSTIC_STATUSES = ['planned', 'in_progress', 'triage', 'closed'] as const;
export type DiagnosticStatus = (typeof DIAGNOSTIC_STATUSES)[number];
export const DIAGNOSTIC_STATUS_LABELS: Record<DiagnosticStatus, string> = {
  planned: 'Programmé', in_progress: 'En cours', triage: 'En analyse', closed: 'Clos',
};

/**
 * A session moves forward only (planned → in progress → triage → closed), possibly skipping steps; staying put is fine.
 * @example canMoveDiagnostic('triage', 'in_progress') // false
 */
export function canMoveDiagnostic(from: DiagnosticStatus, to: DiagnosticStatus): boolean {
  return DIAGNOSTIC_STATUSES.indexOf(to) >= DIAGNOSTIC_STATUSES.indexOf(from);
}

/** Observations are captured while the session is planned or in progress (a late sync of a walk still lands). */
export const acceptsObservations = (status: DiagnosticStatus): boolean => status === 'planned' || status === 'in_progress' || status === 'triage';

export const PARTICIPANT_KINDS = ['habitant', 'bailleur', 'service', 'elu', 'association'] as const;
export const PARTICIPANT_KIND_LABELS: Record<(typeof PARTICIPANT_KINDS)[number], string> = {
  habitant: 'Habitant', bailleur: 'Bailleur', service: 'Service', elu: 'Élu', association: 'Association',
};
export const OBSERVATION_KINDS = ['dysfunction', 'positive', 'proposal'] as const;
export type ObservationKind = (typeof OBSERVATION_KINDS)[number];
export const OBSERVATION_KIND_LABELS: Record<ObservationKind, string> = { dysfunction: 'Dysfonctionnement', positive: 'Point positif', proposal: 'Proposition' };
export const SEVERITIES = ['urgent', 'to_schedule', 'to_monitor'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_LABELS: Record<Severity, string> = { urgent: 'Urgent', to_schedule: 'À programmer', to_monitor: 'À surveiller' };

export const OBSERVATION_OUTCOMES = ['pending', 'report', 'action', 'dismissed', 'merged'] as const;
export type ObservationOutcome = (typeof OBSERVATION_OUTCOMES)[number];
export const OUTCOME_LABELS: Record<ObservationOutcome, string> = {
  pending: 'À trier', report: 'Signalement', action: 'Plan d\'actions', dismissed: 'Écartée', merged: 'Fusionnée',
};
export const TRIAGE_TARGETS = ['report', 'action', 'dismiss'] as const;
export type TriageTarget = (typeof TRIAGE_TARGETS)[number];

/** Near-identical observations: same criterion within this distance (metres). */
export const NEAR_IDENTICAL_METRES = 15;

/**
 * Great-circle distance in metres (spherical Earth, R = 6 371 008.8 m): exact enough at a few metres.
 * @example Math.round(distanceMetres([2.3522, 48.8566], [2.3522, 48.8567])) // 11
 */
export function distanceMetres(a: readonly [number, number], b: readonly [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface PlacedObservation {
  id: number;
  criterion: string;
  lon: number;
  lat: number;
}

/**
 * The observations near-identical to `target` (same criterion, within `metres`), itself excluded. Two participants
 * pinning the same overflowing bin are one finding: triage merges them into one outcome.
 * @example nearIdentical({ id: 1, criterion: 'x', lon: 2.35, lat: 48.7 }, [{ id: 2, criterion: 'x', lon: 2.35005, lat: 48.7 }]).map((o) => o.id) // [2]
 */
export function nearIdentical<T extends PlacedObservation>(target: PlacedObservation, others: readonly T[], metres = NEAR_IDENTICAL_METRES): T[] {
  return others.filter((o) => o.id !== target.id && o.criterion === target.criterion && distanceMetres([o.lon, o.lat], [target.lon, target.lat]) <= metres);
}

/**
 * Groups of near-identical observations (connected by the rule above), each group of two or more, by first id.
 * @example nearIdenticalGroups([{ id: 1, criterion: 'x', lon: 2.35, lat: 48.7 }, { id: 2, criterion: 'x', lon: 2.35001, lat: 48.7 }, { id: 3, criterion: 'y', lon: 2.35, lat: 48.7 }]) // [[1, 2]]
 */
export function nearIdenticalGroups(observations: readonly PlacedObservation[], metres = NEAR_IDENTICAL_METRES): number[][] {
  const seen = new Set<number>();
  const groups: number[][] = [];
  for (const o of observations) {
    if (seen.has(o.id)) continue;
    const group = [o];
    seen.add(o.id);
    for (let i = 0; i < group.length; i++) {
      for (const n of nearIdentical(group[i]!, observations, metres)) if (!seen.has(n.id)) { seen.add(n.id); group.push(n); }
    }
    if (group.length > 1) groups.push(group.map((g) => g.id).sort((a, b) => a - b));
  }
  return groups;
}

export const ACTION_STATUSES = ['planned', 'in_progress', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = { planned: 'Programmée', in_progress: 'En cours', done: 'Réalisée', dropped: 'Abandonnée' };
export const ACTION_ORIGINS = ['diagnosis', 'committee', 'report'] as const;
export type ActionOrigin = (typeof ACTION_ORIGINS)[number];
export const ACTION_ORIGIN_LABELS: Record<ActionOrigin, string> = { diagnosis: 'Diagnostic en marchant', committee: 'Comité', report: 'Signalement' };
/** Statuses of an action still to be done (the others are finished). */
export const OPEN_ACTION_STATUSES: readonly ActionStatus[] = ['planned', 'in_progress'];

/**
 * An action-plan item is overdue once its due date (a calendar day, Paris time) has passed while it is still open.
 * @example isActionOverdue('planned', '2026-01-10', '2026-01-11') // true
 * @example isActionOverdue('done', '2026-01-10', '2026-01-11') // false
 */
export function isActionOverdue(status: ActionStatus, dueOn: string | null, today: string): boolean {
  return !!dueOn && OPEN_ACTION_STATUSES.includes(status) && dueOn < today;
}

/** Today in Paris as YYYY-MM-DD (the calendar of due dates). */
export function parisToday(at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export type SessionGeometryCheck =
  | { valid: true; geometry: { type: 'LineString'; coordinates: [number, number][] } | Polygon | MultiPolygon }
  | { valid: false; reason: string; message: string };

/** Most positions of a route (a walk of a few kilometres drawn or recorded). */
export const MAX_ROUTE_POSITIONS = 5_000;

/**
 * A session's route (LineString, at least two positions in France) or area (a valid perimeter, `checkPerimeter`), at most
 * MAX_SESSION_SPAN_M across.
 * @example checkSessionGeometry({ type: 'LineString', coordinates: [[2.36, 48.70]] }).valid // false
 */
export function checkSessionGeometry(input: unknown): SessionGeometryCheck {
  const shape = checkSessionShape(input);
  if (!shape.valid) return shape;
  const [w, s, e, n] = turfBbox(shape.geometry);
  const widthM = (e - w) * METRES_PER_DEGREE * Math.cos((((s + n) / 2) * Math.PI) / 180);
  const heightM = (n - s) * METRES_PER_DEGREE;
  if (Math.max(widthM, heightM) > MAX_SESSION_SPAN_M) {
    return { valid: false, reason: SESSION_TOO_LARGE, message: `Parcours ou zone trop étendu : ${MAX_SESSION_SPAN_M / 1000} km de côté au plus (${Math.round(Math.max(widthM, heightM) / 100) / 10} km)` };
  }
  return shape;
}

/** A walk's extent, at most, east–west and north–south (metres): the field map is prepared offline over it (its tiles). */
export const MAX_SESSION_SPAN_M = 5_000;
/** Reason of a route or area beyond MAX_SESSION_SPAN_M. */
export const SESSION_TOO_LARGE = 'too_large';
const METRES_PER_DEGREE = 111_320;

function checkSessionShape(input: unknown): SessionGeometryCheck {
  const g = input as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object' || g.type !== 'LineString') {
    const area = checkPerimeter(input);
    if (area.valid) return { valid: true, geometry: area.geometry };
    return { valid: false, reason: area.reason, message: g?.type === 'Polygon' || g?.type === 'MultiPolygon' ? area.message : 'Un parcours (LineString) ou une zone (Polygon, MultiPolygon) GeoJSON est attendu' };
  }
  const positions = g.coordinates;
  if (!Array.isArray(positions) || positions.length < 2) return { valid: false, reason: GEOMETRY_REASONS.tooFewPoints, message: 'Un parcours a au moins deux points' };
  if (positions.length > MAX_ROUTE_POSITIONS) return { valid: false, reason: GEOMETRY_REASONS.tooManyVertices, message: `Trop de points (plus de ${MAX_ROUTE_POSITIONS})` };
  for (const p of positions) {
    if (!Array.isArray(p) || p.length < 2 || !p.every((x) => typeof x === 'number' && Number.isFinite(x))) return { valid: false, reason: GEOMETRY_REASONS.badCoordinate, message: 'Coordonnée invalide dans le parcours' };
    if (!inFrance(p[0], p[1])) {
      return inFrance(p[1], p[0])
        ? { valid: false, reason: GEOMETRY_REASONS.swappedCoordinates, message: 'Coordonnées inversées : [longitude, latitude] attendu' }
        : { valid: false, reason: GEOMETRY_REASONS.outsideFrance, message: 'Point du parcours hors de France' };
    }
  }
  return { valid: true, geometry: { type: 'LineString', coordinates: positions.map((p: number[]) => [p[0]!, p[1]!]) } };
}

// ---- shapes of the API's answers (the data layer returns them, the client reads them: declared once) ----------------

/** A participant of a session. */
export interface Participant {
  name: string;
  organisation?: string | null | undefined;
  kind: string;
}

/** A session as listed and read. */
export interface DiagnosticRow {
  id: number;
  title: string;
  communeInsee: string;
  communeName: string;
  qpvCode: string | null;
  qpvName: string | null;
  subsectorId: number | null;
  heldOn: string;
  slot: string | null;
  geometry: Geometry;
  bbox: [number, number, number, number];
  participants: Participant[];
  status: DiagnosticStatus;
  decisions: string | null;
  createdBy: number;
  createdAt: string;
  updatedAt: string;
  observationCount: number;
  pendingCount: number;
}

/** An observation as read (with its photos' ids, its outcome and the report it became). */
export interface ObservationRow {
  id: number;
  diagnosticId: number;
  uuid: string;
  lon: number;
  lat: number;
  criterion: string;
  kind: ObservationKind;
  severity: Severity | null;
  text: string;
  authorId: number;
  authorName: string;
  capturedAt: string;
  receivedAt: string;
  suggestion: { service: { code: string; name: string }; reason: string } | null;
  outcome: ObservationOutcome;
  outcomeReason: string | null;
  reportId: number | null;
  reportReference: string | null;
  actionId: number | null;
  mergedInto: number | null;
  photos: { id: number; uuid: string }[];
}

/** An action-plan item as listed. */
export interface ActionRow {
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
  observationId: number | null;
  reportId: number | null;
  ownerOrganisation: string | null;
  ownerOrganisationName: string | null;
  ownerService: string | null;
  ownerServiceName: string | null;
  dueOn: string | null;
  status: ActionStatus;
  evidence: string | null;
  createdAt: string;
  updatedAt: string;
  overdue: boolean;
}

/** An observation as the device sends it (sync is idempotent by `uuid`, made on the device). */
export interface ObservationInput {
  uuid: string;
  lon: number;
  lat: number;
  criterion: string;
  kind: ObservationKind;
  severity?: Severity | null | undefined;
  text?: string | undefined;
  capturedAt?: string | undefined;
}

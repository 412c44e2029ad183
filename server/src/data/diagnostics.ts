/**
 * Walking-diagnosis sessions, observations and their photos (DESIGN 3.6): per-entity queries, values bound, GeoJSON
 * built by PostGIS. Who reaches a session is the caller's `DiagnosticScope`, through `diagnosticPredicate`.
 */
import type { Knex } from 'knex';
import type { Geometry } from 'geojson';
import type { DiagnosticScope } from '../domain/access.js';
import type { DiagnosticRow, DiagnosticStatus, ObservationInput, ObservationOutcome, ObservationRow, Participant, Severity } from '../domain/diagnostics.js';
import { diagnosticPredicate } from './access.js';

export type { DiagnosticRow, ObservationRow, Participant };

type Db = Knex | Knex.Transaction;



const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const SELECT = `SELECT d.id, d.title, d.commune_insee AS "communeInsee", m.name AS "communeName", d.qpv_code AS "qpvCode", q.name AS "qpvName",
  d.subsector_id AS "subsectorId", to_char(d.held_on, 'YYYY-MM-DD') AS "heldOn", d.slot, ST_AsGeoJSON(d.geom, 7)::json AS geometry,
  json_build_array(ST_XMin(d.geom), ST_YMin(d.geom), ST_XMax(d.geom), ST_YMax(d.geom)) AS bbox,
  d.participants, d.status, d.decisions, d.created_by AS "createdBy", d.created_at AS "createdAt", d.updated_at AS "updatedAt",
  (SELECT count(*)::int FROM diagnostic_observations o WHERE o.diagnostic_id = d.id) AS "observationCount",
  (SELECT count(*)::int FROM diagnostic_observations o WHERE o.diagnostic_id = d.id AND o.outcome = 'pending') AS "pendingCount"
  FROM diagnostics d
  JOIN communes m ON m.insee = d.commune_insee
  LEFT JOIN qpv q ON q.code = d.qpv_code`;

const toRow = (r: any): DiagnosticRow => ({ ...r, geometry: json(r.geometry), bbox: json(r.bbox), participants: json(r.participants) });

/** The sessions in a scope, newest first, optionally of one commune or status. */
export async function listDiagnostics(db: Db, scope: DiagnosticScope, f: { commune?: string | undefined; status?: DiagnosticStatus | undefined }): Promise<DiagnosticRow[]> {
  const where = diagnosticPredicate(scope, 'd');
  const sql = [where.sql];
  const b: Knex.Value[] = [...where.bindings];
  if (f.commune) { sql.push('d.commune_insee = ?'); b.push(f.commune); }
  if (f.status) { sql.push('d.status = ?'); b.push(f.status); }
  const { rows } = await db.raw(`${SELECT} WHERE ${sql.join(' AND ')} ORDER BY d.held_on DESC, d.id DESC LIMIT 500`, b);
  return rows.map(toRow);
}

export async function findDiagnostic(db: Db, id: number): Promise<DiagnosticRow | null> {
  const { rows } = await db.raw(`${SELECT} WHERE d.id = ?`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

export interface DiagnosticFields {
  title: string;
  communeInsee: string;
  qpvCode: string | null;
  subsectorId: number | null;
  heldOn: string;
  slot: string | null;
  geometry: Geometry;
  participants: Participant[];
  status: DiagnosticStatus;
  decisions: string | null;
}

const columns = (f: Partial<DiagnosticFields>, st: (g: Geometry) => Knex.Raw) => {
  const out: Record<string, unknown> = {};
  if (f.title !== undefined) out.title = f.title;
  if (f.communeInsee !== undefined) out.commune_insee = f.communeInsee;
  if (f.qpvCode !== undefined) out.qpv_code = f.qpvCode;
  if (f.subsectorId !== undefined) out.subsector_id = f.subsectorId;
  if (f.heldOn !== undefined) out.held_on = f.heldOn;
  if (f.slot !== undefined) out.slot = f.slot;
  if (f.geometry !== undefined) out.geom = st(f.geometry);
  if (f.participants !== undefined) out.participants = JSON.stringify(f.participants);
  if (f.status !== undefined) out.status = f.status;
  if (f.decisions !== undefined) out.decisions = f.decisions;
  return out;
};
const geomOf = (db: Db) => (g: Geometry) => db.raw('ST_SetSRID(ST_GeomFromGeoJSON(?), 4326)', [JSON.stringify(g)]);

export async function insertDiagnostic(db: Db, f: DiagnosticFields, createdBy: number): Promise<number> {
  const [row] = await db('diagnostics').insert({ ...columns(f, geomOf(db)), created_by: createdBy }).returning('id');
  return row.id as number;
}

/** Updates the given fields; `expectedStatus` guards against a concurrent change of status (false: nothing written). */
export async function updateDiagnostic(db: Db, id: number, f: Partial<DiagnosticFields>, expectedStatus: DiagnosticStatus): Promise<boolean> {
  const n = await db('diagnostics').where({ id, status: expectedStatus }).update({ ...columns(f, geomOf(db)), updated_at: db.fn.now() });
  return n === 1;
}

/** Whether a QPV or an active sub-sector exists (a session may name one). */
export async function qpvExists(db: Db, code: string): Promise<boolean> {
  return !!(await db('qpv').where({ code }).first('code'));
}
export async function subsectorExists(db: Db, id: number): Promise<boolean> {
  return !!(await db('subsectors').where({ id }).first('id'));
}

/** Whether a GeoJSON geometry (text) shares at least a point with a commune's outline. */
export async function meetsCommune(db: Db, geojson: string, insee: string): Promise<boolean> {
  const { rows } = await db.raw('SELECT EXISTS (SELECT 1 FROM communes WHERE insee = ? AND ST_Intersects(geom, ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))) AS meets', [insee, geojson]);
  return (rows[0] as { meets: boolean }).meets;
}

/** Whether a QPV shares land with a commune (a shared edge does not count). */
export async function qpvInCommune(db: Db, code: string, insee: string): Promise<boolean> {
  const { rows } = await db.raw('SELECT EXISTS (SELECT 1 FROM qpv q JOIN communes c ON c.insee = ? AND ST_Intersects(q.geom, c.geom) AND NOT ST_Touches(q.geom, c.geom) WHERE q.code = ?) AS meets', [insee, code]);
  return (rows[0] as { meets: boolean }).meets;
}


/** The observation columns, with optional extra columns and joins (the session of a previous observation). */
const observationSelect = (extraColumns = '', extraJoins = '') => `SELECT o.id, o.diagnostic_id AS "diagnosticId", o.uuid::text AS uuid, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.criterion, o.kind,
  o.severity, o.text, o.author_id AS "authorId", u.name AS "authorName", o.captured_at AS "capturedAt", o.received_at AS "receivedAt",
  o.suggestion, o.outcome, o.outcome_reason AS "outcomeReason", o.report_id AS "reportId", r.reference AS "reportReference",
  o.action_id AS "actionId", o.merged_into AS "mergedInto",
  COALESCE((SELECT json_agg(json_build_object('id', p.id, 'uuid', p.uuid::text) ORDER BY p.id) FROM diagnostic_photos p WHERE p.observation_id = o.id), '[]'::json) AS photos${extraColumns}
  FROM diagnostic_observations o
  JOIN users u ON u.id = o.author_id
  LEFT JOIN reports r ON r.id = o.report_id${extraJoins}`;
const OBSERVATION_SELECT = observationSelect();

const toObservation = (r: any): ObservationRow => ({ ...r, lon: Number(r.lon), lat: Number(r.lat), suggestion: json(r.suggestion), photos: json(r.photos) });

export async function observationsOf(db: Db, diagnosticId: number): Promise<ObservationRow[]> {
  const { rows } = await db.raw(`${OBSERVATION_SELECT} WHERE o.diagnostic_id = ? ORDER BY o.captured_at, o.id`, [diagnosticId]);
  return rows.map(toObservation);
}

export async function findObservation(db: Db, diagnosticId: number, id: number): Promise<ObservationRow | null> {
  const { rows } = await db.raw(`${OBSERVATION_SELECT} WHERE o.diagnostic_id = ? AND o.id = ?`, [diagnosticId, id]);
  return rows[0] ? toObservation(rows[0]) : null;
}

export async function findObservationByUuid(db: Db, uuid: string): Promise<ObservationRow | null> {
  const { rows } = await db.raw(`${OBSERVATION_SELECT} WHERE o.uuid = ?::uuid`, [uuid]);
  return rows[0] ? toObservation(rows[0]) : null;
}

/**
 * Observations of earlier sessions around this one (within `metres` of its route or area): what the walk re-checks
 * (recurrence, DESIGN 3.6). With the session's title and date.
 */
export async function previousObservations(db: Db, d: { id: number; heldOn: string }, metres: number): Promise<(ObservationRow & { sessionTitle: string; sessionDate: string })[]> {
  const { rows } = await db.raw(
    `${observationSelect(`, pd.title AS "sessionTitle", to_char(pd.held_on, 'YYYY-MM-DD') AS "sessionDate"`, ' JOIN diagnostics pd ON pd.id = o.diagnostic_id')}
     WHERE pd.id <> ? AND pd.held_on <= ?::date AND o.outcome <> 'merged'
       AND ST_DWithin(o.geom::geography, (SELECT geom FROM diagnostics WHERE id = ?)::geography, ?)
     ORDER BY pd.held_on DESC, o.id LIMIT 500`,
    [d.id, d.heldOn, d.id, metres],
  );
  return rows.map((r: any) => ({ ...toObservation(r), sessionTitle: r.sessionTitle, sessionDate: r.sessionDate }));
}

/** An observation to store: what the device sent, with its session, author, capture time and suggested service. */
export interface NewObservation extends Pick<ObservationInput, 'uuid' | 'lon' | 'lat' | 'criterion' | 'kind'> {
  diagnosticId: number;
  severity: Severity | null;
  text: string;
  authorId: number;
  capturedAt: Date;
  suggestion: unknown;
}

/** Inserts an observation unless its UUID exists: `null` then (the earlier sync already stored it). */
export async function insertObservation(db: Db, o: NewObservation): Promise<number | null> {
  const { rows } = await db.raw(
    `INSERT INTO diagnostic_observations (diagnostic_id, uuid, geom, criterion, kind, severity, text, author_id, captured_at, suggestion)
     VALUES (?, ?::uuid, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?, ?, ?, ?, ?, ?, ?::jsonb)
     ON CONFLICT (uuid) DO NOTHING RETURNING id`,
    [o.diagnosticId, o.uuid, o.lon, o.lat, o.criterion, o.kind, o.severity, o.text, o.authorId, o.capturedAt, o.suggestion === null ? null : JSON.stringify(o.suggestion)],
  );
  return rows[0]?.id ?? null;
}

export interface StoredPhoto { mime: string; data: Buffer; thumbnail: Buffer; width: number; height: number }

/** Stores a photo of an observation unless its UUID exists; answers whether it was new. */
export async function insertObservationPhoto(db: Db, observationId: number, uuid: string, p: StoredPhoto): Promise<{ created: boolean; observationId: number } > {
  const { rows } = await db.raw(
    `INSERT INTO diagnostic_photos (observation_id, uuid, mime, data, thumbnail, width, height) VALUES (?, ?::uuid, ?, ?, ?, ?, ?)
     ON CONFLICT (uuid) DO NOTHING RETURNING id`,
    [observationId, uuid, p.mime, p.data, p.thumbnail, p.width, p.height],
  );
  if (rows[0]) return { created: true, observationId };
  const existing = await db('diagnostic_photos').where({ uuid }).first('observation_id');
  return { created: false, observationId: existing.observation_id };
}

export async function findObservationPhoto(db: Db, observationId: number, photoId: number): Promise<StoredPhoto | null> {
  const row = await db('diagnostic_photos').where({ id: photoId, observation_id: observationId }).first('mime', 'data', 'thumbnail', 'width', 'height');
  return row ?? null;
}

export async function firstPhotoOf(db: Db, observationId: number): Promise<StoredPhoto | null> {
  const row = await db('diagnostic_photos').where({ observation_id: observationId }).orderBy('id').first('mime', 'data', 'thumbnail', 'width', 'height');
  return row ?? null;
}

/**
 * Records the outcome of triage on observations still pending (an observation already triaged is left as it is);
 * answers the ids changed.
 */
export async function setOutcome(db: Db, ids: number[], o: { outcome: ObservationOutcome; reason?: string | null; reportId?: number | null; actionId?: number | null; mergedInto?: number | null; by: number }): Promise<number[]> {
  if (ids.length === 0) return [];
  return db('diagnostic_observations').whereIn('id', ids).andWhere({ outcome: 'pending' }).update({
    outcome: o.outcome, outcome_reason: o.reason ?? null, report_id: o.reportId ?? null, action_id: o.actionId ?? null,
    merged_into: o.mergedInto ?? null, triaged_by: o.by, triaged_at: db.fn.now(),
  }).returning('id').then((rows: { id: number }[]) => rows.map((r) => r.id));
}

/** The commune's and the QPV's outlines, simplified to about a metre (for a printed map). */
export async function placeOutlines(db: Db, communeInsee: string, qpvCode: string | null): Promise<{ commune: Geometry | null; qpv: Geometry | null }> {
  const { rows } = await db.raw(
    `SELECT (SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00001), 6)::json FROM communes WHERE insee = ?) AS commune,
            (SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00001), 6)::json FROM qpv WHERE code = ?) AS qpv`,
    [communeInsee, qpvCode],
  );
  return { commune: rows[0]?.commune ? json(rows[0].commune) : null, qpv: rows[0]?.qpv ? json(rows[0].qpv) : null };
}

/** Observations of the sessions in a scope within a bbox (the planning map), newest sessions first, at most 2 000. */
export async function observationsInBbox(db: Db, scope: DiagnosticScope, bbox: [number, number, number, number]): Promise<(ObservationRow & { communeInsee: string; sessionTitle: string; sessionDate: string })[]> {
  const where = diagnosticPredicate(scope, 'pd');
  const { rows } = await db.raw(
    `${observationSelect(`, pd.commune_insee AS "communeInsee", pd.title AS "sessionTitle", to_char(pd.held_on, 'YYYY-MM-DD') AS "sessionDate"`, ' JOIN diagnostics pd ON pd.id = o.diagnostic_id')}
     WHERE ${where.sql} AND o.outcome <> 'merged' AND o.geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)
     ORDER BY pd.held_on DESC, o.id LIMIT 2000`,
    [...where.bindings, ...bbox],
  );
  return rows.map((r: any) => ({ ...toObservation(r), communeInsee: r.communeInsee, sessionTitle: r.sessionTitle, sessionDate: r.sessionDate }));
}

import type { Knex } from 'knex';
import type { ReportScope } from '../domain/access.js';
import type { ReportCounts } from '../domain/api.js';
import { OPEN_STATUS_LIST, REPORT_STATUSES, type ReportSort, type ReportSource, type ReportStatus } from '../domain/reports.js';
import { OPEN_STATUSES_SQL, overdueSql, scopePredicate } from './access.js';

type Db = Knex | Knex.Transaction;

export interface ReportRow {
  id: number;
  reference: string;
  categoryCode: string;
  categoryName: string;
  themeCode: string;
  description: string;
  urgent: boolean;
  urgencyCriterion: string | null;
  urgencyNotJustified: boolean;
  status: ReportStatus;
  lon: number;
  lat: number;
  communeInsee: string;
  communeName: string;
  parcelIdu: string | null;
  owners: unknown;
  qpvCode: string | null;
  qpvName: string | null;
  subsectorId: number | null;
  serviceCode: string;
  serviceName: string;
  routing: unknown;
  unresolved: boolean;
  alsoNotify: string[];
  ackDueAt: string;
  resolveDueAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  duplicateOf: number | null;
  createdBy: number;
  createdByName: string;
  createdAt: string;
  updatedAt: string;
  delayBasis: string | null;
  source: string;
  /** Synthetic demo activity ("Donnée de démonstration"). */
  synthetic: boolean;
  /** The commune's 1–5 rating given when it closed the report. */
  satisfaction: number | null;
  overdue: boolean;
}

const SELECT = `SELECT r.id, r.reference, r.category_code AS "categoryCode", c.name AS "categoryName", c.theme_code AS "themeCode",
  r.description, r.urgent, r.urgency_criterion AS "urgencyCriterion", r.urgency_not_justified AS "urgencyNotJustified", r.status,
  ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, r.commune_insee AS "communeInsee", m.name AS "communeName", r.parcel_idu AS "parcelIdu",
  r.owners, r.qpv_code AS "qpvCode", q.name AS "qpvName", r.subsector_id AS "subsectorId", r.service_code AS "serviceCode",
  s.name AS "serviceName", r.routing, r.unresolved, r.also_notify AS "alsoNotify", r.ack_due_at AS "ackDueAt", r.resolve_due_at AS "resolveDueAt",
  r.acknowledged_at AS "acknowledgedAt", r.resolved_at AS "resolvedAt", r.duplicate_of AS "duplicateOf", r.created_by AS "createdBy",
  u.name AS "createdByName", r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.delay_basis AS "delayBasis", r.source,
  r.synthetic, r.satisfaction, ${overdueSql('r')} AS overdue
  FROM reports r
  JOIN categories c ON c.code = r.category_code
  JOIN communes m ON m.insee = r.commune_insee
  JOIN services s ON s.code = r.service_code
  JOIN users u ON u.id = r.created_by
  LEFT JOIN qpv q ON q.code = r.qpv_code`;

/**
 * The list's row shape (`ReportRow`: `SELECT … FROM reports r JOIN …`, reports aliased `r`, no WHERE yet), for the
 * other readers that answer the same rows (OGC API `reports`).
 */
export const REPORT_ROW_SELECT = SELECT;

export interface NewReport {
  categoryCode: string;
  description: string;
  urgent: boolean;
  urgencyCriterion: string | null;
  status: ReportStatus;
  lon: number;
  lat: number;
  communeInsee: string;
  parcelIdu: string | null;
  owners: unknown;
  qpvCode: string | null;
  subsectorId: number | null;
  serviceCode: string;
  routing: unknown;
  unresolved: boolean;
  alsoNotify: string[];
  ackDueAt: Date;
  resolveDueAt: Date;
  delayBasis: string;
  createdBy: number;
  idempotencyKey: string | null;
  source: ReportSource;
}

/**
 * Where a mail of a submission names the report's reference, which the database assigns: mail texts are written with
 * this mark, and the statement puts the reference in its place.
 */
export const REFERENCE_SLOT = '\u0000';

export interface Submission {
  report: NewReport;
  /** The first event of the timeline (its report is the new one). */
  event: Omit<NewEvent, 'reportId'>;
  /** Subject and body may contain REFERENCE_SLOT. */
  mails: { to: string; subject: string; body: string }[];
  photo: { mime: string; data: Buffer; thumbnail: Buffer; width: number; height: number } | null;
  /**
   * Where to look for open reports of the same category (read in the same snapshot, before this one exists), among
   * those the author may see.
   */
  duplicates: { radiusM: number; windowDays: number; scope: ReportScope };
}

/**
 * Saves a submitted report with its human reference (GUP-{year, Paris time}-{id, 6 digits}), its first event, its
 * author as follower, its outbox rows and its photo in ONE statement (data-modifying CTEs): atomic without an explicit
 * transaction, one round trip instead of ten — and answers with the open reports of the same category nearby (the
 * possible duplicates, as they were before this one). `saved` is null, nothing written, when the author already used
 * this Idempotency-Key.
 */
export async function insertSubmission(db: Db, s: Submission): Promise<{ saved: { id: number; reference: string } | null; duplicates: NearbyReport[] }> {
  const r = s.report;
  const e = s.event;
  const parts = (text: string) => text.split(REFERENCE_SLOT);
  const b: Knex.RawBinding[] = [
    r.categoryCode, r.description, r.urgent, r.urgencyCriterion, r.status, r.lon, r.lat, r.communeInsee, r.parcelIdu,
    JSON.stringify(r.owners), r.qpvCode, r.subsectorId, r.serviceCode, JSON.stringify(r.routing), r.unresolved, r.alsoNotify as unknown as Knex.RawBinding,
    r.ackDueAt, r.resolveDueAt, r.delayBasis, r.createdBy, r.idempotencyKey, r.source,
    e.kind, e.fromStatus, e.toStatus, e.comment, e.details === undefined ? null : JSON.stringify(e.details), e.userId,
    r.createdBy,
    JSON.stringify(s.mails.map((m) => ({ to: m.to, subject: parts(m.subject), body: parts(m.body) }))),
  ];
  const photo = s.photo
    ? `, p AS (INSERT INTO report_photos (report_id, mime, data, thumbnail, width, height) SELECT id, ?, ?, ?, ?, ? FROM r)`
    : '';
  if (s.photo) b.push(s.photo.mime, s.photo.data, s.photo.thumbnail, s.photo.width, s.photo.height);
  const near = nearbySql(s.duplicates.scope, r.categoryCode, r.lon, r.lat, s.duplicates.radiusM, s.duplicates.windowDays);
  b.push(...near.bindings);
  const { rows } = await db.raw(
    `WITH n AS (SELECT nextval(pg_get_serial_sequence('reports', 'id'))::int AS id),
     ref AS (SELECT id, 'GUP-' || to_char(now() AT TIME ZONE 'Europe/Paris', 'YYYY') || '-' || lpad(id::text, greatest(6, length(id::text)), '0') AS reference FROM n),
     r AS (
       INSERT INTO reports (id, reference, category_code, description, urgent, urgency_criterion, status, geom, commune_insee, parcel_idu, owners,
         qpv_code, subsector_id, service_code, routing, unresolved, also_notify, ack_due_at, resolve_due_at, delay_basis, created_by, idempotency_key, source)
       SELECT ref.id, ref.reference, ?, ?, ?, ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?, ?::text[], ?, ?, ?, ?, ?, ? FROM ref
       ON CONFLICT (created_by, idempotency_key) DO NOTHING
       RETURNING id, reference),
     e AS (INSERT INTO report_events (report_id, kind, from_status, to_status, comment, details, user_id) SELECT id, ?, ?, ?, ?, ?::jsonb, ? FROM r),
     f AS (INSERT INTO report_followers (report_id, user_id) SELECT id, ? FROM r),
     m AS (INSERT INTO outbox (to_address, subject, body, report_id)
           SELECT t.m ->> 'to', array_to_string(ARRAY(SELECT json_array_elements_text(t.m -> 'subject')), r.reference),
                  array_to_string(ARRAY(SELECT json_array_elements_text(t.m -> 'body')), r.reference), r.id
           FROM r, json_array_elements(?::json) WITH ORDINALITY AS t(m, i) ORDER BY t.i)
     ${photo},
     near AS (${near.sql})
     SELECT (SELECT json_build_object('id', id, 'reference', reference) FROM r) AS saved,
            (SELECT json_agg(near ORDER BY near."distanceM") FROM near) AS duplicates`,
    b,
  );
  const parse = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
  return { saved: parse(rows[0].saved), duplicates: (parse<NearbyReport[] | null>(rows[0].duplicates) ?? []).map(nearbyRow) };
}

export async function findReport(db: Db, id: number): Promise<ReportRow | null> {
  const { rows } = await db.raw(`${SELECT} WHERE r.id = ?`, [id]);
  return (rows[0] as ReportRow | undefined) ?? null;
}

export async function findReportByIdempotencyKey(db: Db, userId: number, key: string): Promise<number | null> {
  const row = (await db('reports').where({ created_by: userId, idempotency_key: key }).first('id')) as { id: number } | undefined;
  return row?.id ?? null;
}

/** What a transition changes in the report's statistics columns relative to their stored values (DESIGN 3.5). */
export interface ReportCounterUpdate {
  /** The first acknowledgement time (`ack_at`): kept when one is already stored. */
  firstAckAt?: Date | undefined;
  /** One more transfer (`transfer_count + 1`). */
  transferred?: boolean | undefined;
  /** One more reopening (`reopened_count + 1`). */
  reopened?: boolean | undefined;
}

/** Updates a report only if its status is still `status` (optimistic check); whether it did. */
export async function updateReportIfStatus(db: Db, id: number, status: ReportStatus, update: Record<string, unknown>, counters: ReportCounterUpdate = {}): Promise<boolean> {
  const values: Record<string, unknown> = { ...update };
  if (counters.firstAckAt) values.ack_at = db.raw('COALESCE(ack_at, ?)', [counters.firstAckAt]);
  if (counters.transferred) values.transfer_count = db.raw('transfer_count + 1');
  if (counters.reopened) values.reopened_count = db.raw('reopened_count + 1');
  return (await db('reports').where({ id, status }).update(values)) === 1;
}

export interface ReportFilters {
  status?: ReportStatus[] | undefined;
  category?: string | undefined;
  commune?: string | undefined;
  service?: string | undefined;
  qpv?: string | undefined;
  subsector?: number | undefined;
  overdue?: boolean | undefined;
  bbox?: [number, number, number, number] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** Orders of a list: newest first (default), oldest first, or the work list (`REPORT_SORTS` of the domain). */
const ORDER_BY: Record<ReportSort, string> = {
  newest: 'r.created_at DESC, r.id DESC',
  oldest: 'r.created_at ASC, r.id ASC',
  // the work list: overdue first (the most late first), then the other open ones, oldest first, then the rest, newest first
  priority: `CASE WHEN ${overdueSql('r')} THEN 0 WHEN r.status IN ${OPEN_STATUSES_SQL} THEN 1 ELSE 2 END,
    CASE WHEN ${overdueSql('r')} THEN r.resolve_due_at END ASC,
    CASE WHEN r.status IN ${OPEN_STATUSES_SQL} THEN r.created_at END ASC, r.created_at DESC, r.id DESC`,
};

/** The WHERE clause of a list: the scope (domain/access.ts) and the filters, values bound. */
function listWhere(scope: ReportScope, f: ReportFilters): { clause: string; bindings: Knex.RawBinding[] } {
  const visible = scopePredicate(scope, 'r');
  const where: string[] = [visible.sql];
  const b: Knex.RawBinding[] = [...visible.bindings];
  if (f.status?.length) { where.push(`r.status IN (${f.status.map(() => '?').join(',')})`); b.push(...f.status); }
  if (f.category) { where.push('r.category_code = ?'); b.push(f.category); }
  if (f.commune) { where.push('r.commune_insee = ?'); b.push(f.commune); }
  if (f.service) { where.push('r.service_code = ?'); b.push(f.service); }
  if (f.qpv) { where.push('r.qpv_code = ?'); b.push(f.qpv); }
  if (f.subsector) { where.push('r.subsector_id = ?'); b.push(f.subsector); }
  if (f.overdue !== undefined) { where.push(`${overdueSql('r')} = ?`); b.push(f.overdue); }
  if (f.bbox) { where.push('r.geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)'); b.push(...f.bbox); }
  if (f.since) { where.push('r.created_at >= ?'); b.push(f.since); }
  if (f.until) { where.push('r.created_at <= ?'); b.push(f.until); }
  return { clause: `WHERE ${where.join(' AND ')}`, bindings: b };
}

/** The reports of a scope (domain/access.ts) matching the filters, in the order asked (newest first by default), with the total. */
export async function listReports(db: Db, scope: ReportScope, f: ReportFilters & { sort?: ReportSort | undefined; limit: number; offset: number }): Promise<{ rows: ReportRow[]; total: number }> {
  const { clause, bindings: b } = listWhere(scope, f);
  const { rows } = await db.raw(`${SELECT} ${clause} ORDER BY ${ORDER_BY[f.sort ?? 'newest']} LIMIT ? OFFSET ?`, [...b, f.limit, f.offset]);
  const count = await db.raw(`SELECT count(*)::int AS n FROM reports r ${clause}`, b);
  return { rows: rows as ReportRow[], total: count.rows[0].n as number };
}

/** How many reports of a scope match the filters: in all, open, overdue and per status (one statement). */
export async function countReports(db: Db, scope: ReportScope, f: ReportFilters): Promise<ReportCounts> {
  const { clause, bindings } = listWhere(scope, f);
  const { rows } = await db.raw(
    `SELECT r.status, count(*)::int AS n, count(*) FILTER (WHERE ${overdueSql('r')})::int AS overdue FROM reports r ${clause} GROUP BY r.status`,
    bindings,
  );
  const byStatus = Object.fromEntries(REPORT_STATUSES.map((s) => [s, 0])) as Record<ReportStatus, number>;
  let overdue = 0;
  for (const r of rows as { status: ReportStatus; n: number; overdue: number }[]) { byStatus[r.status] = r.n; overdue += r.overdue; }
  return {
    total: REPORT_STATUSES.reduce((n, s) => n + byStatus[s], 0),
    open: OPEN_STATUS_LIST.reduce((n, s) => n + byStatus[s], 0),
    overdue,
    byStatus,
  };
}

export interface NearbyReport { id: number; reference: string; description: string; status: string; distanceM: number; createdAt: string }

/**
 * The query of open reports of a category near a point, created within the window, among those of `scope` (nearest
 * first, at most 10).
 */
function nearbySql(scope: ReportScope, category: string, lon: number, lat: number, radiusM: number, windowDays: number): { sql: string; bindings: Knex.RawBinding[] } {
  const visible = scopePredicate(scope, 'r');
  return {
    sql: `SELECT r.id, r.reference, r.description, r.status, ST_Distance(r.geom::geography, pt.g::geography) AS "distanceM", r.created_at AS "createdAt"
     FROM reports r, (SELECT ST_SetSRID(ST_MakePoint(?, ?), 4326) AS g) pt
     WHERE r.category_code = ? AND r.status IN ${OPEN_STATUSES_SQL} AND ${visible.sql}
       AND r.created_at > now() - make_interval(days => ?)
       AND r.geom && ST_Expand(pt.g, ?) AND ST_DWithin(r.geom::geography, pt.g::geography, ?)
     ORDER BY "distanceM" LIMIT 10`,
    bindings: [lon, lat, category, ...visible.bindings, windowDays, radiusM / 60_000, radiusM],
  };
}

const nearbyRow = (r: { id: number; reference: string; description: string; status: string; distanceM: unknown; createdAt: unknown }): NearbyReport => ({
  id: r.id, reference: r.reference, description: r.description, status: r.status,
  distanceM: Math.round(Number(r.distanceM)), createdAt: new Date(r.createdAt as string).toISOString(),
});

/** Open reports of a category near a point, created within the window, that the asker may see: candidates for "join instead". */
export async function nearbyOpenReports(db: Db, scope: ReportScope, category: string, lon: number, lat: number, radiusM: number, windowDays: number): Promise<NearbyReport[]> {
  const q = nearbySql(scope, category, lon, lat, radiusM, windowDays);
  const { rows } = await db.raw(q.sql, q.bindings);
  return rows.map(nearbyRow);
}

export interface NewEvent {
  reportId: number;
  kind: string;
  fromStatus: ReportStatus | null;
  toStatus: ReportStatus | null;
  comment: string | null;
  details?: unknown;
  userId: number | null;
}

export async function insertEvent(db: Db, e: NewEvent): Promise<void> {
  await db('report_events').insert({
    report_id: e.reportId, kind: e.kind, from_status: e.fromStatus, to_status: e.toStatus, comment: e.comment,
    details: e.details === undefined ? null : JSON.stringify(e.details), user_id: e.userId,
  });
}

export async function timelineOf(db: Db, reportId: number) {
  const { rows } = await db.raw(
    `SELECT e.id, e.kind, e.from_status AS "fromStatus", e.to_status AS "toStatus", e.comment, e.details, e.at,
            u.name AS "userName", u.role AS "userRole"
     FROM report_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.report_id = ? ORDER BY e.at, e.id`,
    [reportId],
  );
  return rows as { id: number; kind: string; fromStatus: string | null; toStatus: string | null; comment: string | null; details: unknown; at: string; userName: string | null; userRole: string | null }[];
}

export async function addFollower(db: Db, reportId: number, userId: number): Promise<void> {
  await db('report_followers').insert({ report_id: reportId, user_id: userId }).onConflict(['report_id', 'user_id']).ignore();
}

export async function followersOf(db: Db, reportId: number): Promise<{ id: number; name: string; email: string }[]> {
  return db('report_followers as f').join('users as u', 'u.id', 'f.user_id').where('f.report_id', reportId).select('u.id', 'u.name', 'u.email');
}

export async function queueMail(db: Db, m: { to: string; subject: string; body: string; reportId: number | null }): Promise<void> {
  await db('outbox').insert({ to_address: m.to, subject: m.subject, body: m.body, report_id: m.reportId });
}

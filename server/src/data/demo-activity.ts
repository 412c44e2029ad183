/**
 * Storage of the synthetic demo activity (server/src/services/demo-activity.ts): the spots it is drawn on, and the
 * bulk insert of its reports, timelines and followers — a few statements for thousands of rows, no outbox (no mail).
 */
import type { Knex } from 'knex';
import type { ActivityCategory } from '../domain/demo-activity.js';
import type { NewReport } from './reports.js';

/** Whether the synthetic activity is already there. */
export async function hasSyntheticReports(knex: Knex): Promise<boolean> {
  return !!(await knex('reports').where({ synthetic: true }).first('id'));
}

/**
 * `perCommune` spots on real parcels of each commune of the territory, the same every time (ordered by a hash of the
 * parcel id), a third of them on parcels in a QPV where the commune has one.
 */
export async function sampleSpots(knex: Knex, perCommune: number): Promise<{ lon: number; lat: number }[]> {
  const inQpv = Math.round(perCommune / 3);
  const { rows } = await knex.raw(
    `WITH p AS (
       SELECT p.idu, p.commune_insee, p.geom, EXISTS (SELECT 1 FROM qpv WHERE ST_Intersects(qpv.geom, p.geom)) AS in_qpv
       FROM parcels p JOIN communes c ON c.insee = p.commune_insee AND c.in_territory),
     k AS (SELECT p.*, row_number() OVER (PARTITION BY p.commune_insee, p.in_qpv ORDER BY md5(p.idu)) AS k,
             bool_or(p.in_qpv) OVER (PARTITION BY p.commune_insee) AS has_qpv FROM p)
     SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM k
     WHERE (in_qpv AND k <= ?) OR (NOT in_qpv AND k <= ? - CASE WHEN has_qpv THEN ? ELSE 0 END)
     ORDER BY md5(idu)`,
    [inQpv, perCommune, inQpv],
  );
  return rows.map((r: any) => ({ lon: Number(r.lon), lat: Number(r.lat) }));
}

/** A synthetic report: a submission's fields (dates as ISO strings), its status and timings, and its timeline. */
export interface ActivityRow extends Omit<NewReport, 'ackDueAt' | 'resolveDueAt' | 'idempotencyKey' | 'source' | 'status'> {
  status: string;
  urgencyNotJustified: boolean;
  ackDueAt: string;
  resolveDueAt: string;
  ackAt: string | null;
  resolvedAt: string | null;
  finishedAt: string | null;
  transferCount: number;
  reopenedCount: number;
  satisfaction: number | null;
  source: string;
  createdAt: string;
  updatedAt: string;
  duplicate: boolean;
  events: { at: string; from: string | null; to: string | null; kind: string; comment: string | null; userId: number | null }[];
}

/**
 * Inserts the synthetic reports (flagged `synthetic`), their references (GUP-{year}-{id}), timelines and authors as
 * followers, in one transaction; a merged duplicate points to the previous synthetic report of its category.
 */
export async function insertActivity(knex: Knex, rows: ActivityRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return knex.transaction(async (trx) => {
    const ids = (await trx.raw(`SELECT nextval(pg_get_serial_sequence('reports', 'id'))::int AS id FROM generate_series(1, ?)`, [rows.length])).rows.map((r: any) => r.id as number);
    const reports = rows.map((r, i) => ({ ...r, id: ids[i], events: undefined }));
    await trx.raw(
      `INSERT INTO reports (id, reference, category_code, description, urgent, urgency_criterion, urgency_not_justified, status, geom, commune_insee,
         parcel_idu, owners, qpv_code, subsector_id, service_code, routing, unresolved, also_notify, ack_due_at, resolve_due_at, delay_basis,
         acknowledged_at, ack_at, resolved_at, finished_at, transfer_count, reopened_count, satisfaction, source, synthetic, created_by, created_at, updated_at)
       SELECT x.id, 'GUP-' || to_char(x."createdAt" AT TIME ZONE 'Europe/Paris', 'YYYY') || '-' || lpad(x.id::text, greatest(6, length(x.id::text)), '0'),
         x."categoryCode", x.description, x.urgent, x."urgencyCriterion", x."urgencyNotJustified", x.status, ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326),
         x."communeInsee", x."parcelIdu", x.owners, x."qpvCode", x."subsectorId", x."serviceCode", x.routing, x.unresolved,
         ARRAY(SELECT jsonb_array_elements_text(x."alsoNotify")), x."ackDueAt", x."resolveDueAt", x."delayBasis",
         x."ackAt", x."ackAt", x."resolvedAt", x."finishedAt", x."transferCount", x."reopenedCount", x.satisfaction, x.source, true, x."createdBy", x."createdAt", x."updatedAt"
       FROM jsonb_to_recordset(?::jsonb) AS x(id int, "categoryCode" text, description text, urgent boolean, "urgencyCriterion" text, "urgencyNotJustified" boolean,
         status text, lon float8, lat float8, "communeInsee" text, "parcelIdu" text, owners jsonb, "qpvCode" text, "subsectorId" int, "serviceCode" text,
         routing jsonb, unresolved boolean, "alsoNotify" jsonb, "ackDueAt" timestamptz, "resolveDueAt" timestamptz, "delayBasis" text, "ackAt" timestamptz,
         "resolvedAt" timestamptz, "finishedAt" timestamptz, "transferCount" int, "reopenedCount" int, satisfaction smallint, source text, "createdBy" int,
         "createdAt" timestamptz, "updatedAt" timestamptz)`,
      [JSON.stringify(reports)],
    );
    const events = rows.flatMap((r, i) => r.events.map((e) => ({ ...e, reportId: ids[i] })));
    await trx.raw(
      `INSERT INTO report_events (report_id, kind, from_status, to_status, comment, user_id, at)
       SELECT e."reportId", e.kind, e."from", e."to", e.comment, e."userId", e.at
       FROM jsonb_to_recordset(?::jsonb) AS e("reportId" int, kind text, "from" text, "to" text, comment text, "userId" int, at timestamptz)`,
      [JSON.stringify(events)],
    );
    await trx.raw('INSERT INTO report_followers (report_id, user_id, since) SELECT id, created_by, created_at FROM reports WHERE id = ANY(?::int[])', [ids]);
    const duplicates = ids.filter((_: number, i: number) => rows[i]!.duplicate);
    if (duplicates.length) {
      await trx.raw(
        `UPDATE reports r SET duplicate_of = (SELECT o.id FROM reports o WHERE o.synthetic AND o.category_code = r.category_code AND o.created_at < r.created_at
           AND o.status <> 'duplicate' ORDER BY o.created_at DESC, o.id DESC LIMIT 1)
         WHERE r.id = ANY(?::int[])`,
        [duplicates],
      );
    }
    return rows.length;
  });
}

/** The active accounts that file the synthetic reports (the commune's user, else an officer). */
export async function activityAuthors(knex: Knex): Promise<{ id: number; role: string; communeInsee: string | null }[]> {
  return knex('users').where({ active: true }).select('id', 'role', 'commune_insee as communeInsee');
}

/** The categories with their delays, in the configuration's order (the plan depends on it), and their services in copy. */
export async function activityCategories(knex: Knex): Promise<{ categories: ActivityCategory[]; alsoNotifyOf: Map<string, string[]> }> {
  const rows = await knex('categories').orderBy('sort_order').orderBy('code');
  const categories: ActivityCategory[] = rows.map((c: any) => ({
    code: c.code, themeCode: c.theme_code, ackHours: c.ack_hours, resolveHours: c.resolve_hours, resolveHoursQpv: c.resolve_hours_qpv,
    seasonal: typeof c.seasonal === 'string' ? JSON.parse(c.seasonal) : c.seasonal,
  }));
  return { categories, alsoNotifyOf: new Map(rows.map((c: any) => [c.code as string, (c.also_notify ?? []) as string[]])) };
}

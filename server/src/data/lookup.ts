import { coalesce, type Coalescer } from './coalesce.js';
import { hotConcurrency, hotQuery, type Connection, type HotStatement } from './connection.js';
import type { ParcelOwnerRow } from './parcels.js';

export interface SpotRow {
  parcel: { idu: string; commune_insee: string; prefix: string; section: string; number: string; official_area_m2: number | null; area_m2: number; overlapping: string[] } | null;
  commune: { insee: string; name: string; in_territory: boolean; sector_code: string | null } | null;
  qpv: { code: string; name: string } | null;
  subsector: { id: number; name: string; outcome: 'delegated' | 'shared'; delegate_organisation_code: string | null; threshold: number; borderline: boolean; shares: unknown } | null;
  rights: (ParcelOwnerRow & { ownerId: number })[] | null;
}

/** What SPOT_AT selects under the point `pt.g` (its CTEs follow `WITH pt AS (…),`). */
const UNDER_PT = `hits AS (SELECT p.idu, p.commune_insee, p.prefix, p.section, p.number, p.official_area_m2, p.geom
              FROM parcels p, pt WHERE ST_Intersects(p.geom, pt.g)),
     par AS (SELECT h.*, ST_Area(h.geom::geography) AS area_m2 FROM hits h ORDER BY ST_Area(h.geom), h.idu LIMIT 1)
     SELECT
       (SELECT json_build_object('idu', idu, 'commune_insee', commune_insee, 'prefix', prefix, 'section', section, 'number', number,
               'official_area_m2', official_area_m2, 'area_m2', area_m2, 'overlapping', (SELECT json_agg(idu) FROM hits WHERE hits.idu <> par.idu))
        FROM par) AS parcel,
       (SELECT json_build_object('insee', c.insee, 'name', c.name, 'in_territory', c.in_territory, 'sector_code', c.sector_code)
        FROM communes c WHERE c.insee = COALESCE((SELECT commune_insee FROM par),
          (SELECT c2.insee FROM communes c2, pt WHERE ST_Intersects(c2.geom, pt.g) ORDER BY c2.in_territory DESC, c2.insee LIMIT 1))) AS commune,
       (SELECT json_build_object('code', q.code, 'name', q.name) FROM qpv q, pt WHERE ST_Intersects(q.geom, pt.g) ORDER BY q.code LIMIT 1) AS qpv,
       (SELECT json_build_object('id', s.id, 'name', s.name, 'outcome', s.outcome, 'delegate_organisation_code', s.delegate_organisation_code,
               'threshold', s.threshold, 'borderline', s.borderline, 'shares', s.shares)
        FROM subsectors s, pt WHERE s.status = 'active' AND ST_Intersects(s.geom, pt.g) ORDER BY s.updated_at DESC, s.id DESC LIMIT 1) AS subsector,
       (SELECT json_agg(json_build_object('ownerId', o.id, 'id', o.id, 'name', o.name, 'siren', o.siren, 'kind', o.kind, 'legalForm', o.legal_form,
               'organisationCode', o.organisation_code, 'organisationName', g.name, 'organisationOrder', g.sort_order, 'rightCode', pr.right_code)
               ORDER BY g.sort_order NULLS LAST, o.name, pr.right_code)
        FROM parcel_rights pr JOIN owners o ON o.id = pr.owner_id LEFT JOIN organisations g ON g.code = o.organisation_code
        WHERE pr.idu = (SELECT idu FROM par)) AS rights`;

/**
 * Everything under a point in one round trip: the parcel (smallest when cadastre slivers overlap), its rights and
 * owners, the commune (the parcel's, else the outline's), the QPV and the active sub-sector. Uses the GiST indexes.
 * Parameters: $1 longitude, $2 latitude (WGS84). The statement one lookup needs: the benchmark's raw baseline
 * (bench/lookup.ts).
 */
export const SPOT_AT: HotStatement = {
  name: 'gup_spot_at',
  text: `WITH pt AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
     ${UNDER_PT}`,
};

/**
 * SPOT_AT for several points in one statement: $1 longitudes, $2 latitudes (float8 arrays, same length); one row per
 * point, `i` its 1-based position, then SPOT_AT's columns for it. Same subqueries, run for each point (LATERAL).
 */
export const SPOTS_AT: HotStatement = {
  name: 'gup_spots_at',
  text: `SELECT u.i, s.*
     FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(lon, lat, i)
     CROSS JOIN LATERAL (
       WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g),
       ${UNDER_PT}) s
     ORDER BY u.i`,
};

/** A json column: pg and PGlite parse them; be tolerant of text. */
function parse<T>(v: unknown): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);
}

function spotRow(row: Record<string, unknown>): SpotRow {
  return {
    parcel: parse(row.parcel),
    commune: parse(row.commune),
    qpv: parse(row.qpv),
    subsector: parse(row.subsector),
    rights: parse(row.rights),
  };
}

/**
 * What is under each point, in one statement (SPOT_AT for one point, SPOTS_AT for more), in the points' order
 * (SPOTS_AT's rows placed by their `i`).
 */
export async function spotsAt(conn: Connection, points: readonly Point[]): Promise<SpotRow[]> {
  if (points.length === 1) return [spotRow((await hotQuery<Record<string, unknown>>(conn, SPOT_AT, [points[0]!.lon, points[0]!.lat]))[0]!)];
  const rows = await hotQuery<Record<string, unknown>>(conn, SPOTS_AT, [points.map((p) => p.lon), points.map((p) => p.lat)]);
  const spots = new Array<SpotRow | undefined>(points.length);
  for (const row of rows) spots[Number(row.i) - 1] = spotRow(row);
  if (rows.length !== points.length || spots.includes(undefined)) throw new Error(`SPOTS_AT: ${rows.length} rows for ${points.length} points`);
  return spots as SpotRow[];
}

export interface Point {
  lon: number;
  lat: number;
}

/**
 * Lookups arriving together share one statement (coalesce, ./coalesce.ts). Each statement has a fixed cost in
 * PostgreSQL (executor start-up of SPOT_AT's subqueries, snapshot, protocol) about as large as one point's own work:
 * PostgreSQL CPU per point was ~0.29 ms for SPOT_AT alone, 0.16 ms with 2 points per statement, 0.13 ms with 4,
 * 0.12 ms with 8 (2-core machine). While a hot-pool connection is free, a lookup goes at the end of the current
 * event-loop turn, alone (SPOT_AT) unless others came in the same turn; when all are busy, lookups gather in batches
 * sent as statements end, so under load the batches grow with the queue instead of the queue growing in the pool.
 *
 * At most MAX_BATCH points per statement: beyond 4 the saving per point is small, and one statement runs on one
 * PostgreSQL backend, so big batches leave the other cores idle while the Node process writes their answers
 * (8 HTTP clients, A/B interleaved over 6 rounds: 4 points served ~40 % more lookups than 16, ~15 % more than 8).
 */
const MAX_BATCH = 4;

/** The coalescing of a database's lookups: one per database context (`Database.spots`, made by openDatabase). */
export function spotCoalescer(conn: Connection): Coalescer<Point, SpotRow> {
  return coalesce((points) => spotsAt(conn, points), { slots: hotConcurrency(conn), maxBatch: MAX_BATCH });
}

/** What is under a point: SPOT_AT's answer, through the coalescing of concurrent lookups (above). */
export function spotAt(db: { spots: Coalescer<Point, SpotRow> }, lon: number, lat: number): Promise<SpotRow> {
  return db.spots.load({ lon, lat });
}

/** How many statements spotAt sent and how many points they carried (the coalescing at work, for the tests). */
export function spotStats(db: { spots: Coalescer<Point, SpotRow> }): { statements: number; points: number } {
  const { stats } = db.spots;
  return { statements: stats.batches, points: stats.keys };
}

import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

export interface LandRows {
  areaM2: number;
  parcels: { idu: string; effectiveM2: number }[];
  communes: { insee: string; m2: number }[];
}

/**
 * `shared`: the IDUs of the parcels of `source` (rows with `idu` and the parcel's `geom`) that share area with another
 * parcel (`ST_Relate … '2********'`: slivers, nested parcels, identical geometries). Each parcel looks up its
 * neighbours through the parcels' GiST index (LATERAL: a join of the CTE with itself compared every pair, 2.2 million
 * for 1 500 parcels, 1.4 s on PGlite). A pair overlapping only outside the perimeter is harmless: the partition of
 * these parcels inside it is the same.
 */
const SHARED_SQL = (source: string) => `
  shared AS MATERIALIZED (SELECT DISTINCT unnest(ARRAY[x.idu, n.idu]) AS idu FROM ${source} x
         CROSS JOIN LATERAL (SELECT q.idu FROM parcels q WHERE q.geom && x.geom AND q.idu <> x.idu AND ST_Relate(x.geom, q.geom, '2********')) n)`;

/**
 * The planar partition of the parcels listed in `shared` (their geometries `g` in `c`), as two CTEs: `faces`
 * (polygonized noded boundaries, with a point inside each) and `cover` (each face's geography area and the IDUs of the
 * parcels covering its point). Each parcel tests all the face points in a row (LATERAL), so PostGIS reuses the parcel's
 * prepared geometry: the other way round, PostgreSQL spent 0.4–1 s on point-in-polygon tests of big parcels.
 * Shared by the authoritative query (parcels clipped to S) and the land sent to the browser (clipped to the bbox).
 */
const PARTITION_SQL = `
  faces AS MATERIALIZED (SELECT row_number() OVER () AS id, d.geom AS g, ST_PointOnSurface(d.geom) AS pt FROM (
         SELECT (ST_Dump(ST_Polygonize(ARRAY[ST_UnaryUnion(ST_Collect(ST_Boundary(c.g)), 1e-9)]))).geom
         FROM c WHERE c.idu IN (SELECT idu FROM shared)) d),
  cover AS MATERIALIZED (SELECT f.id, f.g, ST_Area(f.g::geography) AS m2, k.idus
         FROM (SELECT inside.id, array_agg(c.idu ORDER BY c.idu) AS idus
               FROM c CROSS JOIN LATERAL (SELECT f.id FROM faces f WHERE c.g && f.pt AND ST_Intersects(c.g, f.pt)) inside
               WHERE c.idu IN (SELECT idu FROM shared) GROUP BY inside.id) k
         JOIN faces f ON f.id = k.id)`;

/**
 * The land inside a perimeter S, in PostGIS (geography areas, m²), as DESIGN 3.2 defines it: a planar partition of
 * S by the parcels, land covered by n parcels split 1/n between them; nothing counted twice, so the parcels' land
 * adds up to area(S ∩ union of the parcels) and public domain is S minus that union. Two kinds of statements, each
 * bounded so that the embedded database (one thread) keeps serving other requests between them:
 * - LAND_SLICE_SQL, for the parcels meeting S in slices of LAND_SLICE parcels (IDU order; `near` first, so that
 *   PostgreSQL searches the GiST index rather than walk the primary key for ORDER BY … LIMIT): each parcel clipped to S
 *   (`c`), whether it shares area with another parcel (SHARED_SQL: slivers, nested parcels, identical geometries),
 *   and area(parcel ∩ S) — the land of the parcels that share nothing;
 * - LAND_PARTITION_SQL, once: the partition of the parcels that do share (PARTITION_SQL: clipped boundaries noded by
 *   `ST_UnaryUnion` on a 1e-9° grid — snap-rounding, which always succeeds where floating noding of real cadastre
 *   lines fails — polygonized; each face goes 1/n to the n parcels covering its `ST_PointOnSurface`; faces covered by
 *   none are public domain), the area of S and of S in each territory commune.
 * `landInside` runs them; it is also "the raw share query" the benchmark compares the API with.
 */
export const LAND_SLICE_SQL = `
  WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(?), 4326) AS g),
  near AS MATERIALIZED (SELECT p.idu, p.geom FROM parcels p, s WHERE p.geom && s.g AND p.idu > ?),
  c AS MATERIALIZED (SELECT near.idu, near.geom, ST_CollectionExtract(ST_Intersection(near.geom, s.g), 3) AS g
         FROM near, s WHERE ST_Intersects(near.geom, s.g) ORDER BY near.idu LIMIT ?),
  ${SHARED_SQL('c')}
  SELECT c.idu, c.idu IN (SELECT idu FROM shared) AS shared, ST_IsEmpty(c.g) AS empty, ST_Area(c.g::geography) AS m2 FROM c ORDER BY c.idu`;

export const LAND_PARTITION_SQL = `
  WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(?), 4326) AS g),
  shared AS (SELECT jsonb_array_elements_text(?::jsonb) AS idu),
  c AS MATERIALIZED (SELECT p.idu, ST_CollectionExtract(ST_Intersection(p.geom, s.g), 3) AS g
         FROM parcels p, s WHERE p.idu IN (SELECT idu FROM shared)),
  ${PARTITION_SQL}
  SELECT json_build_object(
    'areaM2', (SELECT ST_Area(g::geography) FROM s),
    'meeting', (SELECT count(*) FROM parcels p, s WHERE p.geom && s.g AND ST_Intersects(p.geom, s.g)),
    'parts', COALESCE((SELECT json_agg(json_build_object('idu', idu, 'm2', m2) ORDER BY idu)
        FROM (SELECT idu, sum(cover.m2 / cardinality(cover.idus)) AS m2 FROM cover, unnest(cover.idus) AS idu GROUP BY idu) x), '[]'::json),
    'communes', COALESCE((SELECT json_agg(json_build_object('insee', m.insee, 'm2', ST_Area(ST_Intersection(m.geom, s.g)::geography)))
        FROM communes m, s WHERE m.in_territory AND ST_Intersects(m.geom, s.g)), '[]'::json)
  ) AS land`;

/** Parcels per LAND_SLICE_SQL statement: ~0.1 s each on PGlite. */
const LAND_SLICE = 250;

export async function landInside(db: Db, geojson: string): Promise<LandRows> {
  const parcels: { idu: string; effectiveM2: number }[] = [];
  const shared: string[] = [];
  let seen = 0;
  for (let after = ''; ;) {
    const { rows } = (await db.raw(LAND_SLICE_SQL, [geojson, after, LAND_SLICE])) as { rows: { idu: string; shared: boolean; empty: boolean; m2: number }[] };
    seen += rows.length;
    for (const r of rows) {
      if (r.shared) shared.push(r.idu);
      else if (!r.empty) parcels.push({ idu: r.idu, effectiveM2: Number(r.m2) });
    }
    if (rows.length < LAND_SLICE) break;
    after = rows[rows.length - 1]!.idu;
  }
  const { rows } = await db.raw(LAND_PARTITION_SQL, [geojson, JSON.stringify(shared)]);
  // The embedded PostGIS has answered a failed GEOS call with no row instead of an error: never read that as no land.
  if (!rows[0]) throw new Error('LAND_PARTITION_SQL returned no row');
  const land = (typeof rows[0].land === 'string' ? JSON.parse(rows[0].land) : rows[0].land) as { areaM2: number; meeting: number; parts: { idu: string; m2: number }[]; communes: LandRows['communes'] };
  if (Number(land.meeting) !== seen) throw new Error(`landInside: ${seen} parcels read in slices, ${land.meeting} meet the perimeter`);
  for (const p of land.parts) if (p.m2 > 0) parcels.push({ idu: p.idu, effectiveM2: p.m2 });
  parcels.sort((a, b) => (a.idu < b.idu ? -1 : a.idu > b.idu ? 1 : 0));
  return { areaM2: land.areaM2, parcels, communes: land.communes };
}

/** How many parcels meet the geometry's bounding box, counting no further than `limit + 1` (GiST index only). */
export async function parcelsNear(db: Db, geojson: string, limit: number): Promise<number> {
  const { rows } = await db.raw(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM parcels WHERE geom && ST_SetSRID(ST_GeomFromGeoJSON(?), 4326) LIMIT ?) x`,
    [geojson, limit + 1],
  );
  return Number(rows[0].n);
}

/** PostGIS's own verdict on a geometry: valid, or the reason and the location of the problem. */
export async function validityDetail(db: Db, geojson: string): Promise<{ valid: boolean; reason: string | null; location: number[] | null }> {
  const { rows } = await db.raw(
    `SELECT (d).valid, (d).reason, ST_X((d).location) AS x, ST_Y((d).location) AS y
     FROM (SELECT ST_IsValidDetail(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326)) AS d) v`,
    [geojson],
  );
  const r = rows[0];
  return { valid: r.valid, reason: r.reason, location: r.x === null ? null : [Number(r.x), Number(r.y)] };
}

/** Active sub-sectors whose interior overlaps the geometry (more than 1 m²), except `excludeId`. */
export async function overlappingSubsectors(db: Db, geojson: string, excludeId: number | null): Promise<{ id: number; name: string; m2: number }[]> {
  const { rows } = await db.raw(
    `WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(?), 4326) AS g)
     SELECT x.id, x.name, ST_Area(ST_Intersection(x.geom, s.g)::geography) AS m2
     FROM subsectors x, s
     WHERE x.status = 'active' AND x.geom && s.g AND ST_Intersects(x.geom, s.g) AND (?::int IS NULL OR x.id <> ?::int)
       AND ST_Area(ST_Intersection(x.geom, s.g)::geography) > 1`,
    [geojson, excludeId, excludeId],
  );
  return rows.map((r: any) => ({ id: r.id, name: r.name, m2: Number(r.m2) }));
}

export interface SubsectorState {
  name: string;
  description: string | null;
  procedureNotes: string | null;
  status: 'active' | 'archived';
  geojson: string;
  outcome: 'delegated' | 'shared';
  delegateOrganisationCode: string | null;
  threshold: number;
  borderline: boolean;
  shares: unknown;
}

const columns = (s: SubsectorState) => ({
  name: s.name,
  description: s.description,
  procedure_notes: s.procedureNotes,
  status: s.status,
  outcome: s.outcome,
  delegate_organisation_code: s.delegateOrganisationCode,
  threshold: s.threshold,
  borderline: s.borderline,
  shares: JSON.stringify(s.shares),
});

/** Writes the current state of a sub-sector (insert when id is null) and appends its version; returns id and version. */
export async function saveSubsector(
  db: Db,
  id: number | null,
  state: SubsectorState,
  version: { change: 'created' | 'edited' | 'recomputed' | 'archived'; authorId: number | null; overlapAllowed: boolean },
): Promise<{ id: number; version: number }> {
  const geom = db.raw('ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))', [state.geojson]);
  let savedId: number;
  let number: number;
  if (id === null) {
    const [row] = await db('subsectors').insert({ ...columns(state), geom, current_version: 1 }).returning('id');
    savedId = (row as { id: number }).id;
    number = 1;
  } else {
    const [row] = await db('subsectors')
      .where({ id })
      .update({ ...columns(state), geom, current_version: db.raw('current_version + 1'), updated_at: db.fn.now() })
      .returning('current_version');
    savedId = id;
    number = (row as { current_version: number }).current_version;
  }
  await db('subsector_versions').insert({
    subsector_id: savedId, version: number, ...columns(state), geom, overlap_allowed: version.overlapAllowed, change: version.change, author_id: version.authorId,
  });
  return { id: savedId, version: number };
}

const FEATURE_COLUMNS = `id, name, description, procedure_notes AS "procedureNotes", status, outcome,
  delegate_organisation_code AS "delegate", threshold, borderline, shares, ST_AsGeoJSON(geom, 7)::json AS geometry`;

export interface SubsectorRow {
  id: number; name: string; description: string | null; procedureNotes: string | null; status: string; outcome: string; delegate: string | null;
  threshold: number; borderline: boolean; shares: unknown; geometry: unknown; version: number; createdAt: string; updatedAt: string;
}

export async function findSubsector(db: Db, id: number): Promise<SubsectorRow | null> {
  const { rows } = await db.raw(
    `SELECT ${FEATURE_COLUMNS}, current_version AS version, created_at AS "createdAt", updated_at AS "updatedAt" FROM subsectors WHERE id = ?`,
    [id],
  );
  return (rows[0] as SubsectorRow | undefined) ?? null;
}

export async function listSubsectors(db: Db, status: 'active' | 'archived' | 'all'): Promise<SubsectorRow[]> {
  const { rows } = await db.raw(
    `SELECT ${FEATURE_COLUMNS}, current_version AS version, created_at AS "createdAt", updated_at AS "updatedAt"
     FROM subsectors WHERE (? = 'all' OR status = ?) ORDER BY name, id`,
    [status, status],
  );
  return rows as SubsectorRow[];
}

export interface VersionRow extends SubsectorRow {
  change: string;
  overlapAllowed: boolean;
  authorId: number | null;
  authorName: string | null;
}

export async function versionsOf(db: Db, id: number): Promise<VersionRow[]> {
  const { rows } = await db.raw(
    `SELECT v.subsector_id AS id, v.version, v.name, v.description, v.procedure_notes AS "procedureNotes", v.status, v.outcome,
            v.delegate_organisation_code AS delegate, v.threshold, v.borderline, v.shares, ST_AsGeoJSON(v.geom, 7)::json AS geometry,
            v.change, v.overlap_allowed AS "overlapAllowed", v.author_id AS "authorId", u.name AS "authorName", v.created_at AS "createdAt"
     FROM subsector_versions v LEFT JOIN users u ON u.id = v.author_id WHERE v.subsector_id = ? ORDER BY v.version DESC`,
    [id],
  );
  return rows as VersionRow[];
}

/**
 * Recomputations whose outcome or delegate differs from the version before: the list planners must review (the 200
 * newest), or, with `within` (instants, end excluded), every one of that period (the bilan's year).
 */
export async function outcomeFlips(db: Db, within?: { start: string; end: string }): Promise<{ id: number; name: string; version: number; at: string; from: { outcome: string; delegate: string | null }; to: { outcome: string; delegate: string | null } }[]> {
  const period = within ? 'AND v.created_at >= ?::timestamptz AND v.created_at < ?::timestamptz' : '';
  const { rows } = await db.raw(
    `SELECT v.subsector_id AS id, v.name, v.version, v.created_at AS at, p.outcome AS from_outcome, p.delegate_organisation_code AS from_delegate,
            v.outcome AS to_outcome, v.delegate_organisation_code AS to_delegate
     FROM subsector_versions v JOIN subsector_versions p ON p.subsector_id = v.subsector_id AND p.version = v.version - 1
     WHERE v.change = 'recomputed' AND (p.outcome, p.delegate_organisation_code) IS DISTINCT FROM (v.outcome, v.delegate_organisation_code) ${period}
     ORDER BY v.created_at DESC, v.subsector_id${within ? '' : ' LIMIT 200'}`,
    within ? [within.start, within.end] : [],
  );
  return rows.map((r: any) => ({ id: r.id, name: r.name, version: r.version, at: r.at, from: { outcome: r.from_outcome, delegate: r.from_delegate }, to: { outcome: r.to_outcome, delegate: r.to_delegate } }));
}

/** Parcels per statement of landInBbox (GeoJSON and the shared-area test): ~0.1 s each on PGlite. */
const BBOX_SLICE = 500;

/**
 * Parcels, the partition of the parcels sharing area with another (faces clipped to the bbox, with the IDUs covering
 * each) and commune outlines in a bbox, for the browser's live preview. The faces are the same partition as
 * landInside's, so the browser only clips faces against the perimeter and splits them 1/n. Bounded statements: the
 * count (GiST, at most `limit` + 1), the parcels in slices (IDU order), then the partition of those that share.
 * Returns `tooMany` without reading them when more than `limit` parcels meet the bbox.
 */
export async function landInBbox(db: Db, bbox: [number, number, number, number], limit: number) {
  const env = () => db.raw('ST_MakeEnvelope(?, ?, ?, ?, 4326)', bbox);
  const { rows: count } = await db.raw(`SELECT count(*)::int AS n FROM (SELECT 1 FROM parcels WHERE geom && ? LIMIT ?) x`, [env(), limit + 1]);
  const tooMany = Number(count[0].n) > limit;
  if (tooMany) return { tooMany, parcels: [], faces: [], communes: [] };
  const parcels: { idu: string; geometry: unknown }[] = [];
  const shared: string[] = [];
  for (let after = ''; ;) {
    const { rows } = (await db.raw(
      `WITH e AS (SELECT ?::geometry AS g),
       near AS MATERIALIZED (SELECT p.idu, p.geom FROM parcels p, e WHERE p.geom && e.g AND p.idu > ?),
       c AS MATERIALIZED (SELECT idu, geom FROM near ORDER BY idu LIMIT ?),
       ${SHARED_SQL('c')}
       SELECT c.idu, ST_AsGeoJSON(c.geom, 7)::json AS geometry, c.idu IN (SELECT idu FROM shared) AS shared FROM c ORDER BY c.idu`,
      [env(), after, BBOX_SLICE],
    )) as { rows: { idu: string; geometry: unknown; shared: boolean }[] };
    for (const r of rows) {
      parcels.push({ idu: r.idu, geometry: typeof r.geometry === 'string' ? JSON.parse(r.geometry) : r.geometry });
      if (r.shared) shared.push(r.idu);
    }
    if (rows.length < BBOX_SLICE) break;
    after = rows[rows.length - 1]!.idu;
  }
  const { rows: partition } = await db.raw(
    `WITH e AS (SELECT ?::geometry AS g),
     shared AS (SELECT jsonb_array_elements_text(?::jsonb) AS idu),
     c AS MATERIALIZED (SELECT p.idu, ST_CollectionExtract(ST_Intersection(p.geom, e.g), 3) AS g
            FROM parcels p, e WHERE p.idu IN (SELECT idu FROM shared)),
     ${PARTITION_SQL}
     SELECT COALESCE((SELECT json_agg(json_build_object('idus', idus, 'geometry', ST_AsGeoJSON(g, 7)::json) ORDER BY id) FROM cover), '[]'::json) AS faces`,
    [env(), JSON.stringify(shared)],
  );
  if (!partition[0]) throw new Error('land partition returned no row'); // see landInside
  const { rows: communes } = await db.raw(
    `SELECT insee, ST_AsGeoJSON(geom, 7)::json AS geometry FROM communes WHERE in_territory AND geom && ?`,
    [env()],
  );
  const faces = typeof partition[0].faces === 'string' ? JSON.parse(partition[0].faces) : partition[0].faces;
  return { tooMany, parcels, faces: faces as { idus: string[]; geometry: unknown }[], communes: communes as { insee: string; geometry: unknown }[] };
}

/** Serialises sub-sector saves until the transaction ends, so that two planners cannot both pass the overlap check. */
export async function lockSubsectorSaves(trx: Knex.Transaction): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(7301)');
}

/** Ids of the active sub-sectors. */
export async function activeSubsectorIds(db: Db): Promise<number[]> {
  return ((await db('subsectors').where({ status: 'active' }).select('id')) as { id: number }[]).map((r) => r.id);
}

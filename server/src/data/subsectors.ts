import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

export interface LandRows {
  areaM2: number;
  parcels: { idu: string; effectiveM2: number }[];
  communes: { insee: string; m2: number }[];
}

/**
 * The land inside a perimeter, in PostGIS (geography areas, m²): each parcel's clipped area minus half of its
 * overlaps with other parcels (so nothing is counted twice), and the perimeter's area in each territory commune.
 * This is "the raw share query" the benchmark compares the API with. The overlaps are computed once
 * (MATERIALIZED: inlined into a per-parcel subquery they cost 35 s on PGlite for 300 parcels).
 */
export const LAND_SQL = `
  WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(?), 4326) AS g),
  c AS (SELECT p.idu, p.geom, ST_Intersection(p.geom, s.g) AS g FROM parcels p, s WHERE ST_Intersects(p.geom, s.g)),
  ov AS MATERIALIZED (SELECT x.idu AS a, y.idu AS b, ST_Area(ST_Intersection(x.g, y.geom)::geography) AS m2
         FROM c x JOIN c y ON x.idu < y.idu AND x.geom && y.geom AND ST_Overlaps(x.geom, y.geom)),
  ovs AS (SELECT idu, sum(m2) AS m2 FROM (SELECT a AS idu, m2 FROM ov UNION ALL SELECT b, m2 FROM ov) u GROUP BY idu)
  SELECT json_build_object(
    'areaM2', (SELECT ST_Area(g::geography) FROM s),
    'parcels', COALESCE((SELECT json_agg(json_build_object('idu', c.idu, 'effectiveM2', ST_Area(c.g::geography) - 0.5 * COALESCE(ovs.m2, 0)))
        FROM c LEFT JOIN ovs ON ovs.idu = c.idu), '[]'::json),
    'communes', COALESCE((SELECT json_agg(json_build_object('insee', m.insee, 'm2', ST_Area(ST_Intersection(m.geom, s.g)::geography)))
        FROM communes m, s WHERE m.in_territory AND ST_Intersects(m.geom, s.g)), '[]'::json)
  ) AS land`;

export async function landInside(db: Db, geojson: string): Promise<LandRows> {
  const { rows } = await db.raw(LAND_SQL, [geojson]);
  const land = rows[0].land;
  return (typeof land === 'string' ? JSON.parse(land) : land) as LandRows;
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

/** Recomputations whose outcome or delegate differs from the version before: the list planners must review. */
export async function outcomeFlips(db: Db): Promise<{ id: number; name: string; version: number; at: string; from: { outcome: string; delegate: string | null }; to: { outcome: string; delegate: string | null } }[]> {
  const { rows } = await db.raw(
    `SELECT v.subsector_id AS id, v.name, v.version, v.created_at AS at, p.outcome AS from_outcome, p.delegate_organisation_code AS from_delegate,
            v.outcome AS to_outcome, v.delegate_organisation_code AS to_delegate
     FROM subsector_versions v JOIN subsector_versions p ON p.subsector_id = v.subsector_id AND p.version = v.version - 1
     WHERE v.change = 'recomputed' AND (p.outcome, p.delegate_organisation_code) IS DISTINCT FROM (v.outcome, v.delegate_organisation_code)
     ORDER BY v.created_at DESC, v.subsector_id LIMIT 200`,
  );
  return rows.map((r: any) => ({ id: r.id, name: r.name, version: r.version, at: r.at, from: { outcome: r.from_outcome, delegate: r.from_delegate }, to: { outcome: r.to_outcome, delegate: r.to_delegate } }));
}

/** Parcels, overlaps and commune outlines in a bbox, for the browser's live preview (bounded by the caller). */
export async function landInBbox(db: Db, bbox: [number, number, number, number], limit: number) {
  const env = db.raw('ST_MakeEnvelope(?, ?, ?, ?, 4326)', bbox);
  const { rows: parcels } = await db.raw(
    `SELECT p.idu, ST_AsGeoJSON(p.geom, 7)::json AS geometry FROM parcels p WHERE p.geom && ? LIMIT ?`,
    [env, limit + 1],
  );
  const { rows: overlaps } = await db.raw(
    `SELECT x.idu AS a, y.idu AS b, ST_AsGeoJSON(ST_CollectionExtract(ST_Intersection(x.geom, y.geom), 3), 7)::json AS geometry
     FROM parcels x JOIN parcels y ON x.idu < y.idu AND x.geom && y.geom
     WHERE x.geom && ? AND ST_Overlaps(x.geom, y.geom)`,
    [env],
  );
  const { rows: communes } = await db.raw(
    `SELECT insee, ST_AsGeoJSON(geom, 7)::json AS geometry FROM communes WHERE in_territory AND geom && ?`,
    [env],
  );
  return { parcels: parcels as { idu: string; geometry: unknown }[], overlaps: overlaps as { a: string; b: string; geometry: unknown }[], communes: communes as { insee: string; geometry: unknown }[] };
}

/** Serialises sub-sector saves until the transaction ends, so that two planners cannot both pass the overlap check. */
export async function lockSubsectorSaves(trx: Knex.Transaction): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(7301)');
}

/** Ids of the active sub-sectors. */
export async function activeSubsectorIds(db: Db): Promise<number[]> {
  return ((await db('subsectors').where({ status: 'active' }).select('id')) as { id: number }[]).map((r) => r.id);
}

import type { Knex } from 'knex';
import type { OverlapKind } from '../domain/parcel-overlaps.js';

type Db = Knex | Knex.Transaction;

/** Two parcels sharing area: `a` < `b`, how they meet, and the shared area (m², geography). */
export interface OverlapPair {
  a: string;
  b: string;
  kind: OverlapKind;
  m2: number;
}

/**
 * The pairs of parcels sharing area (DESIGN 3.2: slivers, nested parcels, identical geometries) among at most `limit`
 * parcels of a commune after the IDU `after` (in IDU order), with their neighbours of any commune — one bounded
 * statement per slice, so that a whole commune never runs as one long statement on the embedded database.
 * Neighbours come through the GiST index; `last` is the slice's last IDU (null when the commune is done).
 */
export async function overlapPairsAfter(db: Db, commune: string, after: string, limit: number): Promise<{ pairs: OverlapPair[]; last: string | null }> {
  const { rows } = await db.raw(
    `WITH src AS MATERIALIZED (SELECT idu, geom FROM parcels WHERE commune_insee = ? AND idu > ? ORDER BY idu LIMIT ?),
     pairs AS (SELECT LEAST(x.idu, n.idu) AS a, GREATEST(x.idu, n.idu) AS b, n.kind, n.m2
       FROM src x CROSS JOIN LATERAL (
         SELECT q.idu, CASE WHEN ST_Equals(x.geom, q.geom) THEN 'identical'
                            WHEN ST_Covers(x.geom, q.geom) OR ST_Covers(q.geom, x.geom) THEN 'nested' ELSE 'overlap' END AS kind,
                ST_Area(ST_Intersection(x.geom, q.geom)::geography) AS m2
         FROM parcels q WHERE q.geom && x.geom AND q.idu <> x.idu AND ST_Relate(x.geom, q.geom, '2********')) n)
     SELECT (SELECT max(idu) FROM src) AS last, (SELECT count(*)::int FROM src) AS n,
       COALESCE((SELECT json_agg(DISTINCT jsonb_build_object('a', a, 'b', b, 'kind', kind, 'm2', m2)) FROM pairs), '[]'::json) AS pairs`,
    [commune, after, limit],
  );
  if (!rows[0]) throw new Error('overlapPairsAfter returned no row'); // see landInside
  const pairs = typeof rows[0].pairs === 'string' ? JSON.parse(rows[0].pairs) : rows[0].pairs;
  return { pairs: pairs as OverlapPair[], last: Number(rows[0].n) < limit ? null : (rows[0].last as string) };
}

/** The area covered by more than one parcel of each group (GeoJSON, m²), for the groups of one page only. */
export async function sharedAreas(db: Db, groups: { id: string; pairs: { a: string; b: string }[] }[]): Promise<Map<string, { m2: number; geometry: unknown }>> {
  if (groups.length === 0) return new Map();
  const { rows } = await db.raw(
    `WITH g AS (SELECT x->>'id' AS id, p->>'a' AS a, p->>'b' AS b FROM jsonb_array_elements(?::jsonb) x, jsonb_array_elements(x->'pairs') p),
     s AS (SELECT g.id, ST_Union(ST_CollectionExtract(ST_Intersection(pa.geom, pb.geom), 3)) AS geom
       FROM g JOIN parcels pa ON pa.idu = g.a JOIN parcels pb ON pb.idu = g.b GROUP BY g.id)
     SELECT id, ST_Area(geom::geography) AS m2, ST_AsGeoJSON(geom, 7)::json AS geometry FROM s`,
    [JSON.stringify(groups)],
  );
  return new Map((rows as { id: string; m2: number; geometry: unknown }[]).map((r) => [r.id, { m2: Number(r.m2), geometry: typeof r.geometry === 'string' ? JSON.parse(r.geometry) : r.geometry }]));
}

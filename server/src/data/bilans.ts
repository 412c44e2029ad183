/** The annual review's own reads (DESIGN 3.5): the outlines drawn on its map. Figures come from `data/stats.ts`. */
import type { Knex } from 'knex';
import type { Geometry } from 'geojson';

type Db = Knex | Knex.Transaction;
const json = (v: unknown): Geometry => (typeof v === 'string' ? JSON.parse(v) : v) as Geometry;

/** The outline of the commune (or of every commune of the territory when `insee` is null) and the QPV inside it. */
export async function bilanOutlines(db: Db, insee: string | null): Promise<{ communes: Geometry[]; qpv: Geometry[] }> {
  const { rows } = await db.raw(
    `SELECT 'commune' AS kind, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00005), 6)::json AS g FROM communes WHERE (?::text IS NULL AND in_territory) OR insee = ?
     UNION ALL
     SELECT 'qpv', ST_AsGeoJSON(ST_SimplifyPreserveTopology(q.geom, 0.00002), 6)::json FROM qpv q
      WHERE ?::text IS NULL OR EXISTS (SELECT 1 FROM communes c WHERE c.insee = ? AND ST_Intersects(c.geom, q.geom))`,
    [insee, insee, insee, insee],
  );
  const of = (k: string) => (rows as { kind: string; g: unknown }[]).filter((r) => r.kind === k && r.g).map((r) => json(r.g));
  return { communes: of('commune'), qpv: of('qpv') };
}

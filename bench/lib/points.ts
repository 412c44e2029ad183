import type { Knex } from 'knex';
import { prng, shuffle } from './stats.js';

export interface BenchPoint {
  lon: number;
  lat: number;
  kind: 'parcel' | 'public';
}

/**
 * Points to look up, drawn once per run and the same every run: mostly a point inside a random parcel
 * (ST_PointOnSurface), plus a share of random points of the territory's communes that fall in no parcel (streets,
 * public domain). Deterministic: the parcels are picked by a hash of their id, the public points by a seeded
 * ST_GeneratePoints, and the whole list shuffled with a seeded PRNG.
 */
export async function samplePoints(knex: Knex, total = 2000, publicShare = 0.1, seed = 42): Promise<BenchPoint[]> {
  const nPublic = Math.round(total * publicShare);
  const nParcel = total - nPublic;
  const parcels = await knex.raw(
    `SELECT ST_X(pt) AS lon, ST_Y(pt) AS lat FROM (
       SELECT ST_PointOnSurface(geom) AS pt FROM parcels ORDER BY md5(idu || ?) LIMIT ?) a`,
    [String(seed), nParcel],
  );
  const publicPoints = await knex.raw(
    `SELECT ST_X(g.pt) AS lon, ST_Y(g.pt) AS lat FROM (
       SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), ?, ?))).geom AS pt FROM communes WHERE in_territory) g
     WHERE NOT EXISTS (SELECT 1 FROM parcels p WHERE ST_Intersects(p.geom, g.pt))
     LIMIT ?`,
    [nPublic * 10, seed, nPublic],
  );
  const points: BenchPoint[] = [
    ...(parcels.rows as { lon: number; lat: number }[]).map((p) => ({ lon: p.lon, lat: p.lat, kind: 'parcel' as const })),
    ...(publicPoints.rows as { lon: number; lat: number }[]).map((p) => ({ lon: p.lon, lat: p.lat, kind: 'public' as const })),
  ];
  if (points.length < total * 0.9) throw new Error(`seulement ${points.length} points tirés sur ${total}`);
  return shuffle(points, prng(seed));
}

/**
 * Property test of DESIGN 3.2 on the real cadastre where parcels are nested (garages inside a larger parcel, an
 * agglomeration parcel enclosing commune parcels…): the nested parcels are found by a query, perimeters are drawn
 * around them at random (seeded), and for each one the browser's live preview agrees with PostGIS within 0.1 point
 * and no land is counted twice (the parcels' land is the area of their union inside the perimeter).
 */
import type { Polygon } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareLand, previewDelegation } from '../../server/src/domain/delegation-land.js';
import type { DelegationResult } from '../../server/src/domain/delegation.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { prng } from '../support/random.js';

let planner: string;
beforeAll(async () => {
  planner = await login('urbaniste@demo.gup');
});

/** A random star-shaped polygon: 5–14 vertices at 20–120 m around [lon, lat], shifted by up to 30 m. */
function perimeterAround(rand: () => number, [lon, lat]: [number, number]): Polygon {
  const mx = 111_320 * Math.cos((lat * Math.PI) / 180);
  const cx = lon + ((rand() - 0.5) * 60) / mx;
  const cy = lat + ((rand() - 0.5) * 60) / 110_540;
  const count = 5 + Math.floor(rand() * 10);
  // jittered around even steps: gaps stay below π, so the polygon is star-shaped around the centre, hence simple
  const angles = Array.from({ length: count }, (_, i) => ((i + 0.8 * rand()) * 2 * Math.PI) / count);
  const ring = angles.map((a) => {
    const r = 20 + rand() * 100;
    return [cx + (r * Math.cos(a)) / mx, cy + (r * Math.sin(a)) / 110_540];
  });
  ring.push(ring[0]!);
  return { type: 'Polygon', coordinates: [ring] };
}

/** What the client fetches: the perimeter's bbox grown by 150 m (client/src/composables/useLand.ts). */
function landBbox(g: Polygon): number[] {
  const xs = g.coordinates[0]!.map((p) => p[0]!);
  const ys = g.coordinates[0]!.map((p) => p[1]!);
  const lat = (Math.min(...ys) + Math.max(...ys)) / 2;
  const dx = 150 / (111_320 * Math.cos((lat * Math.PI) / 180));
  const dy = 150 / 111_320;
  return [Math.min(...xs) - dx, Math.min(...ys) - dy, Math.max(...xs) + dx, Math.max(...ys) + dy];
}

const landOf = (r: DelegationResult) => r.areaM2 - r.publicDomainM2;

describe('nested parcels of the real cadastre (DESIGN 3.2)', () => {
  it('when perimeters are drawn around parcels nested in others, then browser and PostGIS agree within 0.1 point and no land is counted twice', async () => {
    const { db } = await testContext();
    // parcels inside another parcel (or identical to one): the cases ST_Overlaps missed
    const { rows: nested } = await db.knex.raw(
      `SELECT DISTINCT ON (y.idu) y.idu, x.idu AS container, ST_X(ST_PointOnSurface(y.geom)) AS lon, ST_Y(ST_PointOnSurface(y.geom)) AS lat
       FROM parcels x JOIN parcels y ON x.idu <> y.idu AND x.geom && y.geom AND ST_Covers(x.geom, y.geom)
       ORDER BY y.idu, x.idu`,
    );
    expect(nested.length).toBeGreaterThanOrEqual(10);
    const rand = prng(20261129);
    const sample = nested.filter((_: unknown, i: number) => i % Math.ceil(nested.length / 12) === 0);
    let checked = 0;
    for (const n of sample) {
      for (let k = 0; k < 2; k++) {
        const perimeter = perimeterAround(rand, [Number(n.lon), Number(n.lat)]);
        const label = `around ${n.idu} (in ${n.container}), ${JSON.stringify(perimeter)}`;
        const server = await api('/api/subsectors/preview', { body: { geometry: perimeter }, cookie: planner });
        if (server.status === 422 && server.body.error.details?.reason === 'outside_territory') continue;
        expect(server.status, `${label}: ${JSON.stringify(server.body)}`).toBe(200);
        const { rows } = await db.knex.raw(
          `WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(?), 4326) AS g)
           SELECT COALESCE(ST_Area(ST_Intersection(ST_Union(p.geom), (SELECT g FROM s))::geography), 0) AS m2
           FROM parcels p WHERE p.geom && (SELECT g FROM s) AND ST_Intersects(p.geom, (SELECT g FROM s))`,
          [JSON.stringify(perimeter)],
        );
        const union = Number(rows[0].m2);
        const epsilon = 1 + union * 1e-3;
        expect(landOf(server.body), `PostGIS land vs union, ${label}`).toBeLessThanOrEqual(union + epsilon);
        expect(landOf(server.body), `PostGIS land vs union, ${label}`).toBeGreaterThanOrEqual(union - epsilon);
        const land = await api(`/api/subsectors/land?bbox=${landBbox(perimeter).join(',')}`, { cookie: planner });
        expect(land.status).toBe(200);
        const browser = previewDelegation(perimeter, prepareLand(land.body.parcels, land.body.faces, land.body.communes), land.body.threshold);

        const actors = new Set([...server.body.shares.map((s: { actor: string }) => s.actor), ...browser.shares.map((s) => s.actor)]);
        for (const actor of actors) {
          const a = server.body.shares.find((s: { actor: string }) => s.actor === actor)?.share ?? 0;
          const b = browser.shares.find((s) => s.actor === actor)?.share ?? 0;
          expect(Math.abs(a - b), `${label}, actor ${actor}`).toBeLessThan(0.001);
        }
        expect(landOf(browser), `browser land vs union, ${label}`).toBeLessThanOrEqual(union + epsilon);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(16);
  }, 120_000);
});

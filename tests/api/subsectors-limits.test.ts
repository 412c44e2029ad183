/**
 * Issue 11, denial of service: one preview of a rectangle over the territory ran 172 s and the embedded server
 * answered nothing else meanwhile. Preview and save are for those who draw, bounded by LAND_LIMITS (the same bounds
 * as /land), and the server keeps answering while the costliest allowed preview runs.
 */
import type { Polygon } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAND_LIMITS } from '../../server/src/domain/geometry.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

let planner: string;
let commune: string;
let officer: string;
beforeAll(async () => {
  planner = await login('urbaniste@demo.gup');
  commune = await login('mairie.athis@demo.gup');
  officer = await login('gup@demo.gup');
});

/** A square of `side` metres centred on [lon, lat]. */
function square([lon, lat]: [number, number], side: number): Polygon {
  const dx = side / 2 / (111_320 * Math.cos((lat * Math.PI) / 180));
  const dy = side / 2 / 110_540;
  return { type: 'Polygon', coordinates: [[[lon - dx, lat - dy], [lon + dx, lat - dy], [lon + dx, lat + dy], [lon - dx, lat + dy], [lon - dx, lat - dy]]] };
}
const bboxOf = (g: Polygon) => [g.coordinates[0]![0]![0]!, g.coordinates[0]![0]![1]!, g.coordinates[0]![2]![0]!, g.coordinates[0]![2]![1]!];
/** The rectangle: five points over the whole territory (Athis-Mons, Juvisy, Morangis, Paray). */
const TERRITORY: Polygon = { type: 'Polygon', coordinates: [[[2.30, 48.68], [2.42, 48.68], [2.42, 48.73], [2.30, 48.73], [2.30, 48.68]]] };
/** The densest part of the demo cadastre (≈ 1 800 parcels per km²), Athis-Mons. */
const DENSE: [number, number] = [2.37, 48.70];
const countRows = async (table: string) => Number((await (await testContext()).db.knex(table).count({ n: '*' }))[0]!.n);

async function parcelsNearSquare(g: Polygon): Promise<number> {
  const { db } = await testContext();
  const { rows } = await db.knex.raw('SELECT count(*)::int AS n FROM parcels WHERE geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)', bboxOf(g));
  return Number(rows[0].n);
}

describe('sub-sector preview and save are bounded (issue 11)', () => {
  it('when a commune user or a GUP officer asks for a preview, then 403: only those who draw compute shares', async () => {
    const geometry = square(DENSE, 100);
    expect((await api('/api/subsectors/preview', { body: { geometry }, cookie: commune })).status).toBe(403);
    expect((await api('/api/subsectors/preview', { body: { geometry }, cookie: officer })).status).toBe(403);
    expect((await api('/api/subsectors/preview', { body: { geometry }, cookie: planner })).status).toBe(200);
  });

  it('when a planner previews or saves a rectangle over the whole territory, then 422 naming the area limit, at once, and nothing is stored', async () => {
    const before = await countRows('subsector_versions');
    const t0 = performance.now();
    const preview = await api('/api/subsectors/preview', { body: { geometry: TERRITORY }, cookie: planner });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(preview.status).toBe(422);
    expect(preview.body.error).toMatchObject({ code: 'too_large', details: { field: 'geometry', limit: 'maxAreaM2', max: LAND_LIMITS.maxAreaM2 } });
    expect(preview.body.error.message).toContain(`${LAND_LIMITS.maxAreaM2 / 10_000} ha au plus`);
    const saved = await api('/api/subsectors', { body: { type: 'Feature', geometry: TERRITORY, properties: { name: 'Tout le territoire' } }, cookie: planner });
    expect(saved.status).toBe(422);
    expect(saved.body.error.details.limit).toBe('maxAreaM2');
    const land = await api(`/api/subsectors/land?bbox=${bboxOf(TERRITORY).join(',')}`, { cookie: planner });
    expect(land.status).toBe(422);
    expect(land.body.error.details).toMatchObject({ field: 'bbox', limit: 'maxAreaM2' });
    expect(await countRows('subsector_versions')).toBe(before);
  });

  it('when a perimeter under the area limit takes in more parcels than allowed, then 422 naming the parcel limit, on preview, save and /land', async () => {
    const geometry = square(DENSE, 1400); // 1.96 km²
    expect(await parcelsNearSquare(geometry)).toBeGreaterThan(LAND_LIMITS.maxParcels);
    const before = await countRows('subsector_versions');
    const preview = await api('/api/subsectors/preview', { body: { geometry }, cookie: planner });
    expect(preview.status).toBe(422);
    expect(preview.body.error.details).toMatchObject({ field: 'geometry', limit: 'maxParcels', max: LAND_LIMITS.maxParcels });
    expect(preview.body.error.message).toContain(String(LAND_LIMITS.maxParcels));
    const saved = await api('/api/subsectors', { body: { type: 'Feature', geometry, properties: { name: 'Trop de parcelles' } }, cookie: planner });
    expect(saved.status).toBe(422);
    const land = await api(`/api/subsectors/land?bbox=${bboxOf(geometry).join(',')}`, { cookie: planner });
    expect(land.status).toBe(422);
    expect(land.body.error.details).toMatchObject({ field: 'bbox', limit: 'maxParcels' });
    expect(await countRows('subsector_versions')).toBe(before);
  });

  it('when the costliest allowed preview runs, then /api/health still answers within 1 s throughout', async () => {
    // the largest square over the densest land that the limits allow (found by counting, 20 m steps)
    let side = 1400;
    while ((await parcelsNearSquare(square(DENSE, side))) > LAND_LIMITS.maxParcels) side -= 20;
    const geometry = square(DENSE, side);
    // once unmeasured: the first run of PostGIS's code in the WASM engine compiles it (~1 s, once per process)
    expect((await api('/api/subsectors/preview', { body: { geometry }, cookie: planner })).status).toBe(200);
    let done = false;
    const preview = api('/api/subsectors/preview', { body: { geometry }, cookie: planner }).finally(() => { done = true; });
    const waits: number[] = [];
    while (!done) {
      const t0 = performance.now();
      const health = await api('/api/health');
      waits.push(performance.now() - t0);
      expect(health.status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await preview).status).toBe(200);
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits), `health waits (ms): ${waits.map(Math.round).join(', ')}`).toBeLessThan(1000);
  });
});

/** Polls /api/health every 50 ms while `work` runs; returns the work's result and the longest wait. */
async function healthDuring<T>(work: Promise<T>): Promise<{ result: T; waits: number[] }> {
  let done = false;
  const tracked = work.finally(() => { done = true; });
  const waits: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const health = await api('/api/health');
    waits.push(performance.now() - t0);
    expect(health.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { result: await tracked, waits };
}

describe('saving a collection of large perimeters', () => {
  it('when a planner imports a collection of the largest allowed perimeters, then /api/health answers within 1 s throughout', async () => {
    let side = 1400;
    while ((await parcelsNearSquare(square(DENSE, side))) > LAND_LIMITS.maxParcels) side -= 20;
    const geometry = square(DENSE, side);
    expect((await api('/api/subsectors/preview', { body: { geometry }, cookie: planner })).status).toBe(200); // warm (see above)
    const features = Array.from({ length: 3 }, (_, i) => ({ type: 'Feature', geometry, properties: { name: `Grand périmètre ${i + 1} (test)`, allowOverlap: true } }));
    const { result, waits } = await healthDuring(api('/api/subsectors', { body: { type: 'FeatureCollection', features }, cookie: planner }));
    try {
      expect(result.status).toBe(201);
      expect(Math.max(...waits), `health waits (ms): ${waits.map(Math.round).join(', ')}`).toBeLessThan(1000);
    } finally {
      for (const f of result.body.features ?? []) await api(`/api/subsectors/${f.id}`, { method: 'DELETE', cookie: planner });
    }
  }, 60_000);
});

describe('statement timeout', () => {
  it('when the app runs on PostgreSQL, then its statements are cancelled after GUP_STATEMENT_TIMEOUT_MS (10 s by default) and never JIT-compiled; the embedded database is bounded by LAND_LIMITS instead', async () => {
    const { db } = await testContext();
    const { rows } = await db.knex.raw('SHOW statement_timeout');
    expect(rows[0].statement_timeout).toBe(db.engine === 'postgres' ? '10s' : '0');
    // and without JIT compilation, which cost PostgreSQL 0.6–1 s per call of the partition query (PGlite has no LLVM)
    expect((await db.knex.raw('SHOW jit')).rows[0].jit).toBe(db.engine === 'postgres' ? 'off' : 'on');
  });
});

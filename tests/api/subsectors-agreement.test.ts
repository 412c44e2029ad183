import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Polygon } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../server/src/import/index.js';
import { paths } from '../../server/src/config.js';
import { prepareLand, previewDelegation, type PreparedLand } from '../../server/src/domain/delegation-land.js';
import { testContext } from '../support/context.js';
import { DEMO } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { prng } from '../support/random.js';

let planner: string;
beforeAll(async () => {
  planner = await login('urbaniste@demo.gup');
});

/** A random star-shaped (hence simple) polygon: 5–14 vertices at 25–160 m around a centre. */
function randomPerimeter(rand: () => number, [w, s, e, n]: number[]): Polygon {
  const cx = w! + (e! - w!) * (0.25 + 0.5 * rand());
  const cy = s! + (n! - s!) * (0.25 + 0.5 * rand());
  const count = 5 + Math.floor(rand() * 10);
  // jittered around even steps: gaps stay below π, so the polygon is star-shaped around the centre, hence simple
  const angles = Array.from({ length: count }, (_, i) => ((i + 0.8 * rand()) * 2 * Math.PI) / count);
  const ring = angles.map((a) => {
    const r = 25 + rand() * 135;
    return [cx + (r * Math.cos(a)) / (111_320 * Math.cos((cy * Math.PI) / 180)), cy + (r * Math.sin(a)) / 110_540];
  });
  ring.push(ring[0]!);
  return { type: 'Polygon', coordinates: [ring] };
}

describe('browser preview and PostGIS agree (DESIGN 3.2)', () => {
  it('when 40 random perimeters are drawn over the real parcels of Noyer Renard, then every share agrees within 0.1 point', async () => {
    const bbox = [2.3565, 48.7005, 2.3665, 48.7065]; // ≤ LAND_LIMITS.maxParcels; perimeters stay ≥ 160 m inside it
    const land = await api(`/api/subsectors/land?bbox=${bbox.join(',')}`, { cookie: planner });
    expect(land.status).toBe(200);
    expect(land.body.parcels.length).toBeGreaterThan(300);
    const prepared: PreparedLand = prepareLand(land.body.parcels, land.body.faces, land.body.communes);
    const rand = prng(20261121);
    let worst = 0;
    for (let i = 0; i < 40; i++) {
      const perimeter = randomPerimeter(rand, bbox);
      const server = await api('/api/subsectors/preview', { body: { geometry: perimeter }, cookie: planner });
      expect(server.status, JSON.stringify(server.body)).toBe(200);
      const browser = previewDelegation(perimeter, prepared, land.body.threshold);
      const actors = new Set([...server.body.shares.map((s: any) => s.actor), ...browser.shares.map((s) => s.actor)]);
      for (const actor of actors) {
        const a = server.body.shares.find((s: any) => s.actor === actor)?.share ?? 0;
        const b = browser.shares.find((s) => s.actor === actor)?.share ?? 0;
        worst = Math.max(worst, Math.abs(a - b));
        expect(Math.abs(a - b), `perimeter ${i}, actor ${actor}: ${JSON.stringify(perimeter)}`).toBeLessThan(0.001);
      }
      if (Math.abs(server.body.topShare - server.body.threshold) > 0.001) expect(browser.outcome).toBe(server.body.outcome);
    }
    expect(worst).toBeLessThan(0.001);
  });
});

describe('recomputation when ownership changes', () => {
  it('when a re-import of the owners gives the land to another landlord, then the sub-sector is recomputed, the flip is in its history and listed for planners', async () => {
    const { db } = await testContext();
    const { rows } = await db.knex.raw(
      `SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(ST_GeometryN(ST_Buffer(geom::geography, 2)::geometry, 1), 0.000005), 7)::json AS g FROM parcels WHERE idu = ?`,
      [DEMO.landlordOph],
    );
    const geometry = typeof rows[0].g === 'string' ? JSON.parse(rows[0].g) : rows[0].g;
    const created = await api('/api/subsectors', { body: { type: 'Feature', geometry, properties: { name: 'Bascule (test)' } }, cookie: planner });
    expect(created.body.properties.delegate.code).toBe('oph');

    const original = fs.readFileSync(path.join(paths.demoGeodata, 'proprietaires', 'parcelles-personnes-morales-91.SYNTHETIQUE.csv'));
    const lines = original.toString('latin1').split(/\r?\n/);
    const section = DEMO.landlordOph.slice(8, 10).replace(/^0/, '');
    const plan = String(Number(DEMO.landlordOph.slice(10)));
    const changed = lines.map((l) => {
      const c = l.split(';');
      if (c[2] !== '027' || c[5] !== section || c[6] !== plan) return l;
      c[19] = '990000029'; c[20] = '5'; c[23] = 'SA HLM LES COTEAUX DE L ORGE (FICTIF)';
      return c.join(';');
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-owners-'));
    const file = path.join(dir, 'owners-v2.csv');
    fs.writeFileSync(file, Buffer.from(changed.join('\n'), 'latin1'));
    try {
      const [summary] = await importPaths(db.knex, [file]);
      expect(summary!.note).toMatch(/sous-secteur/);
      const versions = await api(`/api/subsectors/${created.body.id}/versions`, { cookie: planner });
      expect(versions.body.features[0].properties).toMatchObject({ change: 'recomputed', delegate: { code: 'esh' } });
      const changes = await api('/api/subsectors/changes', { cookie: planner });
      expect(changes.body.changes[0]).toMatchObject({ id: created.body.id, from: { outcome: 'delegated', delegate: 'oph' }, to: { outcome: 'delegated', delegate: 'esh' } });
    } finally {
      const restoreFile = path.join(dir, 'parcelles-personnes-morales-91.csv');
      fs.writeFileSync(restoreFile, original);
      await importPaths(db.knex, [restoreFile]);
      await api(`/api/subsectors/${created.body.id}`, { method: 'DELETE', cookie: planner });
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { tileUrls, FIELD_TILES } from '../../client/src/offline/tiles.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

// Attacker's pass over the walking diagnoses (/api/diagnostics…): a session's route or area is what every participant's
// phone prepares offline (its map tiles), so its extent is a cost; other communes' sessions, observations and photos stay
// unseen.

let athis: string;
let juvisy: string;
let officer: string;
let sessionId: number;
let observationId: number;
let photoId: number;

const [X, Y] = DEMO.publicDomainNoyerRenard;
const box = (dx: number, dy: number) => ({ type: 'Polygon', coordinates: [[[X - dx, Y - dy], [X + dx, Y - dy], [X + dx, Y + dy], [X - dx, Y + dy], [X - dx, Y - dy]]] });
const session = (extra: Record<string, unknown> = {}) => ({ title: 'Diagnostic attaqué', commune: '91027', heldOn: '2026-11-20', geometry: box(0.002, 0.0015), ...extra });

async function count(): Promise<number> {
  const { db } = await testContext();
  return Number((await db.knex('diagnostics').count({ n: '*' }))[0]!.n);
}

beforeAll(async () => {
  athis = await login('mairie.athis@demo.gup');
  juvisy = await login('mairie.juvisy@demo.gup');
  officer = await login('gup@demo.gup');
  const created = await api('/api/diagnostics', { cookie: athis, body: session() });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  sessionId = created.body.id;
  const obs = await api(`/api/diagnostics/${sessionId}/observations`, { cookie: athis, body: { uuid: crypto.randomUUID(), lon: X, lat: Y, criterion: 'depot_encombrants', kind: 'dysfunction', text: 'Dépôt sauvage' } });
  expect(obs.status, JSON.stringify(obs.body)).toBe(201);
  observationId = obs.body.id;
  const form = new FormData();
  form.set('uuid', crypto.randomUUID());
  form.set('photo', new Blob([new Uint8Array(await sharp({ create: { width: 32, height: 24, channels: 3, background: '#a37' } }).jpeg().toBuffer())], { type: 'image/jpeg' }), 'p.jpg');
  const photo = await api(`/api/diagnostics/${sessionId}/observations/${obs.body.uuid}/photos`, { method: 'POST', raw: form, cookie: athis });
  expect(photo.status, JSON.stringify(photo.body)).toBe(201);
  const details = await api(`/api/diagnostics/${sessionId}`, { cookie: athis });
  photoId = details.body.observations[0].photos[0].id;
});

describe('attack: walking diagnoses', () => {
  it('when a commune user draws an area or a route over a whole region, then 422 naming geometry and no session is stored', async () => {
    const region = { type: 'Polygon', coordinates: [[[-4, 43], [7, 43], [7, 50], [-4, 50], [-4, 43]]] };
    // a participant's phone prepares the session's tiles for the field: over this region, millions of tiles (the
    // browser's tab computes their list for tens of seconds before fetching any)
    const longRoute = { type: 'LineString', coordinates: [[X, Y], [X + 0.2, Y]] };
    const before = await count();
    for (const geometry of [region, longRoute, box(0.05, 0.001)]) {
      const res = await api('/api/diagnostics', { cookie: athis, body: session({ geometry }) });
      expect(res.status, JSON.stringify(geometry)).toBe(422);
      expect(res.body.error.details[0].field).toBe('geometry');
    }
    const edit = await api(`/api/diagnostics/${sessionId}`, { method: 'PUT', cookie: athis, body: { geometry: region } });
    expect(edit.status).toBe(422);
    expect(await count()).toBe(before);
    expect((await api(`/api/diagnostics/${sessionId}`, { cookie: athis })).body.bbox[2] - (X - 0.002)).toBeLessThan(0.01);
  });

  it('when a commune user draws its session in another commune or names another commune\'s QPV, then 422 naming geometry / qpv and nothing is stored', async () => {
    const { db } = await testContext();
    const [jx, jy] = await pointIn(DEMO.communeJuvisy);
    const inJuvisy = { type: 'LineString', coordinates: [[jx - 0.0005, jy], [jx + 0.0005, jy]] };
    const { rows } = await db.knex.raw("SELECT q.code FROM qpv q JOIN communes c ON c.insee = '91326' AND ST_Intersects(q.geom, c.geom) AND NOT ST_Touches(q.geom, c.geom) WHERE NOT EXISTS (SELECT 1 FROM communes a WHERE a.insee = '91027' AND ST_Intersects(q.geom, a.geom)) LIMIT 1");
    const before = await count();
    const drawn = await api('/api/diagnostics', { cookie: athis, body: session({ geometry: inJuvisy }) });
    expect(drawn.status).toBe(422);
    expect(drawn.body.error.details[0].field).toBe('geometry');
    expect((await api(`/api/diagnostics/${sessionId}`, { method: 'PUT', cookie: athis, body: { geometry: inJuvisy } })).status).toBe(422);
    if (rows[0]) {
      const named = await api('/api/diagnostics', { cookie: athis, body: session({ qpv: rows[0].code }) });
      expect(named.status).toBe(422);
      expect(named.body.error.details[0].field).toBe('qpv');
    }
    expect(await count()).toBe(before);
    expect((await api('/api/diagnostics', { cookie: athis, body: session({ qpv: 'QP091028', title: 'Dans sa commune' }) })).status).toBe(201);
  });

  it('when an area fits a neighbourhood walk, then it is accepted and its offline tiles stay a few thousand', async () => {
    const res = await api('/api/diagnostics', { cookie: officer, body: session({ geometry: box(0.025, 0.018), title: 'Grand quartier' }) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(tileUrls(res.body.bbox, FIELD_TILES).length).toBeLessThan(3_000);
  });

  it('when a commune user of another commune reads the session, its observations or a photo, then 404', async () => {
    expect((await api(`/api/diagnostics/${sessionId}`, { cookie: juvisy })).status).toBe(404);
    expect((await api(`/api/diagnostics/${sessionId}/observations/${observationId}/photos/${photoId}`, { cookie: juvisy })).status).toBe(404);
    expect((await api(`/api/diagnostics/${sessionId}/minutes.pdf`, { cookie: juvisy })).status).toBe(404);
    const around = await api(`/api/diagnostics/observations?bbox=${X - 0.01},${Y - 0.01},${X + 0.01},${Y + 0.01}`, { cookie: juvisy });
    expect(around.status).toBe(200);
    expect(around.body.observations.map((o: { id: number }) => o.id)).not.toContain(observationId);
    const list = await api('/api/diagnostics', { cookie: juvisy });
    expect(list.body.diagnostics.map((d: { id: number }) => d.id)).not.toContain(sessionId);
    // and the owner still reads them
    expect((await api(`/api/diagnostics/${sessionId}/observations/${observationId}/photos/${photoId}`, { cookie: athis })).status).toBe(200);
  });

  it('when a commune user of another commune writes to the session, then 404 and nothing changes', async () => {
    const before = await api(`/api/diagnostics/${sessionId}`, { cookie: athis });
    expect((await api(`/api/diagnostics/${sessionId}`, { method: 'PUT', cookie: juvisy, body: { title: 'Piraté' } })).status).toBe(404);
    expect((await api(`/api/diagnostics/${sessionId}/observations`, { cookie: juvisy, body: { uuid: crypto.randomUUID(), lon: X, lat: Y, criterion: 'depot_encombrants', kind: 'dysfunction' } })).status).toBe(404);
    expect((await api(`/api/diagnostics/${sessionId}/observations/${observationId}/triage`, { cookie: juvisy, body: { to: 'dismiss', reason: 'x' } })).status).toBe(404);
    const after = await api(`/api/diagnostics/${sessionId}`, { cookie: athis });
    expect(after.body.title).toBe(before.body.title);
    expect(after.body.observations.map((o: { outcome: string }) => o.outcome)).toEqual(before.body.observations.map((o: { outcome: string }) => o.outcome));
  });

  it('when ids are huge, negative or not numbers, then 400 naming the parameter', async () => {
    for (const [path, field] of [
      ['/api/diagnostics/99999999999', 'id'], ['/api/diagnostics/-1', 'id'], ['/api/diagnostics/1.5', 'id'],
      [`/api/diagnostics/${sessionId}/observations/99999999999/photos/1`, 'oid'], [`/api/diagnostics/${sessionId}/observations/1/photos/0x10`, 'pid'],
    ] as const) {
      const res = await api(path, { cookie: officer });
      expect(res.status, path).toBe(400);
      expect(res.body.error.details[0].field, path).toBe(field);
    }
  });
});

import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import type { WorkSlots } from '../../server/src/http/work-slots.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postForm } from '../support/multipart.js';
import { reportTablesCount } from '../support/reports.js';

// The app's bounds on costly work (ctx.slots, server/src/http/work-slots.ts): who may ask is decided before a slot is
// taken, and photos are decoded a few at a time. The slots are filled here by held work in this process (the app's own
// `slots`), never by a flood of real requests: which of them finds a slot would depend on the machine's load.

let officer: string;
let athis: string;
let agent: string;
let athisId: number;
let agentId: number;
let athisSession: number;
let juvisySession: number;
const YEAR = 2013; // a year no other test file writes in

/** Work held in `slots` until `release()`: `ids` are the accounts it runs for (negative: no demo account). */
function hold(slots: WorkSlots, ids: number[]) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  const running = ids.map((id) => slots.run(id, () => held));
  return { release: async () => { release(); await Promise.all(running); } };
}
let holds: { release: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(holds.map((h) => h.release()));
  holds = [];
});

async function newSession(commune: string, idu: string): Promise<number> {
  const [x, y] = await pointIn(idu);
  const res = await api('/api/diagnostics', { cookie: officer, body: { title: `Diagnostic (créneaux) ${commune}`, commune, heldOn: '2013-06-01', geometry: { type: 'LineString', coordinates: [[x, y], [x + 0.001, y]] } } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

beforeAll(async () => {
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  agent = await login('dechets@demo.gup');
  athisId = (await api('/api/auth/me', { cookie: athis })).body.user.id;
  agentId = (await api('/api/auth/me', { cookie: agent })).body.user.id;
  athisSession = await newSession('91027', DEMO.landlordOph);
  juvisySession = await newSession('91326', DEMO.communeJuvisy);
});

describe('documents: the permission before the slot', () => {
  it('when a caller\'s document slots are all taken, then a bilan they may not read is still a 403 (another commune, a service agent), and one they may read a 429 with Retry-After', async () => {
    const { slots } = await testContext();
    holds.push(hold(slots.documents, [athisId, athisId, agentId, agentId]));
    for (const form of ['', '.pdf', '.csv']) {
      const other = await api(`/api/bilans/${YEAR}${form}?commune=91326`, { cookie: athis });
      expect(other.status, form).toBe(403);
      expect(other.body.error.code, form).toBe('forbidden');
      expect((await api(`/api/bilans/${YEAR}${form}`, { cookie: agent })).status, form).toBe(403);
      const own = await api(`/api/bilans/${YEAR}${form}`, { cookie: athis });
      expect(own.status, form).toBe(429);
      expect(own.body.error.code, form).toBe('too_many_requests');
      expect(Number(own.headers.get('retry-after')), form).toBeGreaterThan(0);
    }
  });

  it('when a caller\'s document slots are all taken, then the minutes of a session they do not reach are still a 404, and those of their own commune a 429', async () => {
    const { slots } = await testContext();
    holds.push(hold(slots.documents, [athisId, athisId, agentId, agentId]));
    expect((await api(`/api/diagnostics/${juvisySession}/minutes.pdf`, { cookie: athis })).status).toBe(404);
    expect((await api(`/api/diagnostics/${athisSession}/minutes.pdf`, { cookie: agent })).status).toBe(404);
    const own = await api(`/api/diagnostics/${athisSession}/minutes.pdf`, { cookie: athis });
    expect(own.status).toBe(429);
    expect(own.body.error.code).toBe('too_many_requests');
  });

  it('when the slots are free again, then the same minutes and bilan are served', async () => {
    const { slots } = await testContext();
    expect(slots.documents.busy).toBe(0);
    const minutes = await api(`/api/diagnostics/${athisSession}/minutes.pdf`, { cookie: athis });
    expect(minutes.status).toBe(200);
    expect(minutes.headers.get('content-type')).toContain('application/pdf');
    expect((await api(`/api/bilans/${YEAR}.csv`, { cookie: athis })).status).toBe(200);
  });
});

describe('slots: one set per app', () => {
  it('when one app\'s document slots are all taken, then another app in the same process (its own context) still serves the same caller', async () => {
    const { db, slots } = await testContext();
    const other = createApp({ db, config: { ...loadConfig({}), demo: true }, log: pino({ level: 'silent' }) });
    const server = await new Promise<Server>((resolve) => { const s = http.createServer(other).listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      holds.push(hold(slots.documents, [athisId, athisId]));
      expect((await api(`/api/bilans/${YEAR}.csv`, { cookie: athis })).status).toBe(429);
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/bilans/${YEAR}.csv`, { headers: { cookie: athis } });
      expect(res.status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('photos: decoded a few at a time', () => {
  let fields: Record<string, string>;
  let photo: Buffer;
  beforeAll(async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    fields = { category: 'depot_sauvage', description: 'Cartons devant le local vélos', lon: String(lon), lat: String(lat) };
    photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#a33' } }).jpeg().toBuffer();
  });
  const upload = () => postForm('/api/reports', fields, [{ bytes: photo, name: 'photo.jpg', type: 'image/jpeg' }], { cookie: athis });

  it('when every photo slot is taken, then an upload waits its turn, and is stored once a slot frees', async () => {
    const { slots } = await testContext();
    const running = hold(slots.photos, [-1, -2]);
    holds.push(running);
    expect(slots.photos.busy).toBe(2);
    let answered = false;
    const pending = upload().then((res) => { answered = true; return res; });
    for (let i = 0; i < 500 && slots.photos.queued === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(slots.photos.queued).toBe(1); // the upload reached the decoding, and waits
    expect(answered).toBe(false);
    await running.release();
    const res = await pending;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await api(`/api/reports/${res.body.id}`, { cookie: athis })).body.photos).toHaveLength(1);
  });

  it('when the photo slots and their queue are full, then an upload is refused at once with a 503 in French and Retry-After, and nothing is stored', async () => {
    const { slots } = await testContext();
    holds.push(hold(slots.photos, Array.from({ length: 10 }, (_, i) => -1 - i))); // 2 running, 8 waiting
    expect(slots.photos.queued).toBe(8);
    const before = await reportTablesCount();
    const res = await upload();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('busy');
    expect(res.body.error.message).toContain('photos');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await reportTablesCount()).toEqual(before);
  });
});

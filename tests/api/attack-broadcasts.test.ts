import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO } from '../support/geo.js';
import { api, login } from '../support/http.js';

// Attacker's pass over the information to the communes (POST /api/broadcasts, GET /:id, POST /:id/ack): the title is
// the subject of the e-mails queued for every commune user concerned; other communes' messages stay unseen.

let officer: string;
let athis: string;
let juvisy: string;
let agent: string;

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const body = (extra: Record<string, unknown> = {}) => ({
  kind: 'works', severity: 'orange', title: 'Travaux de voirie (test d\'attaque)', text: 'Circulation alternée.', area: { communes: ['91027'] }, validTo: inAWeek(), ...extra,
});

async function counts(): Promise<{ broadcasts: number; outbox: number; acks: number }> {
  const { db } = await testContext();
  const { rows } = await db.knex.raw('SELECT (SELECT count(*) FROM broadcasts)::int AS broadcasts, (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM broadcast_acks)::int AS acks');
  return rows[0];
}

beforeAll(async () => {
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  juvisy = await login('mairie.juvisy@demo.gup');
  agent = await login('dechets@demo.gup');
});

describe('attack: broadcasts', () => {
  it('when a title holds a line break (CRLF, LF, U+2028) or a control character, then 422 naming title and no broadcast nor e-mail is stored', async () => {
    for (const title of ['Travaux\r\nBcc: tous@example.org', 'Travaux\nX-Priority: 1', 'Travaux\u2028suite', 'Travaux\u0007']) {
      const before = await counts();
      const res = await api('/api/broadcasts', { cookie: officer, body: body({ title }) });
      expect(res.status, JSON.stringify(title)).toBe(422);
      expect(res.body.error.details[0].field).toBe('title');
      expect(await counts()).toEqual(before);
    }
  });

  it('when a commune user or a service agent issues a broadcast, then 403 and nothing is stored', async () => {
    const before = await counts();
    for (const cookie of [athis, agent]) expect((await api('/api/broadcasts', { cookie, body: body() })).status).toBe(403);
    expect((await api('/api/broadcasts', { body: body() })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('when a page of another port of the same host posts with the officer\'s cookie, then 403 and nothing is stored', async () => {
    const { baseUrl } = await testContext();
    const otherPort = baseUrl.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`);
    const before = await counts();
    const res = await api('/api/broadcasts', { cookie: officer, body: body(), headers: { origin: otherPort, 'sec-fetch-site': 'same-site' } });
    expect(res.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('when the drawn area is self-intersecting or as large as a region, then 422 naming area.geometry and nothing is stored', async () => {
    const [x, y] = DEMO.publicDomainNoyerRenard;
    const bowtie = { type: 'Polygon', coordinates: [[[x - 0.001, y - 0.001], [x + 0.001, y + 0.001], [x + 0.001, y - 0.001], [x - 0.001, y + 0.001], [x - 0.001, y - 0.001]]] };
    const region = { type: 'Polygon', coordinates: [[[1.5, 48.1], [3.5, 48.1], [3.5, 49.2], [1.5, 49.2], [1.5, 48.1]]] };
    const before = await counts();
    for (const geometry of [bowtie, region]) {
      const res = await api('/api/broadcasts', { cookie: officer, body: body({ area: { geometry } }) });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].field).toBe('area.geometry');
    }
    expect(await counts()).toEqual(before);
  });

  it('when a commune user of another commune reads or acknowledges a broadcast, then 404 and it is not in its list', async () => {
    const issued = await api('/api/broadcasts', { cookie: officer, body: body({ title: 'Fermeture du gymnase (attaque)' }) });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const id: number = issued.body.broadcast.id;
    expect((await api(`/api/broadcasts/${id}`, { cookie: juvisy })).status).toBe(404);
    const before = await counts();
    expect((await api(`/api/broadcasts/${id}/ack`, { method: 'POST', cookie: juvisy })).status).toBe(404);
    expect(await counts()).toEqual(before);
    const list = await api('/api/broadcasts?active=false', { cookie: juvisy });
    expect(list.body.broadcasts.map((b: { id: number }) => b.id)).not.toContain(id);
    // the commune concerned sees it, and only its own acknowledgement line
    const seen = await api(`/api/broadcasts/${id}`, { cookie: athis });
    expect(seen.status).toBe(200);
    expect(seen.body.broadcast.communes.map((c: { insee: string }) => c.insee)).toEqual(['91027']);
  });

  it('when the id is huge, negative or not a number, then 400 naming id', async () => {
    for (const id of ['99999999999', '-1', '1.5', '1e3', '%00']) {
      const res = await api(`/api/broadcasts/${id}`, { cookie: officer });
      expect(res.status, id).toBe(400);
    }
  });
});

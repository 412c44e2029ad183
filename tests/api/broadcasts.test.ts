import { beforeAll, describe, expect, it } from 'vitest';
import { createOpen311Key } from '../../server/src/services/open311.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

// DESIGN 3.7: an officer informs the communes; only the communes concerned see it and get an e-mail; orange and red
// ask each commune to acknowledge, and the sender sees who has.

let officer: string;
let athis: string;
let juvisy: string;
let planner: string;
beforeAll(async () => {
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  juvisy = await login('mairie.juvisy@demo.gup');
  planner = await login('urbaniste@demo.gup');
});

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const broadcast = (extra: Record<string, unknown> = {}) => ({
  kind: 'collection_disruption', severity: 'orange', title: `Grève de la collecte ${Math.random().toString(36).slice(2, 8)}`,
  text: 'La collecte des ordures ménagères est suspendue jeudi et vendredi.', area: { communes: ['91027'] }, validTo: inDays(3), ...extra,
});
const square = ([lon, lat]: [number, number], d: number) => ({ type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] });
const count = async (table: string) => { const { db } = await testContext(); return Number((await db.knex(table).count({ n: '*' }))[0]!.n); };
const outboxFor = async (subject: string) => { const { db } = await testContext(); return (await db.knex('outbox').where({ subject }).orderBy('to_address').pluck('to_address')) as string[]; };

describe('information to the communes (DESIGN 3.7)', () => {
  it('when a commune user, a planner or a service agent issues a broadcast, then 403 and nothing is stored', async () => {
    const before = [await count('broadcasts'), await count('outbox')];
    for (const cookie of [athis, planner, await login('oph@demo.gup')]) {
      expect((await api('/api/broadcasts', { body: broadcast(), cookie })).status).toBe(403);
    }
    expect([await count('broadcasts'), await count('outbox')]).toEqual(before);
  });

  it('when an officer issues an orange broadcast to Athis-Mons, then only Athis-Mons sees it and its users are e-mailed (people, not its software\'s Open311 account)', async () => {
    const { db } = await testContext();
    await createOpen311Key(db.knex, { communeInsee: '91027', label: 'Logiciel mairie (test diffusions)' });
    const body = broadcast();
    const res = await api('/api/broadcasts', { body, cookie: officer });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const b = res.body.broadcast;
    expect(b).toMatchObject({ severity: 'orange', needsAcknowledgement: true, active: true, pendingAcknowledgements: 1, kindLabel: 'Perturbation de la collecte' });
    expect(b.communes).toEqual([{ insee: '91027', name: 'Athis-Mons', acknowledged: null }]);

    const subject = (await outboxFor(`[GUP] Vigilance orange — Perturbation de la collecte : ${body.title}`));
    // the people of Athis-Mons (other test files may have added some), never an account of the communes' Open311 software
    const software = (await db.knex('open311_keys as k').join('users as u', 'u.id', 'k.user_id').where('k.commune_insee', '91027').pluck('u.email')) as string[];
    expect(software.length).toBeGreaterThan(0);
    const people = (await db.knex('users').where({ role: 'commune_user', active: true, commune_insee: '91027' }).whereNotIn('email', software).orderBy('email').pluck('email')) as string[];
    expect(subject).toEqual(people);
    expect(subject).toContain('mairie.athis@demo.gup');
    for (const e of software) expect(subject).not.toContain(e);

    const seenByAthis = await api('/api/broadcasts', { cookie: athis });
    expect(seenByAthis.body.broadcasts.find((x: any) => x.id === b.id)).toMatchObject({ acknowledged: false });
    const seenByJuvisy = await api('/api/broadcasts?active=false', { cookie: juvisy });
    expect(seenByJuvisy.body.broadcasts.some((x: any) => x.id === b.id)).toBe(false);
    expect((await api(`/api/broadcasts/${b.id}`, { cookie: juvisy })).status).toBe(404);
    expect((await api(`/api/broadcasts/${b.id}/ack`, { method: 'POST', cookie: juvisy })).status).toBe(404);
    expect((await api(`/api/broadcasts/${b.id}/ack`, { method: 'POST', cookie: officer })).status).toBe(403);
  });

  it('when the communes concerned acknowledge, then each acknowledgement is recorded once and the sender sees who has', async () => {
    const res = await api('/api/broadcasts', { body: broadcast({ severity: 'red', kind: 'weather_alert', area: { communes: ['91027', '91326'] } }), cookie: officer });
    expect(res.status).toBe(201);
    const id = res.body.broadcast.id;
    expect(res.body.broadcast.pendingAcknowledgements).toBe(2);

    const ack = await api(`/api/broadcasts/${id}/ack`, { method: 'POST', cookie: athis });
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(ack.body.broadcast).toMatchObject({ acknowledged: true });
    expect(ack.body.broadcast.communes).toHaveLength(1); // a commune sees its own line only
    const again = await api(`/api/broadcasts/${id}/ack`, { method: 'POST', cookie: athis });
    expect(again.status).toBe(200);
    const { db } = await testContext();
    expect(await db.knex('broadcast_acks').where({ broadcast_id: id }).pluck('commune_insee')).toEqual(['91027']);

    const bySender = (await api(`/api/broadcasts/${id}`, { cookie: officer })).body.broadcast;
    expect(bySender.pendingAcknowledgements).toBe(1);
    const athisLine = bySender.communes.find((c: any) => c.insee === '91027');
    const juvisyLine = bySender.communes.find((c: any) => c.insee === '91326');
    expect(athisLine.acknowledged).toMatchObject({ by: 'Référente GUP Athis-Mons' });
    expect(juvisyLine.acknowledged).toBeNull();

    expect((await api(`/api/broadcasts/${id}/ack`, { method: 'POST', cookie: juvisy })).status).toBe(200);
    expect((await api(`/api/broadcasts/${id}`, { cookie: officer })).body.broadcast.pendingAcknowledgements).toBe(0);
  });

  it('when an information broadcast is acknowledged, then 409: none is asked', async () => {
    const res = await api('/api/broadcasts', { body: broadcast({ severity: 'info', kind: 'works' }), cookie: officer });
    expect(res.body.broadcast).toMatchObject({ needsAcknowledgement: false, pendingAcknowledgements: 0 });
    expect((await api(`/api/broadcasts/${res.body.broadcast.id}/ack`, { method: 'POST', cookie: athis })).status).toBe(409);
  });

  it('when the area is a drawn polygon or a QPV, then the communes concerned are those sharing land with it', async () => {
    const drawn = await api('/api/broadcasts', { body: broadcast({ area: { geometry: square(DEMO.publicDomainNoyerRenard, 0.001) }, kind: 'illegal_encampment' }), cookie: officer });
    expect(drawn.status, JSON.stringify(drawn.body)).toBe(201);
    // this street of Noyer Renard runs along the border: the area reaches Paray-Vieille-Poste too
    expect(drawn.body.broadcast.communes.map((c: any) => c.insee)).toEqual(['91027', '91479']);
    expect(drawn.body.broadcast.area.geometry.type).toBe('MultiPolygon');
    const inside = await api('/api/broadcasts', { body: broadcast({ area: { geometry: square(await pointIn(DEMO.landlordOph), 0.0003) }, kind: 'illegal_encampment' }), cookie: officer });
    expect(inside.body.broadcast.communes.map((c: any) => c.insee)).toEqual(['91027']);
    const qpv = await api('/api/broadcasts', { body: broadcast({ area: { qpv: ['QP091028'] }, kind: 'facility_closure' }), cookie: officer });
    expect(qpv.status, JSON.stringify(qpv.body)).toBe(201);
    expect(qpv.body.broadcast.communes.map((c: any) => c.insee)).toContain('91027');
    expect(qpv.body.broadcast.communes.map((c: any) => c.insee)).not.toContain('91432');
  });

  it('when a broadcast has ended, then it leaves the current list and stays in the history', async () => {
    const res = await api('/api/broadcasts', { body: broadcast({ severity: 'info', validFrom: inDays(-3), validTo: inDays(-1) }), cookie: officer });
    expect(res.status).toBe(201);
    expect(res.body.broadcast.active).toBe(false);
    const current = await api('/api/broadcasts', { cookie: athis });
    expect(current.body.broadcasts.some((x: any) => x.id === res.body.broadcast.id)).toBe(false);
    const history = await api('/api/broadcasts?active=false', { cookie: athis });
    expect(history.body.broadcasts.some((x: any) => x.id === res.body.broadcast.id)).toBe(true);
  });

  it('when the broadcast is malformed, then 4xx naming the field and nothing is stored', async () => {
    const before = [await count('broadcasts'), await count('outbox')];
    const bowtie = { type: 'Polygon', coordinates: [[[2.35, 48.70], [2.36, 48.71], [2.36, 48.70], [2.35, 48.71], [2.35, 48.70]]] };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ area: { communes: ['91999'] } }, 422, 'area.communes'],
      [{ area: { qpv: ['QP999999'] } }, 422, 'area.qpv'],
      [{ area: { geometry: bowtie } }, 422, 'area.geometry'],
      [{ area: { geometry: square(DEMO.outsideTerritory, 0.0005) } }, 422, 'area.geometry'],
      [{ validTo: inDays(-1) }, 422, 'validTo'],
      [{ validTo: inDays(200) }, 422, 'validTo'],
      [{ validTo: 'demain' }, 400, 'validTo'],
      [{ severity: 'yellow' }, 400, 'severity'],
      [{ kind: 'party' }, 400, 'kind'],
      [{ title: '' }, 400, 'title'],
      [{ text: 'x'.repeat(5001) }, 400, 'text'],
    ];
    for (const [patch, status, field] of cases) {
      const res = await api('/api/broadcasts', { body: broadcast(patch), cookie: officer });
      expect(res.status, JSON.stringify(patch)).toBe(status);
      expect(res.body.error.details.map((d: { field: string }) => d.field).join(' '), JSON.stringify(patch)).toContain(field);
    }
    expect((await api('/api/broadcasts', { body: broadcast({ area: { streets: ['x'] } }), cookie: officer })).status).toBe(400);
    expect((await api('/api/broadcasts/abc/ack', { method: 'POST', cookie: athis })).status).toBe(400);
    expect((await api('/api/broadcasts?active=maybe', { cookie: athis })).status).toBe(400);
    expect([await count('broadcasts'), await count('outbox')]).toEqual(before);
  });
});

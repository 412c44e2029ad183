import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';

let athis: string;
let juvisy: string;
let officer: string;
let planner: string;
let oph: string;
beforeAll(async () => {
  athis = await login('mairie.athis@demo.gup');
  juvisy = await login('mairie.juvisy@demo.gup');
  officer = await login('gup@demo.gup');
  planner = await login('urbaniste@demo.gup');
  oph = await login('oph@demo.gup');
});

const [X, Y] = DEMO.publicDomainNoyerRenard;
const AREA = { type: 'Polygon', coordinates: [[[X - 0.002, Y - 0.0015], [X + 0.002, Y - 0.0015], [X + 0.002, Y + 0.0015], [X - 0.002, Y + 0.0015], [X - 0.002, Y - 0.0015]]] };
const session = (extra: Record<string, unknown> = {}) => ({
  title: 'Diagnostic en marchant Noyer Renard', commune: '91027', qpv: 'QP091028', heldOn: '2026-11-20', slot: '14 h – 16 h', geometry: AREA,
  participants: [{ name: 'Mme Diallo', organisation: 'Amicale des locataires', kind: 'habitant' }, { name: 'M. Martin', organisation: 'OPH', kind: 'bailleur' }],
  ...extra,
});
const observation = (extra: Record<string, unknown> = {}) => ({
  uuid: crypto.randomUUID(), lon: X, lat: Y, criterion: 'depot_encombrants', kind: 'dysfunction', severity: 'to_schedule', text: 'Matelas et canapé au pied du bâtiment B', ...extra,
});

async function count(table: string): Promise<number> {
  const { db } = await testContext();
  return Number((await db.knex(table).count({ n: '*' }))[0]!.n);
}
async function counts() {
  const out: Record<string, number> = {};
  for (const t of ['diagnostics', 'diagnostic_observations', 'diagnostic_photos', 'action_items', 'reports']) out[t] = await count(t);
  return out;
}
async function newSession(cookie = athis, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await api('/api/diagnostics', { body: session(extra), cookie });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
const jpeg = () => sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } }).jpeg().toBuffer();
async function postPhoto(cookie: string, id: number, obsUuid: string, photoUuid: string) {
  const form = new FormData();
  form.set('uuid', photoUuid);
  form.set('photo', new Blob([new Uint8Array(await jpeg())], { type: 'image/jpeg' }), 'photo.jpg');
  return api(`/api/diagnostics/${id}/observations/${obsUuid}/photos`, { method: 'POST', raw: form, cookie });
}

describe('walking diagnosis sessions', () => {
  it('when a commune user plans a session in its commune, then it is stored with its route or area and participants, and the grid comes with it', async () => {
    const id = await newSession();
    const res = await api(`/api/diagnostics/${id}`, { cookie: athis });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'Diagnostic en marchant Noyer Renard', communeInsee: '91027', qpvCode: 'QP091028', status: 'planned', heldOn: '2026-11-20', organiser: true });
    expect(res.body.geometry.type).toBe('Polygon');
    expect(res.body.participants).toHaveLength(2);
    expect(res.body.grid.map((t: { code: string }) => t.code)).toEqual(expect.arrayContaining(['proprete', 'encombrants', 'eclairage', 'tranquillite']));
    const route = await api('/api/diagnostics', { body: session({ geometry: { type: 'LineString', coordinates: [[X - 0.001, Y], [X + 0.001, Y]] } }), cookie: officer });
    expect(route.status).toBe(201);
    expect(route.body.geometry.type).toBe('LineString');
  });

  it('when a commune user asks for another commune\'s session, then 404, and its list holds only its commune\'s sessions', async () => {
    const id = await newSession();
    const [jx, jy] = await pointIn(DEMO.communeJuvisy); // a session's route or area passes through its commune
    const juvisySession = await newSession(juvisy, { commune: '91326', qpv: null, title: 'Diagnostic Juvisy centre', geometry: { type: 'LineString', coordinates: [[jx - 0.0005, jy], [jx + 0.0005, jy]] } });
    expect((await api(`/api/diagnostics/${id}`, { cookie: juvisy })).status).toBe(404);
    expect((await api(`/api/diagnostics/${id}/minutes.pdf`, { cookie: juvisy })).status).toBe(404);
    expect((await api(`/api/diagnostics/${id}`, { method: 'PUT', body: { title: 'Repris par Juvisy' }, cookie: juvisy })).status).toBe(404);
    expect((await api(`/api/diagnostics/${id}/observations`, { body: observation(), cookie: juvisy })).status).toBe(404);
    const list = await api('/api/diagnostics', { cookie: juvisy });
    expect(list.body.diagnostics.map((d: { communeInsee: string }) => d.communeInsee)).toEqual(expect.arrayContaining(['91326']));
    expect(list.body.diagnostics.every((d: { communeInsee: string }) => d.communeInsee === '91326')).toBe(true);
    const all = await api('/api/diagnostics', { cookie: officer });
    expect(all.body.diagnostics.map((d: { id: number }) => d.id)).toEqual(expect.arrayContaining([id, juvisySession]));
    expect((await api('/api/diagnostics', { cookie: oph })).body.diagnostics).toEqual([]);
    expect((await api(`/api/diagnostics/${id}`, { cookie: oph })).status).toBe(404);
  });

  it('when a commune user plans a session in another commune, or a planner plans one, then 403 and nothing is stored', async () => {
    const before = await counts();
    expect((await api('/api/diagnostics', { body: session({ commune: '91326', qpv: null }), cookie: athis })).status).toBe(403);
    expect((await api('/api/diagnostics', { body: session(), cookie: planner })).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a missing title', 400, 'title', { title: undefined }],
    ['an impossible date', 400, 'heldOn', { heldOn: '2026-02-30' }],
    ['a commune outside the territory', 422, 'commune', { commune: '75056' }],
    ['an unknown QPV', 422, 'qpv', { qpv: 'QP000000' }],
    ['a route of one point', 422, 'geometry', { geometry: { type: 'LineString', coordinates: [[X, Y]] } }],
    ['a self-intersecting area', 422, 'geometry', { geometry: { type: 'Polygon', coordinates: [[[X, Y], [X + 0.001, Y + 0.001], [X + 0.001, Y], [X, Y + 0.001], [X, Y]]] } }],
    ['swapped coordinates', 422, 'geometry', { geometry: { type: 'LineString', coordinates: [[Y, X], [Y + 0.001, X]] } }],
    ['a point', 422, 'geometry', { geometry: { type: 'Point', coordinates: [X, Y] } }],
    ['an unknown participant kind', 400, 'participants.0.kind', { participants: [{ name: 'X', kind: 'voisin' }] }],
    ['an unknown field', 400, null, { colour: 'red' }],
  ])('when a session is planned with %s, then %i naming %s and nothing is stored', async (_what, status, field, extra) => {
    const before = await counts();
    const res = await api('/api/diagnostics', { body: session(extra), cookie: athis });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('when a session\'s status is moved back, then 409; forward, then it moves', async () => {
    const id = await newSession();
    expect((await api(`/api/diagnostics/${id}`, { method: 'PUT', body: { status: 'triage' }, cookie: athis })).body.status).toBe('triage');
    const back = await api(`/api/diagnostics/${id}`, { method: 'PUT', body: { status: 'in_progress' }, cookie: athis });
    expect(back.status).toBe(409);
    expect((await api(`/api/diagnostics/${id}`, { cookie: athis })).body.status).toBe('triage');
  });

  it('when an id is not a number, then 400 naming it', async () => {
    const res = await api('/api/diagnostics/abc', { cookie: athis });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('id');
  });
});

describe('field capture (idempotent sync)', () => {
  it('when the same observation UUID is sent twice, then one observation exists (201 then 200, same id)', async () => {
    const id = await newSession();
    const body = observation();
    const first = await api(`/api/diagnostics/${id}/observations`, { body, cookie: athis });
    const again = await api(`/api/diagnostics/${id}/observations`, { body, cookie: athis });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const { db } = await testContext();
    expect(Number((await db.knex('diagnostic_observations').where({ uuid: body.uuid }).count({ n: '*' }))[0]!.n)).toBe(1);
    expect(first.body.suggestion.service.code).toBeTruthy(); // the lookup's service for the criterion's theme
  });

  it('when two participants send the same UUID at the same time, then one observation exists', async () => {
    const id = await newSession();
    const body = observation();
    const [a, b] = await Promise.all([api(`/api/diagnostics/${id}/observations`, { body, cookie: athis }), api(`/api/diagnostics/${id}/observations`, { body, cookie: officer })]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
  });

  it('when a UUID already used in another session is sent, then 409 and nothing is stored', async () => {
    const one = await newSession();
    const two = await newSession();
    const body = observation();
    expect((await api(`/api/diagnostics/${one}/observations`, { body, cookie: athis })).status).toBe(201);
    const before = await counts();
    expect((await api(`/api/diagnostics/${two}/observations`, { body, cookie: athis })).status).toBe(409);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['no uuid', 400, 'uuid', { uuid: undefined }],
    ['a uuid that is not one', 400, 'uuid', { uuid: '1234' }],
    ['an unknown criterion', 422, 'criterion', { criterion: 'licorne' }],
    ['an unknown kind', 400, 'kind', { kind: 'remarque' }],
    ['a point outside France', 400, 'lon', { lon: -40, lat: 10 }],
    ['a point outside the territory', 422, 'lon', { lon: DEMO.outsideTerritory[0], lat: DEMO.outsideTerritory[1] }],
    ['a text as longitude', 400, 'lon', { lon: '2.36' }],
    ['a bad capture time', 400, 'capturedAt', { capturedAt: 'hier' }],
  ])('when an observation has %s, then %i naming %s and nothing is stored', async (_what, status, field, extra) => {
    const id = await newSession();
    const before = await counts();
    const res = await api(`/api/diagnostics/${id}/observations`, { body: observation(extra), cookie: athis });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('when a closed session receives an observation, then 409 and nothing is stored', async () => {
    const id = await newSession(athis, { status: 'closed' });
    const before = await counts();
    expect((await api(`/api/diagnostics/${id}/observations`, { body: observation(), cookie: athis })).status).toBe(409);
    expect(await counts()).toEqual(before);
  });

  it('when the same photo UUID is sent twice, then one photo is stored, re-encoded, and served to who sees the session', async () => {
    const id = await newSession();
    const body = observation();
    const obs = await api(`/api/diagnostics/${id}/observations`, { body, cookie: athis });
    const photoUuid = crypto.randomUUID();
    expect((await postPhoto(athis, id, body.uuid, photoUuid)).status).toBe(201);
    expect((await postPhoto(athis, id, body.uuid, photoUuid)).status).toBe(200);
    const details = await api(`/api/diagnostics/${id}`, { cookie: athis });
    const photos = details.body.observations.find((o: { id: number }) => o.id === obs.body.id).photos;
    expect(photos).toHaveLength(1);
    const img = await api(`/api/diagnostics/${id}/observations/${obs.body.id}/photos/${photos[0].id}`, { cookie: athis });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect((await api(`/api/diagnostics/${id}/observations/${obs.body.id}/photos/${photos[0].id}`, { cookie: juvisy })).status).toBe(404);
  });

  it('when a photo is not an image, then 415 and nothing is stored', async () => {
    const id = await newSession();
    const body = observation();
    await api(`/api/diagnostics/${id}/observations`, { body, cookie: athis });
    const before = await counts();
    const form = new FormData();
    form.set('uuid', crypto.randomUUID());
    form.set('photo', new Blob(['%PDF-1.4 not a photo'], { type: 'image/jpeg' }), 'x.jpg');
    expect((await api(`/api/diagnostics/${id}/observations/${body.uuid}/photos`, { method: 'POST', raw: form, cookie: athis })).status).toBe(415);
    expect(await counts()).toEqual(before);
  });
});

describe('triage', () => {
  it('when an observation becomes a report, then it is routed and timed like a web report at the same spot (channel diagnosis, linked back), and its near-identical twin is merged', async () => {
    const id = await newSession();
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const a = await api(`/api/diagnostics/${id}/observations`, { body: observation({ lon, lat }), cookie: athis });
    const twin = await api(`/api/diagnostics/${id}/observations`, { body: observation({ lon: lon + 0.00003, lat, text: 'Encombrants (vu aussi)' }), cookie: officer });
    const other = await api(`/api/diagnostics/${id}/observations`, { body: observation({ lon, lat, criterion: 'tags', text: 'Tag sur le mur' }), cookie: athis });
    const details = await api(`/api/diagnostics/${id}`, { cookie: athis });
    expect(details.body.nearIdentical).toEqual([[a.body.id, twin.body.id].sort((x, y) => x - y)]);

    const res = await api(`/api/diagnostics/${id}/observations/${a.body.id}/triage`, { body: { to: 'report' }, cookie: athis });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.merged).toEqual([twin.body.id]);
    const web = await postReport(athis, reportBody(lon, lat));
    expect(res.body.report.routing.service.code).toBe(web.body.routing.service.code);
    expect(res.body.report.routing.service.code).toBe('oph-proximite');
    expect(new Date(res.body.report.resolveDueAt).getTime() - Date.now()).toBeCloseTo(new Date(web.body.resolveDueAt).getTime() - Date.now(), -4);
    const report = await api(`/api/reports/${res.body.report.id}`, { cookie: athis });
    expect(report.body.source).toBe('diagnosis');
    expect(report.body.description).toContain('Diagnostic en marchant Noyer Renard');

    const after = (await api(`/api/diagnostics/${id}`, { cookie: athis })).body.observations;
    const byId = (oid: number) => after.find((o: { id: number }) => o.id === oid);
    expect(byId(a.body.id)).toMatchObject({ outcome: 'report', reportId: res.body.report.id, reportReference: res.body.report.reference });
    expect(byId(twin.body.id)).toMatchObject({ outcome: 'merged', mergedInto: a.body.id, reportId: res.body.report.id });
    expect(byId(other.body.id).outcome).toBe('pending');

    const before = await counts();
    const replay = await api(`/api/diagnostics/${id}/observations/${a.body.id}/triage`, { body: { to: 'report' }, cookie: athis });
    expect(replay.status).toBe(200);
    expect(await counts()).toEqual(before);
    expect((await api(`/api/diagnostics/${id}/observations/${a.body.id}/triage`, { body: { to: 'dismiss', reason: 'x' }, cookie: athis })).status).toBe(409);
  });

  it('when an observation whose criterion names no category becomes a report without one, then 422 naming category and nothing is stored; with one, it is filed', async () => {
    const id = await newSession();
    const o = await api(`/api/diagnostics/${id}/observations`, { body: observation({ criterion: 'epave', text: 'Voiture brûlée' }), cookie: athis });
    const before = await counts();
    const res = await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'report' }, cookie: athis });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].field).toBe('category');
    expect(await counts()).toEqual(before);
    const ok = await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'report', category: 'voirie_degradee' }, cookie: athis });
    expect(ok.status).toBe(200);
    expect(ok.body.report.reference).toMatch(/^GUP-/);
  });

  it('when an observation is dismissed without a reason, then 422 and nothing changes; with a reason, it is dismissed with it', async () => {
    const id = await newSession();
    const o = await api(`/api/diagnostics/${id}/observations`, { body: observation({ kind: 'positive', severity: null, criterion: 'entretien_ev', text: 'Pelouse bien tenue' }), cookie: athis });
    const bad = await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'dismiss' }, cookie: athis });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].field).toBe('reason');
    expect((await api(`/api/diagnostics/${id}`, { cookie: athis })).body.observations[0].outcome).toBe('pending');
    expect((await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'archive' }, cookie: athis })).status).toBe(400);
    const ok = await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'dismiss', reason: 'Point positif, rien à faire' }, cookie: athis });
    expect(ok.body.observation).toMatchObject({ outcome: 'dismissed', outcomeReason: 'Point positif, rien à faire' });
  });

  it('when a planner (read-only) triages, then 403; when Juvisy triages an Athis observation, then 404', async () => {
    const id = await newSession();
    const o = await api(`/api/diagnostics/${id}/observations`, { body: observation(), cookie: athis });
    expect((await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'dismiss', reason: 'x' }, cookie: planner })).status).toBe(403);
    expect((await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'dismiss', reason: 'x' }, cookie: juvisy })).status).toBe(404);
  });
});

describe('action plan', () => {
  it('when an observation becomes an action-plan item, then the item carries its origin, commune, QPV and suggested owner, and the list shows it', async () => {
    const id = await newSession();
    const o = await api(`/api/diagnostics/${id}/observations`, { body: observation({ criterion: 'obstacle_pmr', text: 'Potelets trop serrés, poussettes bloquées' }), cookie: athis });
    const res = await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'action', dueOn: '2027-03-31', ownerService: 'com-91027-voirie' }, cookie: athis });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const list = await api(`/api/actions?diagnostic=${id}`, { cookie: athis });
    expect(list.body.actions).toHaveLength(1);
    expect(list.body.actions[0]).toMatchObject({
      id: res.body.actionId, origin: 'diagnosis', communeInsee: '91027', qpvCode: 'QP091028', ownerService: 'com-91027-voirie', dueOn: '2027-03-31',
      status: 'planned', overdue: false, observationId: o.body.id, diagnosticId: id,
    });
    expect(list.body.actions[0].title).toContain('Potelets');
  });

  it('when an item\'s due date has passed while open, then it is marked overdue, and no longer once done with its evidence; CSV lists it', async () => {
    const created = await api('/api/actions', { body: { title: 'Reprendre l\'éclairage du passage', commune: '91027', origin: 'committee', dueOn: '2026-01-15', ownerOrganisation: 'com-91027' }, cookie: athis });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.overdue).toBe(true);
    expect((await api('/api/actions?overdue=true', { cookie: athis })).body.actions.map((a: { id: number }) => a.id)).toContain(created.body.id);
    const csv = await api('/api/actions?format=csv', { cookie: athis });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toContain('Reprendre l\'éclairage du passage');
    const done = await api(`/api/actions/${created.body.id}`, { method: 'PUT', body: { status: 'done', evidence: 'Deux mâts remplacés le 12/02 (photo au dossier)' }, cookie: athis });
    expect(done.body).toMatchObject({ status: 'done', overdue: false, evidence: 'Deux mâts remplacés le 12/02 (photo au dossier)' });
  });

  it('when Juvisy reads or edits Athis\'s action plan, then it sees nothing of it and gets 404; writing in Athis is 403', async () => {
    const created = await api('/api/actions', { body: { title: 'Action Athis seulement', commune: '91027', origin: 'committee' }, cookie: officer });
    expect(created.status).toBe(201);
    const list = await api('/api/actions', { cookie: juvisy });
    expect(list.body.actions.every((a: { communeInsee: string }) => a.communeInsee === '91326')).toBe(true);
    expect((await api(`/api/actions/${created.body.id}`, { method: 'PUT', body: { status: 'dropped' }, cookie: juvisy })).status).toBe(404);
    const before = await counts();
    expect((await api('/api/actions', { body: { title: 'Action pour Athis', commune: '91027', origin: 'committee' }, cookie: juvisy })).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['an unknown status', 400, 'status', { status: 'finished' }],
    ['an unknown origin', 400, 'origin', { origin: 'rumour' }],
    ['an unknown service', 422, 'ownerService', { ownerService: 'nobody' }],
    ['a bad due date', 400, 'dueOn', { dueOn: '31/03/2027' }],
  ])('when an item has %s, then %i naming %s and nothing is stored', async (_what, status, field, extra) => {
    const before = await counts();
    const res = await api('/api/actions', { body: { title: 'Action', commune: '91027', origin: 'committee', ...extra }, cookie: athis });
    expect(res.status).toBe(status);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });
});

describe('minutes and confidential criteria', () => {
  it('when the minutes are downloaded, then the PDF has real French text: session, participants, themes, outcomes, decisions — and no tranquillité observation', async () => {
    const id = await newSession();
    const o = await api(`/api/diagnostics/${id}/observations`, { body: observation({ text: 'Matelas près du square' }), cookie: athis });
    await api(`/api/diagnostics/${id}/observations`, { body: observation({ criterion: 'regroupement', text: 'Regroupement nocturne dans le hall 12' }), cookie: athis });
    const triaged = await api(`/api/diagnostics/${id}/observations/${o.body.id}/triage`, { body: { to: 'report' }, cookie: athis });
    await api(`/api/diagnostics/${id}`, { method: 'PUT', body: { status: 'closed', decisions: 'Passage renforcé de la collecte des encombrants le jeudi.' }, cookie: athis });
    const res = await fetch(`${(await testContext()).baseUrl}/api/diagnostics/${id}/minutes.pdf`, { headers: { cookie: athis } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(await res.arrayBuffer()) }).toString('utf8');
    for (const expected of ['Compte rendu du diagnostic en marchant', 'Diagnostic en marchant Noyer Renard', 'Mme Diallo', 'Encombrants et épaves', 'Matelas près du square', 'Signalement', triaged.body.report.reference, 'Passage renforcé de la collecte', '1 observation(s) de tranquillité']) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('Regroupement nocturne');
  });

  it('when a planner (not organising) reads a session, then the confidential observations are not listed; the organiser sees them', async () => {
    const id = await newSession();
    await api(`/api/diagnostics/${id}/observations`, { body: observation({ criterion: 'sentiment_insecurite', text: 'Passage sombre, peur le soir' }), cookie: athis });
    await api(`/api/diagnostics/${id}/observations`, { body: observation({ criterion: 'lampadaire_eteint', text: 'Lampadaire éteint' }), cookie: athis });
    const asPlanner = await api(`/api/diagnostics/${id}`, { cookie: planner });
    expect(asPlanner.body.organiser).toBe(false);
    expect(asPlanner.body.observations.map((o: { criterion: string }) => o.criterion)).toEqual(['lampadaire_eteint']);
    expect((await api(`/api/diagnostics/${id}`, { cookie: athis })).body.observations).toHaveLength(2);
  });

  it('when a later session walks the same area, then it lists the earlier observations to re-check', async () => {
    const first = await newSession(athis, { heldOn: '2026-05-10', title: 'Premier passage' });
    await api(`/api/diagnostics/${first}/observations`, { body: observation({ text: 'Banc cassé près de l\'école', criterion: 'mobilier_casse' }), cookie: athis });
    const next = await newSession(athis, { heldOn: '2026-11-25', title: 'Second passage' });
    const res = await api(`/api/diagnostics/${next}`, { cookie: athis });
    const previous = res.body.previous.filter((p: { sessionTitle: string }) => p.sessionTitle === 'Premier passage');
    expect(previous.map((p: { text: string }) => p.text)).toContain('Banc cassé près de l\'école');
    const earlier = await api(`/api/diagnostics/${first}`, { cookie: athis });
    expect(earlier.body.previous.some((p: { sessionTitle: string }) => p.sessionTitle === 'Second passage')).toBe(false);
  });

  it('when the planning map asks for earlier observations over a bbox, then each reader gets those of the sessions it reaches, confidential ones only for organisers; a bad bbox is a 400', async () => {
    const id = await newSession();
    const open = await api(`/api/diagnostics/${id}/observations`, { body: observation({ text: 'Corbeille arrachée (carte)', criterion: 'mobilier_casse' }), cookie: athis });
    const secret = await api(`/api/diagnostics/${id}/observations`, { body: observation({ text: 'Regroupement (carte)', criterion: 'regroupement' }), cookie: athis });
    const bbox = `bbox=${X - 0.001},${Y - 0.001},${X + 0.001},${Y + 0.001}`;
    const ids = async (cookie: string) => (await api(`/api/diagnostics/observations?${bbox}`, { cookie })).body.observations.map((o: { id: number }) => o.id);
    expect(await ids(athis)).toEqual(expect.arrayContaining([open.body.id, secret.body.id]));
    expect(await ids(planner)).toContain(open.body.id);
    expect(await ids(planner)).not.toContain(secret.body.id);
    expect(await ids(juvisy)).not.toContain(open.body.id);
    expect(await ids(oph)).toEqual([]);
    for (const bad of ['bbox=1,2,3', 'bbox=2.5,48.8,2.3,48.9', 'bbox=2,48,3,49', '']) {
      const res = await api(`/api/diagnostics/observations?${bad}`, { cookie: athis });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.details[0].field).toBe('bbox');
    }
  });
});

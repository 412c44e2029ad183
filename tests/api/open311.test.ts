import { beforeAll, describe, expect, it } from 'vitest';
import { createOpen311Key, hashApiKey, revokeOpen311Key } from '../../server/src/services/open311.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody, reportTablesCount } from '../support/reports.js';

let athisKey: { key: string; keyId: number; userId: number; email: string };
let juvisyKey: { key: string };
let oph: string;
let athis: string;

beforeAll(async () => {
  const { db } = await testContext();
  athisKey = await createOpen311Key(db.knex, { communeInsee: '91027', label: 'Logiciel mairie (test)' });
  juvisyKey = await createOpen311Key(db.knex, { communeInsee: '91326', label: 'Logiciel Juvisy (test)' });
  oph = await login('oph@demo.gup');
  athis = await login('mairie.athis@demo.gup');
});

/** POST requests.json as a form (application/x-www-form-urlencoded), the standard's usual encoding. */
const postForm = (fields: Record<string, string | number>) =>
  api('/open311/v2/requests.json', {
    method: 'POST',
    raw: new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

describe('Open311 services', () => {
  it('when a client lists services, then every category is a realtime service grouped by theme, with the urgent attribute defined', async () => {
    const res = await api('/open311/v2/services.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const depot = res.body.find((s: any) => s.service_code === 'depot_sauvage');
    expect(depot).toMatchObject({ service_name: 'Dépôt sauvage, encombrants', type: 'realtime', group: 'Propreté', metadata: true });
    expect(depot.description).toContain('traitement sous 3 j (2 j en quartier prioritaire)');
    expect(res.body.map((s: any) => s.service_code)).toEqual(expect.arrayContaining(['graffiti', 'eclairage_panne', 'bac_deborde']));

    const def = await api('/open311/v2/services/depot_sauvage.json');
    expect(def.status).toBe(200);
    expect(def.body.service_code).toBe('depot_sauvage');
    expect(def.body.attributes[0]).toMatchObject({ code: 'urgent', datatype: 'singlevaluelist', required: false, variable: true });
    expect(def.body.attributes[0].values.map((v: any) => v.key)).toEqual(['non', 'danger', 'acces_bloque', 'salubrite', 'injurieux']);

    const unknown = await api('/open311/v2/services/licorne.json');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual([{ code: 404, description: expect.stringContaining('licorne') }]);
  });

  it('when a client asks for XML or an unknown resource, then the standard error format says so', async () => {
    const xml = await api('/open311/v2/services.xml');
    expect(xml.status).toBe(400);
    expect(xml.body[0]).toMatchObject({ code: 400, description: expect.stringContaining('Format non supporté') });
    expect((await api('/open311/v2/requests.xml')).status).toBe(400);
    const nothing = await api('/open311/v2/nothing.json');
    expect(nothing.status).toBe(404);
    expect(nothing.body[0].code).toBe(404);
  });
});

describe('Open311 requests', () => {
  it('when the commune\'s software files a request with its key, then GET shows it with the responsible agency and the expected date, and later its answer', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const res = await postForm({ api_key: athisKey.key, service_code: 'depot_sauvage', lat, long: lon, description: 'Canapé abandonné devant le local vélos', email: 'habitant@example.org', first_name: 'Jean' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toHaveLength(1);
    const [answer] = res.body;
    expect(answer.service_request_id).toMatch(/^GUP-\d{4}-\d{6}$/);
    expect(answer.account_id).toBeNull();
    expect(answer.service_notice).toContain('OPH');

    const { db } = await testContext();
    const row = await db.knex('reports').where({ reference: answer.service_request_id }).first();
    expect(row).toMatchObject({ source: 'open311', created_by: athisKey.userId, commune_insee: '91027', service_code: 'oph-proximite' });
    expect(JSON.stringify(row)).not.toContain('habitant@example.org'); // the citizen's contact is not kept

    const one = await api(`/open311/v2/requests/${answer.service_request_id}.json?api_key=${encodeURIComponent(athisKey.key)}`); // its own commune: in full
    expect(one.status).toBe(200);
    expect(one.body).toHaveLength(1);
    expect(one.body[0]).toMatchObject({
      service_request_id: answer.service_request_id, status: 'open', service_code: 'depot_sauvage', service_name: 'Dépôt sauvage, encombrants',
      description: 'Canapé abandonné devant le local vélos', agency_responsible: expect.stringContaining('OPH'), status_notes: null, address_id: null,
    });
    expect(one.body[0].expected_datetime).toBe(new Date(row.resolve_due_at).toISOString());
    expect(one.body[0].lat).toBeCloseTo(lat, 6);
    expect(one.body[0].long).toBeCloseTo(lon, 6);

    // the service answers: the request is closed with the answer as status notes
    expect((await api(`/api/reports/${row.id}/transitions`, { body: { to: 'resolved', comment: 'Canapé enlevé le 12' }, cookie: oph })).status).toBe(200);
    const after = await api(`/open311/v2/requests/${answer.service_request_id}.json`);
    expect(after.body[0]).toMatchObject({ status: 'closed', status_notes: 'Canapé enlevé le 12' });
    expect(Date.parse(after.body[0].updated_datetime)).toBeGreaterThanOrEqual(Date.parse(one.body[0].updated_datetime));
    expect(await db.knex('outbox').where({ report_id: row.id, to_address: 'proximite@oph.example.org' }).first()).toBeTruthy();
  });

  it('when anyone reads a request without a key, then the description is withheld and the position snapped to its 100 m cell', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const ref = (await postForm({ api_key: athisKey.key, service_code: 'graffiti', lat, long: lon, description: 'Tag injurieux visant M. Martin, 3e étage' })).body[0].service_request_id;
    const reads = [
      (await api(`/open311/v2/requests/${ref}.json`)).body[0],
      (await api(`/open311/v2/requests.json?service_request_id=${ref}`)).body[0],
      (await api(`/open311/v2/requests/${ref}.json?api_key=${encodeURIComponent(juvisyKey.key)}`)).body[0], // another commune's key
    ];
    for (const r of reads) {
      expect(r).toMatchObject({ service_request_id: ref, description: null, address: 'Athis-Mons', service_code: 'graffiti' });
      expect(JSON.stringify(r)).not.toContain('Martin');
      const metres = Math.hypot((r.long - lon) * 111_320 * Math.cos((lat * Math.PI) / 180), (r.lat - lat) * 111_320);
      expect(r.long === lon && r.lat === lat).toBe(false);
      expect(metres).toBeLessThan(75); // within its 100 m cell
    }
    const again = (await api(`/open311/v2/requests/${ref}.json`)).body[0];
    expect([again.long, again.lat]).toEqual([reads[0].long, reads[0].lat]); // always the same cell centre: no averaging out
  });

  it('when a service transfers a request with an internal reason, then public reads never show it; the resolution answer is the status notes until a reopening', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const ref = (await postForm({ api_key: athisKey.key, service_code: 'depot_sauvage', lat, long: lon, description: 'Sacs sur le local poubelles' })).body[0].service_request_id;
    const { db } = await testContext();
    const { id } = await db.knex('reports').where({ reference: ref }).first('id');
    const internal = 'Pas chez nous : voir Mme Durand au 06 12 34 56 78';
    expect((await api(`/api/reports/${id}/transitions`, { body: { action: 'transfer', service: 'com-91027-proprete', comment: internal }, cookie: oph })).status).toBe(200);
    const reads = async () => [
      (await api(`/open311/v2/requests/${ref}.json`)).body,
      (await api(`/open311/v2/requests/${ref}.json?api_key=${encodeURIComponent(athisKey.key)}`)).body,
      (await api(`/open311/v2/requests.json?service_request_id=${ref}`)).body,
      (await api('/open311/v2/requests.json')).body,
    ];
    for (const body of await reads()) expect(JSON.stringify(body)).not.toContain('Durand');
    expect((await api(`/open311/v2/requests/${ref}.json`)).body[0]).toMatchObject({ status: 'open', status_notes: null });
    // the commune is not mailed the internal reason either
    const mails = await db.knex('outbox').where({ report_id: id, to_address: 'open311.91027@service.gup.invalid' }).pluck('body');
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.join('\n')).not.toContain('Durand');

    const officer = await login('gup@demo.gup');
    expect((await api(`/api/reports/${id}/transitions`, { body: { to: 'resolved', comment: 'Tag effacé le 14' }, cookie: officer })).status).toBe(200);
    for (const body of await reads()) expect(JSON.stringify(body)).not.toContain('Durand');
    expect((await api(`/open311/v2/requests/${ref}.json`)).body[0]).toMatchObject({ status: 'closed', status_notes: 'Tag effacé le 14' });
    expect((await api(`/api/reports/${id}/transitions`, { body: { to: 'closed' }, cookie: officer })).status).toBe(200);
    expect((await api(`/open311/v2/requests/${ref}.json`)).body[0].status_notes).toBe('Tag effacé le 14');
    expect((await api(`/api/reports/${id}/transitions`, { body: { action: 'reopen', comment: 'Le tag est revenu' }, cookie: officer })).status).toBe(200);
    expect((await api(`/open311/v2/requests/${ref}.json`)).body[0]).toMatchObject({ status: 'open', status_notes: null });
  });

  it('when the request comes as JSON with an urgency attribute, then the report is urgent with that criterion', async () => {
    const [lon, lat] = await pointIn(DEMO.agglomeration);
    const res = await api('/open311/v2/requests.json', { body: { api_key: athisKey.key, service_code: 'voirie_degradee', lat, long: lon, description: 'Trou profond sur le trottoir', attribute: { urgent: 'danger' } } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { db } = await testContext();
    expect(await db.knex('reports').where({ reference: res.body[0].service_request_id }).first()).toMatchObject({ urgent: true, urgency_criterion: 'danger', source: 'open311' });
    const form = await postForm({ api_key: athisKey.key, service_code: 'voirie_degradee', lat, long: lon, description: 'Plaque descellée', 'attribute[urgent]': 'acces_bloque' });
    expect(form.status).toBe(201);
    expect(await db.knex('reports').where({ reference: form.body[0].service_request_id }).first()).toMatchObject({ urgent: true, urgency_criterion: 'acces_bloque' });
  });

  it('when requests are listed with filters, then ids, service_code, status and dates narrow the list', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const a = (await postForm({ api_key: athisKey.key, service_code: 'graffiti', lat, long: lon, description: 'Tag sur la porte du hall' })).body[0].service_request_id;
    const b = (await postForm({ api_key: athisKey.key, service_code: 'eclairage_panne', lat, long: lon, description: 'Lampadaire éteint' })).body[0].service_request_id;

    const graffiti = await api('/open311/v2/requests.json?service_code=graffiti');
    expect(graffiti.status).toBe(200);
    expect(graffiti.body.length).toBeGreaterThan(0);
    expect(graffiti.body.every((r: any) => r.service_code === 'graffiti')).toBe(true);
    expect(graffiti.body.map((r: any) => r.service_request_id)).toContain(a);
    expect(graffiti.body.map((r: any) => r.service_request_id)).not.toContain(b);

    const both = await api(`/open311/v2/requests.json?service_request_id=${a},${b}&service_code=bac_deborde`); // ids override the rest
    expect(both.body.map((r: any) => r.service_request_id).sort()).toEqual([a, b].sort());

    const open = await api('/open311/v2/requests.json?status=open');
    expect(open.body.every((r: any) => r.status === 'open')).toBe(true);
    const closed = await api('/open311/v2/requests.json?status=closed');
    expect(closed.body.every((r: any) => r.status === 'closed')).toBe(true);
    expect(closed.body.map((r: any) => r.service_request_id)).not.toContain(a);

    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await api(`/open311/v2/requests.json?start_date=${future}`)).body).toEqual([]);
    const past = await api(`/open311/v2/requests.json?start_date=${new Date(Date.now() - 3_600_000).toISOString()}&end_date=${future}`);
    expect(past.body.map((r: any) => r.service_request_id)).toEqual(expect.arrayContaining([a, b]));

    const all = await api('/open311/v2/requests.json');
    expect(all.body.length).toBeLessThanOrEqual(1000);
    expect(all.body.every((r: any) => Date.parse(r.requested_datetime) > Date.now() - 91 * 86_400_000)).toBe(true);

    for (const bad of ['status=pending', 'start_date=yesterday', `start_date=${future}&end_date=${new Date().toISOString()}`]) {
      const res = await api(`/open311/v2/requests.json?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body[0].code).toBe(400);
    }
    expect((await api('/open311/v2/requests/GUP-1999-000000.json')).body).toEqual([{ code: 404, description: expect.stringContaining('GUP-1999-000000') }]);
  });

  it('when anyone reads requests, then no personal data is in the answers (no creator name, no e-mail)', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const web = await postReport(athis, reportBody(lon, lat, { category: 'salissure', description: 'Salissures sur le parvis' }));
    const viaKey = (await postForm({ api_key: athisKey.key, service_code: 'salissure', lat, long: lon, description: 'Salissures près des bancs' })).body[0].service_request_id;
    const texts = [
      JSON.stringify((await api('/open311/v2/requests.json')).body),
      JSON.stringify((await api(`/open311/v2/requests.json?service_request_id=${web.body.reference},${viaKey}`)).body),
      JSON.stringify((await api(`/open311/v2/requests/${web.body.reference}.json`)).body),
      JSON.stringify((await api('/open311/v2/services.json')).body),
    ];
    expect(texts[1]).toContain(web.body.reference);
    for (const text of texts) {
      for (const secret of ['mairie.athis@demo.gup', 'Référente GUP Athis-Mons', '@demo.gup', athisKey.email, 'Logiciel de la commune', 'created_by', 'createdBy', 'follower', 'Gardien OPH']) {
        expect(text).not.toContain(secret);
      }
    }
  });
});

describe('Open311 keys', () => {
  it('when the key is wrong, missing or revoked, then 403 (400 when missing) and nothing is stored', async () => {
    const counts = await reportTablesCount();
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const body = { service_code: 'graffiti', lat, long: lon, description: 'Tag' };
    const bad = await postForm({ ...body, api_key: 'gup311_not-a-real-key' });
    expect(bad.status).toBe(403);
    expect(bad.body).toEqual([{ code: 403, description: expect.stringContaining('api_key') }]);
    const missing = await postForm(body);
    expect(missing.status).toBe(400);
    expect(missing.body[0].description).toContain('api_key');

    const { db } = await testContext();
    const revoked = await createOpen311Key(db.knex, { communeInsee: '91027', label: 'Ancien logiciel (test)' });
    expect(revoked.userId).toBe(athisKey.userId); // one service account per commune, reused
    expect(await db.knex('open311_keys').where({ id: revoked.keyId }).first('key_hash')).toEqual({ key_hash: hashApiKey(revoked.key) }); // only the hash
    await revokeOpen311Key(db.knex, revoked.keyId);
    expect((await postForm({ ...body, api_key: revoked.key })).status).toBe(403);
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when a Juvisy key files in Athis-Mons, then 403 and nothing is stored', async () => {
    const counts = await reportTablesCount();
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const res = await postForm({ api_key: juvisyKey.key, service_code: 'graffiti', lat, long: lon, description: 'Tag sur la porte' });
    expect(res.status).toBe(403);
    expect(res.body[0]).toMatchObject({ code: 403, description: expect.stringContaining('Athis-Mons') });
    expect(await reportTablesCount()).toEqual(counts);
    const [jLon, jLat] = await pointIn(DEMO.communeJuvisy);
    expect((await postForm({ api_key: juvisyKey.key, service_code: 'graffiti', lat: jLat, long: jLon, description: 'Tag sur la porte' })).status).toBe(201);
  });

  it.each([
    ['an unknown service_code', { service_code: 'licorne' }, 'service_code'],
    ['an unknown urgency', { 'attribute[urgent]': 'panique' }, 'attribute[urgent]'],
    ['no position', { lat: '', long: '' }, 'lat'],
    ['swapped coordinates', { swap: 1 }, 'long'],
    ['a missing description', { description: '' }, 'description'],
  ])('when the request has %s, then 400 naming it and nothing is stored', async (_label, change, field) => {
    const counts = await reportTablesCount();
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const { swap, ...rest } = change as Record<string, string | number>;
    const fields: Record<string, string | number> = { api_key: athisKey.key, service_code: 'graffiti', lat: swap ? lon : lat, long: swap ? lat : lon, description: 'Tag sur la porte', ...rest };
    for (const [k, v] of Object.entries(fields)) if (v === '') delete fields[k];
    const res = await postForm(fields);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body[0].code).toBe(400);
    expect(res.body[0].description).toContain(field);
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when the JSON body is malformed, then 400 in the standard format', async () => {
    const res = await api('/open311/v2/requests.json', { method: 'POST', raw: '{"api_key":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([{ code: 400, description: expect.stringContaining('JSON') }]);
  });
});

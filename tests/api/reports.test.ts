import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { countReports, postReport, reportBody, reportTablesCount } from '../support/reports.js';

let athis: string;
let juvisy: string;
let officer: string;
let oph: string;
let dechets: string;
let planner: string;
beforeAll(async () => {
  athis = await login('mairie.athis@demo.gup');
  juvisy = await login('mairie.juvisy@demo.gup');
  officer = await login('gup@demo.gup');
  oph = await login('oph@demo.gup');
  dechets = await login('dechets@demo.gup');
  planner = await login('urbaniste@demo.gup');
});

const CATEGORIES = ['depot_sauvage', 'bac_deborde', 'salissure', 'graffiti', 'eclairage_panne', 'mobilier_degrade', 'espace_vert', 'voirie_degradee'] as const;
const THEME: Record<string, string> = {
  depot_sauvage: 'proprete', bac_deborde: 'dechets', salissure: 'proprete', graffiti: 'graffitis', eclairage_panne: 'eclairage',
  mobilier_degrade: 'mobilier', espace_vert: 'espaces_verts', voirie_degradee: 'voirie',
};
/** Expected service per land type and theme, from the demo configuration's managers. */
const ATHIS: Record<string, string> = { proprete: 'com-91027-proprete', graffitis: 'com-91027-proprete', espaces_verts: 'com-91027-ev', eclairage: 'com-91027-voirie', voirie: 'com-91027-voirie', mobilier: 'com-91027-voirie' };
const LANDS: [string, () => Promise<[number, number]>, (theme: string) => string, string][] = [
  ['landlord land (OPH)', () => pointIn(DEMO.landlordOph), () => 'oph-proximite', 'ownership'],
  ['agglomeration land', () => pointIn(DEMO.agglomeration), () => 'ept-ctt', 'ownership'],
  ['commune land', () => pointIn(DEMO.communeAthisInQpv), (t) => ATHIS[t]!, 'ownership'],
  ['joint owners (EPT lead)', () => pointIn(DEMO.jointEptAthis), () => 'ept-ctt', 'joint'],
  ['private land', () => pointIn(DEMO.naturalPersonInNoyerRenard), () => 'com-91027-hygiene', 'private_land'],
  ['public domain', async () => DEMO.publicDomainNoyerRenard, (t) => ATHIS[t]!, 'public_domain'],
  ['an owner without configured service', () => pointIn(DEMO.departement), () => 'ept-gup', 'triage'],
];

describe('report routing: every category × every kind of land', () => {
  for (const [land, where, expected, rule] of LANDS) {
    it(`when reports of every category are filed on ${land}, then each reaches the service the rules name`, async () => {
      const [lon, lat] = await where();
      for (const category of CATEGORIES) {
        const res = await postReport(athis, reportBody(lon, lat, { category, description: `Test routage ${category}` }));
        expect(res.status, `${category}: ${JSON.stringify(res.body)}`).toBe(201);
        const theme = THEME[category]!;
        const service = theme === 'dechets' ? 'ept-dechets' : expected(theme);
        expect(res.body.routing.service.code, `${land} / ${category}`).toBe(service);
        expect(res.body.routing.rule).toBe(theme === 'dechets' ? 'competence' : rule);
        expect(res.body.routing.unresolved).toBe(rule === 'triage' && theme !== 'dechets');
        expect(res.body.routing.reason.length).toBeGreaterThan(10);
      }
    });
  }

  it('when a delegated sub-sector covers the spot, then its delegate receives the report', async () => {
    const { db } = await testContext();
    const { rows } = await db.knex.raw(`SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(ST_GeometryN(ST_Buffer(geom::geography, 2)::geometry, 1), 0.000005), 7)::json AS g FROM parcels WHERE idu = ?`, [DEMO.landlordEshInNoyerRenard]);
    const geometry = typeof rows[0].g === 'string' ? JSON.parse(rows[0].g) : rows[0].g;
    const sub = await api('/api/subsectors', { body: { type: 'Feature', geometry, properties: { name: 'Routage sous-secteur (test)' } }, cookie: planner });
    expect(sub.status).toBe(201);
    try {
      const [lon, lat] = await pointIn(DEMO.landlordEshInNoyerRenard);
      const res = await postReport(athis, reportBody(lon, lat, { category: 'eclairage_panne' }));
      expect(res.body.routing).toMatchObject({ rule: 'subsector', service: { code: 'esh-gestion' } });
    } finally {
      await api(`/api/subsectors/${sub.body.id}`, { method: 'DELETE', cookie: planner });
    }
  });

  it('when a dépôt sauvage is filed, then the waste service gets a copy (alsoNotify), and joint owners\' services too', async () => {
    const [lon, lat] = await pointIn(DEMO.jointEptAthis);
    const res = await postReport(athis, reportBody(lon, lat));
    expect(res.body.routing.alsoNotify).toEqual(expect.arrayContaining(['ept-dechets', 'com-91027-proprete']));
    const { db } = await testContext();
    const mails = await db.knex('outbox').where({ report_id: res.body.id }).pluck('to_address');
    expect(mails).toEqual(expect.arrayContaining(['ctt@example.org', 'dechets@example.org', 'proprete.athis@example.org']));
  });
});

describe('report intake', () => {
  it('when a commune user reports in the Noyer Renard QPV, then 201 with reference, routing and the QPV delays', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordEshInNoyerRenard);
    const before = Date.now();
    const res = await postReport(athis, reportBody(lon, lat));
    expect(res.status).toBe(201);
    expect(res.body.reference).toMatch(/^GUP-\d{4}-\d{6}$/);
    expect(res.body.status).toBe('submitted');
    const resolveHours = (Date.parse(res.body.resolveDueAt) - before) / 3_600_000;
    expect(resolveHours).toBeGreaterThan(47.9);
    expect(resolveHours).toBeLessThan(48.1);
    const details = await api(`/api/reports/${res.body.id}`, { cookie: athis });
    expect(details.body).toMatchObject({ qpvCode: 'QP091028', parcelIdu: DEMO.landlordEshInNoyerRenard, communeInsee: '91027', delayBasis: 'QPV' });
    expect(details.body.timeline[0]).toMatchObject({ toStatus: 'submitted', userName: 'Référente GUP Athis-Mons' });
  });

  it('when urgent with a criterion, then the urgency delay applies; urgent without a criterion is refused', async () => {
    const [lon, lat] = await pointIn(DEMO.agglomeration);
    const before = Date.now();
    const ok = await postReport(athis, reportBody(lon, lat, { category: 'voirie_degradee', urgent: true, urgencyCriterion: 'danger' }));
    expect(ok.status).toBe(201);
    expect((Date.parse(ok.body.resolveDueAt) - before) / 3_600_000).toBeLessThan(24.1);
    const counts = await reportTablesCount();
    const bad = await postReport(athis, reportBody(lon, lat, { urgent: true }));
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].field).toBe('urgencyCriterion');
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when the same Idempotency-Key is sent twice, then one report exists and both answers name it', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const key = `key-${Date.now()}-abcdef`;
    const first = await postReport(athis, reportBody(lon, lat), { 'Idempotency-Key': key });
    const count = await countReports();
    const second = await postReport(athis, reportBody(lon, lat), { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(await countReports()).toBe(count);
  });

  it('when an open report of the same category is nearby, then it is proposed as a duplicate and the user can join it', async () => {
    const [lon, lat] = await pointIn(DEMO.communeJuvisy);
    const first = await postReport(juvisy, reportBody(lon, lat, { category: 'salissure' }));
    const near = await api(`/api/reports/nearby?category=salissure&lon=${lon + 0.0001}&lat=${lat}`, { cookie: juvisy });
    expect(near.body.reports.map((r: any) => r.id)).toContain(first.body.id);
    expect(near.body.radiusMeters).toBe(30);
    const second = await postReport(juvisy, reportBody(lon + 0.0001, lat, { category: 'salissure' }));
    expect(second.body.possibleDuplicates.map((r: any) => r.id)).toContain(first.body.id);
    const other = await postReport(juvisy, reportBody(lon, lat, { category: 'graffiti' }));
    expect(other.body.possibleDuplicates.map((r: any) => r.id)).not.toContain(first.body.id);
    const joined = await api(`/api/reports/${first.body.id}/follow`, { method: 'POST', cookie: juvisy });
    expect(joined.status).toBe(200);
    expect(joined.body.timeline.at(-1).kind).toBe('follow');
    // the officer merges the second into the first
    const merged = await api(`/api/reports/${second.body.id}/transitions`, { body: { to: 'duplicate', duplicateOf: first.body.id, comment: 'Même dépôt' }, cookie: officer });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ status: 'duplicate', duplicateOf: first.body.id });
  });
});

describe('scoping by commune and service', () => {
  it('when a Juvisy user reports in Athis-Mons, then 403 and nothing is stored', async () => {
    const counts = await reportTablesCount();
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const res = await postReport(juvisy, reportBody(lon, lat));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('Athis-Mons');
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when a Juvisy user reads Athis-Mons reports, then they are neither listed nor readable', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const athisReport = await postReport(athis, reportBody(lon, lat));
    const list = await api('/api/reports?limit=5000', { cookie: juvisy });
    expect(list.body.reports.every((r: any) => r.communeInsee === '91326')).toBe(true);
    expect((await api(`/api/reports/${athisReport.body.id}`, { cookie: juvisy })).status).toBe(404);
    expect((await api(`/api/reports/${athisReport.body.id}/transitions`, { body: { action: 'comment', comment: 'x' }, cookie: juvisy })).status).toBe(404);
    expect((await api('/api/reports?commune=91027', { cookie: juvisy })).body.reports).toEqual([]);
  });

  it('when a service agent lists, then it sees its queue (and its copies) only', async () => {
    const list = await api('/api/reports?limit=5000', { cookie: oph });
    expect(list.body.reports.length).toBeGreaterThan(0);
    expect(list.body.reports.every((r: any) => r.serviceCode === 'oph-proximite' || r.alsoNotify.includes('oph-proximite'))).toBe(true);
    const dech = await api('/api/reports?limit=5000', { cookie: dechets });
    expect(dech.body.reports.some((r: any) => r.serviceCode !== 'ept-dechets')).toBe(true); // copies of dépôts sauvages
  });

  it('when filters are given, then the list and its CSV export follow them', async () => {
    const res = await api('/api/reports?status=submitted&category=depot_sauvage&qpv=QP091028', { cookie: officer });
    expect(res.body.reports.length).toBeGreaterThan(0);
    expect(res.body.reports.every((r: any) => r.status === 'submitted' && r.categoryCode === 'depot_sauvage' && r.qpvCode === 'QP091028')).toBe(true);
    const csv = await api('/api/reports?format=csv&category=depot_sauvage', { cookie: officer });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toContain('"Référence";"Date";"Statut";"Catégorie"');
    expect(lines[0]).toContain('"Échéance";"En retard"');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[1]!.split(';')[1]).toMatch(/^"\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}"$/); // Paris local time, not UTC ISO
    expect((await api('/api/reports?status=bogus', { cookie: officer })).status).toBe(400);
  });
});

describe('CSV export', () => {
  it('when a description holds a formula after a comma, then its cell is quoted and the formula neutralised; every text cell is quoted', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const created = await postReport(athis, reportBody(lon, lat, { category: 'graffiti', description: 'Poubelle,=1+1' }));
    expect(created.status).toBe(201);
    const csv = await api(`/api/reports?format=csv&category=graffiti&limit=5000`, { cookie: athis });
    const line = (csv.body as string).split('\r\n').find((l) => l.startsWith(`"${created.body.reference}"`));
    expect(line, 'the report\'s line, reference quoted').toBeDefined();
    expect(line!.endsWith(';"Poubelle,\'=1+1"')).toBe(true);
    const cells = line!.split(';');
    expect(cells).toHaveLength(14);
    for (const [i, cell] of cells.entries()) {
      if (i === 11 || i === 12) expect(Number(cell), 'longitude and latitude stay numbers').not.toBeNaN();
      else expect(cell, `cell ${i}`).toMatch(/^".*"$/);
    }
  });
});

describe('follow-up', () => {
  it('when the service acknowledges and resolves with an answer, then the commune sees the answer and can close', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const { body: created } = await postReport(athis, reportBody(lon, lat));
    const ack = await api(`/api/reports/${created.id}/transitions`, { body: { to: 'acknowledged' }, cookie: oph });
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe('acknowledged');
    const noAnswer = await api(`/api/reports/${created.id}/transitions`, { body: { to: 'resolved' }, cookie: oph });
    expect(noAnswer.status).toBe(409);
    const resolved = await api(`/api/reports/${created.id}/transitions`, { body: { to: 'resolved', comment: 'Encombrants enlevés le matin même' }, cookie: oph });
    expect(resolved.body.status).toBe('resolved');
    const seen = await api(`/api/reports/${created.id}`, { cookie: athis });
    expect(seen.body.timeline.at(-1)).toMatchObject({ toStatus: 'resolved', comment: 'Encombrants enlevés le matin même', userName: 'Gardien OPH' });
    expect(seen.body.actions).toEqual(expect.arrayContaining(['close', 'reopen']));
    const { db } = await testContext();
    const mail = await db.knex('outbox').where({ report_id: created.id, to_address: 'mairie.athis@demo.gup' }).orderBy('id', 'desc').first();
    expect(mail.body).toContain('Encombrants enlevés');
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'closed' }, cookie: athis })).body.status).toBe('closed');
  });

  it('when forbidden transitions are tried, then 403 for the wrong role and 409 for the wrong state', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const { body: created } = await postReport(athis, reportBody(lon, lat));
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'acknowledged' }, cookie: athis })).status).toBe(403);
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'rejected', comment: 'non' }, cookie: oph })).status).toBe(403);
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'acknowledged' }, cookie: dechets })).status).toBe(403);
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'closed' }, cookie: athis })).status).toBe(409);
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { action: 'flag_urgency' }, cookie: officer })).status).toBe(409);
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'flying' }, cookie: officer })).status).toBe(400);
  });

  it('when the service transfers with a reason, then the report is re-routed, the clock restarts and the new service can act', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const { body: created } = await postReport(athis, reportBody(lon, lat, { category: 'eclairage_panne' }));
    const noReason = await api(`/api/reports/${created.id}/transitions`, { body: { to: 'transferred', service: 'com-91027-voirie' }, cookie: oph });
    expect(noReason.status).toBe(409);
    const moved = await api(`/api/reports/${created.id}/transitions`, { body: { to: 'transferred', service: 'com-91027-voirie', comment: 'Candélabre sur la voie publique' }, cookie: oph });
    expect(moved.body).toMatchObject({ status: 'transferred', serviceCode: 'com-91027-voirie', visible: false });
    const seenByOfficer = await api(`/api/reports/${created.id}`, { cookie: officer });
    expect(seenByOfficer.body.routing.reason).toContain('Candélabre');
    expect(seenByOfficer.body.timeline.at(-1)).toMatchObject({ toStatus: 'transferred', details: { from: 'oph-proximite', to: 'com-91027-voirie' } });
    expect((await api(`/api/reports/${created.id}`, { cookie: oph })).status).toBe(404); // no longer its report
    const admin = await login('admin@demo.gup');
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'acknowledged' }, cookie: admin })).body.status).toBe('acknowledged');
  });

  it('when an officer flags an urgency as not justified, then the flag is kept on the report', async () => {
    const [lon, lat] = await pointIn(DEMO.agglomeration);
    const { body: created } = await postReport(athis, reportBody(lon, lat, { urgent: true, urgencyCriterion: 'acces_bloque' }));
    const flagged = await api(`/api/reports/${created.id}/transitions`, { body: { action: 'flag_urgency', comment: 'Pas d\'accès bloqué sur place' }, cookie: officer });
    expect(flagged.body.urgencyNotJustified).toBe(true);
    expect(flagged.body.timeline.at(-1).kind).toBe('flag_urgency');
  });
});

describe('bad input is refused and stores nothing', () => {
  it.each([
    ['malformed JSON', { raw: '{"category":', headers: { 'content-type': 'application/json' } }, 400],
    ['a missing description', { body: { category: 'depot_sauvage', lon: 2.36, lat: 48.70 } }, 400],
    ['an unknown category', { body: { category: 'licorne', description: 'xxxx', lon: 2.3595, lat: 48.7029 } }, 422],
    ['coordinates as strings', { body: { category: 'depot_sauvage', description: 'xxxx', lon: '2.36', lat: '48.70' } }, 400],
    ['an unknown field', { body: { category: 'depot_sauvage', description: 'xxxx', lon: 2.36, lat: 48.70, admin: true } }, 400],
    ['a point outside the territory', { body: { category: 'depot_sauvage', description: 'xxxx', lon: 2.349510427631579, lat: 48.683605 } }, 404],
    ['a point outside France', { body: { category: 'depot_sauvage', description: 'xxxx', lon: -74, lat: 40.7 } }, 400],
    ['an oversize body', { raw: JSON.stringify({ category: 'depot_sauvage', description: 'x'.repeat(3_000_000), lon: 2.36, lat: 48.7 }), headers: { 'content-type': 'application/json' } }, 413],
    ['a too short Idempotency-Key', { body: { category: 'depot_sauvage', description: 'xxxx', lon: 2.3595, lat: 48.7029 }, headers: { 'Idempotency-Key': 'abc' } }, 400],
  ])('when the report has %s, then the answer is a clear 4xx', async (_label, req, status) => {
    const counts = await reportTablesCount();
    const res = await api('/api/reports', { method: 'POST', cookie: athis, ...(req as object) });
    expect(res.status).toBe(status);
    expect(res.body.error.message.length).toBeGreaterThan(3);
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when a planner or a service agent tries to report, then 403', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    expect((await postReport(planner, reportBody(lon, lat))).status).toBe(403);
    expect((await postReport(oph, reportBody(lon, lat))).status).toBe(403);
  });
});

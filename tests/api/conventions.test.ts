import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';

// DESIGN 3.8: a signed, valid convention's obligation routes the reports of its theme inside its sub-sector and sets
// their delay; the lookup's reason names the convention; once expired it routes nothing.

let planner: string;
let officer: string;
let athis: string;
let subsectorId: number;
let point: [number, number];
let baseline: { service: string; rule: string };

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const hoursBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 3_600_000;
const square = ([lon, lat]: [number, number], d: number) => ({ type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] });

/** A convention whose obligation gives cleanliness (propreté) to a service the land would not name, within 12 hours. */
const convention = (extra: Record<string, unknown> = {}) => ({
  title: 'Convention de gestion Morangis Test',
  parties: ['ept', 'com-91432'],
  status: 'signed',
  validFrom: day(-30),
  validTo: day(365),
  obligations: [{ theme: 'proprete', task: 'Balayage des cheminements', service: 'esh-gestion', frequency: 'hebdomadaire', delayHours: 12 }],
  ...extra,
});

const lookupProprete = async () => (await api(`/api/lookup?lon=${point[0]}&lat=${point[1]}&theme=proprete`, { cookie: officer })).body.services[0];

beforeAll(async () => {
  planner = await login('urbaniste@demo.gup');
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  const { db } = await testContext();
  // a Morangis parcel no other test uses (the 7th from the end by IDU); the sub-sector is archived afterwards
  const parcel = (await db.knex('parcels').where({ commune_insee: '91432' }).orderBy('idu', 'desc').offset(6).first('idu')) as { idu: string };
  point = await pointIn(parcel.idu);
  baseline = { service: (await lookupProprete()).service.code, rule: (await lookupProprete()).rule };
  const created = await api('/api/subsectors', { body: { type: 'Feature', geometry: square(point, 0.00004), properties: { name: 'Conventionné (test)', allowOverlap: true } }, cookie: planner });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  subsectorId = created.body.id;
});

afterAll(async () => {
  if (subsectorId) await api(`/api/subsectors/${subsectorId}`, { method: 'DELETE', cookie: planner });
});

describe('sub-sector conventions (DESIGN 3.8)', () => {
  it('when a sub-sector has no convention, then GET answers null and the land decides', async () => {
    const res = await api(`/api/subsectors/${subsectorId}/convention`, { cookie: athis });
    expect(res.status).toBe(200);
    expect(res.body.convention).toBeNull();
    expect(baseline.service).not.toBe('esh-gestion');
    expect((await lookupProprete()).rule).not.toBe('convention');
  });

  it('when a commune user or a service agent tries to write a convention, then 403 and nothing is stored', async () => {
    for (const who of ['mairie.athis@demo.gup', 'oph@demo.gup', 'gup@demo.gup']) {
      const res = await api(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', body: convention(), cookie: await login(who) });
      expect(res.status, who).toBe(403);
    }
    expect((await api(`/api/subsectors/${subsectorId}/convention`, { cookie: planner })).body.convention).toBeNull();
  });

  it('when a convention is incoherent or names unknown codes, then 4xx naming the field and nothing is stored', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ validFrom: null }, 422, 'validFrom'],
      [{ validTo: day(-60) }, 422, 'validTo'],
      [{ parties: ['ept'] }, 422, 'parties'],
      [{ parties: ['ept', 'nope'] }, 422, 'parties.1'],
      [{ obligations: [] }, 422, 'obligations'],
      [{ obligations: [{ theme: 'proprete', task: 'x', service: 'inconnu', frequency: 'x', delayHours: 12 }] }, 422, 'obligations.0.service'],
      [{ obligations: [{ theme: 'dechets', task: 'x', service: 'esh-gestion', frequency: 'x', delayHours: 12 }] }, 422, 'obligations.0.theme'],
      [{ obligations: [{ theme: 'proprete', task: 'x', service: 'esh-gestion', frequency: 'x', delayHours: -3 }] }, 400, 'obligations.0.delayHours'],
      [{ status: 'approved' }, 400, 'status'],
      [{ validFrom: '2026-02-30' }, 400, 'validFrom'],
    ];
    for (const [patch, status, field] of cases) {
      const res = await api(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', body: convention(patch), cookie: planner });
      expect(res.status, JSON.stringify(patch)).toBe(status);
      expect(res.body.error.details.map((d: { field: string }) => d.field), JSON.stringify(patch)).toContain(field);
    }
    expect((await api(`/api/subsectors/${subsectorId}/convention`, { cookie: planner })).body.convention).toBeNull();
    expect((await api('/api/subsectors/2147483647/convention', { cookie: planner })).status).toBe(404);
    expect((await api('/api/subsectors/abc/convention', { cookie: planner })).status).toBe(400);
  });

  it('when two obligations of one theme name two services, or the same task twice, then 422 naming the later one and the earlier one, and nothing is stored', async () => {
    const sweep = { theme: 'proprete', task: 'Balayage des cheminements', service: 'esh-gestion', frequency: 'hebdomadaire', delayHours: 12 };
    const cases: [Record<string, unknown>[], string, RegExp][] = [
      [[sweep, { ...sweep, task: 'Enlèvement des encombrants', service: 'oph-proximite', delayHours: 24 }], 'obligations.1.service', /n° 2 .*oph-proximite.*n° 1 \(« Balayage des cheminements »\) à « esh-gestion »/],
      [[sweep, { ...sweep, task: ' balayage des  CHEMINEMENTS', frequency: 'quotidienne', delayHours: 6 }], 'obligations.1.task', /n° 2 .*n° 1 \(thème « proprete », tâche « Balayage des cheminements »\)/],
      [[{ ...sweep, theme: 'eclairage', service: 'oph-proximite' }, sweep, { ...sweep, task: 'Graffitis', service: 'oph-proximite' }], 'obligations.2.service', /n° 3 .*n° 2/],
    ];
    for (const status of ['signed', 'draft']) {
      for (const [obligations, field, message] of cases) {
        const res = await api(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', body: convention({ status, obligations }), cookie: planner });
        expect(res.status, field).toBe(422);
        expect(res.body.error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
      }
    }
    expect((await api(`/api/subsectors/${subsectorId}/convention`, { cookie: planner })).body.convention).toBeNull();
  });

  it('when one service holds two tasks of a theme, then the convention is accepted and the most demanding task (shortest delay) routes and times the reports, named in the reason', async () => {
    const obligations = [
      { theme: 'proprete', task: 'Balayage des cheminements', service: 'esh-gestion', frequency: 'hebdomadaire', delayHours: 48 },
      { theme: 'proprete', task: 'Enlèvement des dépôts', service: 'esh-gestion', frequency: 'à la demande', delayHours: 10 },
    ];
    const saved = await api(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', body: convention({ obligations }), cookie: planner });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const answer = await lookupProprete();
    expect(answer).toMatchObject({ rule: 'convention', service: { code: 'esh-gestion' }, obligation: { task: 'Enlèvement des dépôts', delayHours: 10 } });
    expect(answer.reason).toContain('Enlèvement des dépôts');
    const report = await postReport(officer, reportBody(point[0], point[1], { category: 'salissure', description: 'Dépôt sur le cheminement (test convention, deux tâches)' }));
    expect(report.status, JSON.stringify(report.body)).toBe(201);
    const created = (await api(`/api/reports/${report.body.id}`, { cookie: officer })).body;
    expect(hoursBetween(created.createdAt, report.body.resolveDueAt)).toBeCloseTo(10, 1);
  });

  it('when a draft convention is saved, then it routes nothing', async () => {
    const res = await api(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', body: convention({ status: 'draft' }), cookie: planner });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.convention).toMatchObject({ status: 'draft', effectiveStatus: 'draft' });
    expect((await lookupProprete()).service.code).toBe(baseline.service);
  });

  it('when the convention is signed and valid, then the lookup names its service and convention, and a report there is routed and timed by its obligation', async () => {
    const saved = await api(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', body: convention(), cookie: planner });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.convention).toMatchObject({ status: 'signed', effectiveStatus: 'signed', parties: ['ept', 'com-91432'], statusLabel: 'Signée' });

    const answer = await lookupProprete();
    expect(answer).toMatchObject({ rule: 'convention', service: { code: 'esh-gestion' }, unresolved: false, obligation: { delayHours: 12, task: 'Balayage des cheminements' } });
    expect(answer.reason).toContain('Convention de gestion Morangis Test');
    // other themes keep their rule
    const eclairage = (await api(`/api/lookup?lon=${point[0]}&lat=${point[1]}&theme=eclairage`, { cookie: officer })).body.services[0];
    expect(eclairage.rule).not.toBe('convention');

    const report = await postReport(officer, reportBody(point[0], point[1], { category: 'salissure', description: 'Salissures sur le cheminement (test convention)' }));
    expect(report.status, JSON.stringify(report.body)).toBe(201);
    expect(report.body.routing).toMatchObject({ service: { code: 'esh-gestion' }, rule: 'convention' });
    expect(report.body.routing.reason).toContain('Convention de gestion Morangis Test');
    const created = (await api(`/api/reports/${report.body.id}`, { cookie: officer })).body;
    expect(hoursBetween(created.createdAt, report.body.resolveDueAt)).toBeCloseTo(12, 1);
    const { db } = await testContext();
    expect((await db.knex('reports').where({ id: report.body.id }).first('delay_basis')).delay_basis).toBe('convention');
  });

  it('when the convention is saved, then the audit log keeps who changed it, before and after', async () => {
    const { db } = await testContext();
    const rows = await db.knex('audit_log').where({ entity: 'subsector', entity_id: String(subsectorId) }).whereIn('action', ['convention.create', 'convention.update']).orderBy('id');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const last = rows.at(-1)!;
    const details = typeof last.details === 'string' ? JSON.parse(last.details) : last.details;
    expect(details.before.status).toBe('draft');
    expect(details.after.status).toBe('signed');
    expect(last.user_id).toBeGreaterThan(0);
  });

  it('when a signed document is uploaded, then only a PDF is accepted and everyone who sees the sub-sector can read it', async () => {
    const url = `/api/subsectors/${subsectorId}/convention/document?name=convention-signee.pdf`;
    const notPdf = await api(url, { method: 'PUT', raw: Buffer.from('GIF89a not a pdf'), headers: { 'content-type': 'application/pdf' }, cookie: planner });
    expect(notPdf.status).toBe(415);
    expect(notPdf.body.error.details[0].field).toBe('document');
    const tooBig = await api(url, { method: 'PUT', raw: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(10 * 1024 * 1024)]), headers: { 'content-type': 'application/pdf' }, cookie: planner });
    expect(tooBig.status).toBe(413);
    const byCommune = await api(url, { method: 'PUT', raw: Buffer.from('%PDF-1.4\n%%EOF\n'), headers: { 'content-type': 'application/pdf' }, cookie: athis });
    expect(byCommune.status).toBe(403);
    expect((await api(`/api/subsectors/${subsectorId}/convention/document`, { cookie: athis })).status).toBe(404);

    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const ok = await api(url, { method: 'PUT', raw: pdf, headers: { 'content-type': 'application/pdf' }, cookie: planner });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.convention.document).toMatchObject({ name: 'convention-signee.pdf', size: pdf.length });
    const { baseUrl } = await testContext();
    const read = await fetch(baseUrl + ok.body.convention.document.url, { headers: { cookie: athis } });
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await read.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('when the convention has expired, then the lookup and new reports follow the land again', async () => {
    const expired = await api(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', body: convention({ validFrom: day(-400), validTo: day(-1) }), cookie: planner });
    expect(expired.status, JSON.stringify(expired.body)).toBe(200);
    expect(expired.body.convention).toMatchObject({ status: 'signed', effectiveStatus: 'expired', statusLabel: 'Échue' });
    expect(await lookupProprete()).toMatchObject({ service: { code: baseline.service }, rule: baseline.rule, obligation: null });

    const report = await postReport(officer, reportBody(point[0], point[1], { category: 'salissure', description: 'Salissures après la convention (test)' }));
    expect(report.status).toBe(201);
    expect(report.body.routing.service.code).toBe(baseline.service);
    expect(report.body.routing.rule).not.toBe('convention');
    const created = (await api(`/api/reports/${report.body.id}`, { cookie: officer })).body;
    expect(hoursBetween(created.createdAt, report.body.resolveDueAt)).toBeGreaterThan(24);

    // the document survives a change of the convention's terms
    expect(expired.body.convention.document).toMatchObject({ name: 'convention-signee.pdf' });
  });
});

/**
 * Statistics (issue 12, DESIGN 3.5 and §4): hand-built reports with known timings, in January 2019 (far from the demo
 * activity and every other test), give the expected indicators in every dimension; scope follows the reader; closing a
 * period freezes its figures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';
import { statsBy, StatsTooLong } from '../../server/src/data/stats.js';
import { SCOPE_ALL } from '../../server/src/domain/access.js';

const H = 3_600_000;
const at = (iso: string, plusHours = 0) => new Date(Date.parse(iso) + plusHours * H);

interface Fixture {
  ref: string;
  commune: '91326' | '91027';
  service: string;
  category: 'depot_sauvage' | 'graffiti';
  qpv?: boolean;
  urgent?: boolean;
  notJustified?: boolean;
  source?: 'web' | 'open311';
  status: string;
  created: string;
  ackDue: number;
  resolveDue: number;
  ack?: number;
  resolved?: number;
  finished?: number;
  transfers?: number;
  reopened?: number;
  satisfaction?: number;
  subsector?: number;
}

/**
 * The reports of the test (hours counted from `created`). Juvisy-sur-Orge: J1 on time, J2 late on both, J3 open past
 * due, J4 transferred (new clock) and on time, J5 reopened and open past due, J6 urgent not justified (Open311), J7
 * rejected, J8 merged, J9 received the day before the period's end, J10 resolved after the period's end. Athis-Mons: A1.
 */
const FIXTURES: Fixture[] = [
  { ref: 'STAT-J1', commune: '91326', service: 'com-91326-st', category: 'depot_sauvage', status: 'closed', created: '2019-01-10T08:00:00Z', ackDue: 24, resolveDue: 72, ack: 2, resolved: 10, finished: 10, satisfaction: 4 },
  { ref: 'STAT-J2', commune: '91326', service: 'com-91326-st', category: 'graffiti', status: 'resolved', created: '2019-01-10T08:00:00Z', ackDue: 24, resolveDue: 72, ack: 30, resolved: 100, finished: 100 },
  { ref: 'STAT-J3', commune: '91326', service: 'com-91326-st', category: 'depot_sauvage', qpv: true, status: 'acknowledged', created: '2019-01-12T08:00:00Z', ackDue: 24, resolveDue: 48, ack: 5, subsector: 999_999 },
  { ref: 'STAT-J4', commune: '91326', service: 'oph-proximite', category: 'depot_sauvage', qpv: true, status: 'resolved', created: '2019-01-12T08:00:00Z', ackDue: 30, resolveDue: 80, ack: 26, resolved: 50, finished: 50, transfers: 1 },
  { ref: 'STAT-J5', commune: '91326', service: 'com-91326-st', category: 'graffiti', status: 'in_progress', created: '2019-01-14T08:00:00Z', ackDue: 24, resolveDue: 72, ack: 1, reopened: 1 },
  { ref: 'STAT-J6', commune: '91326', service: 'com-91326-st', category: 'depot_sauvage', urgent: true, notJustified: true, source: 'open311', status: 'closed', created: '2019-01-14T08:00:00Z', ackDue: 24, resolveDue: 24, ack: 1, resolved: 20, finished: 20, satisfaction: 2 },
  { ref: 'STAT-J7', commune: '91326', service: 'com-91326-st', category: 'depot_sauvage', status: 'rejected', created: '2019-01-16T08:00:00Z', ackDue: 24, resolveDue: 72, finished: 5 },
  { ref: 'STAT-J8', commune: '91326', service: 'com-91326-st', category: 'depot_sauvage', status: 'duplicate', created: '2019-01-16T08:00:00Z', ackDue: 24, resolveDue: 72, finished: 6 },
  { ref: 'STAT-J9', commune: '91326', service: 'com-91326-st', category: 'depot_sauvage', status: 'submitted', created: '2019-01-30T12:00:00Z', ackDue: 24, resolveDue: 72 },
  { ref: 'STAT-J10', commune: '91326', service: 'com-91326-st', category: 'graffiti', status: 'closed', created: '2019-01-25T10:00:00Z', ackDue: 24, resolveDue: 360, ack: 10, resolved: 264, finished: 264, satisfaction: 5 },
  { ref: 'STAT-A1', commune: '91027', service: 'com-91027-proprete', category: 'depot_sauvage', status: 'closed', created: '2019-01-15T08:00:00Z', ackDue: 24, resolveDue: 72, ack: 4, resolved: 30, finished: 30, satisfaction: 3 },
];

const JANUARY = 'from=2019-01-01&to=2019-01-31';
let officer: string;
let juvisy: string;
let athis: string;
let oph: string;

async function insertFixtures(fixtures: Fixture[]) {
  const { db } = await testContext();
  const author = await db.knex('users').where({ email: 'gup@demo.gup' }).first('id');
  const juvisySpot = await pointIn(DEMO.communeJuvisy);
  const athisSpot = await pointIn(DEMO.jointEptAthis);
  const qpv = (await db.knex('qpv').first('code')).code as string;
  await db.knex('reports').insert(fixtures.map((f, i) => {
    const spot = f.commune === '91326' ? juvisySpot : athisSpot;
    const h = (n: number | undefined) => (n === undefined ? null : at(f.created, n));
    return {
      reference: f.ref, category_code: f.category, description: `Statistiques ${f.ref}`, status: f.status, commune_insee: f.commune,
      service_code: f.service, routing: JSON.stringify({}), created_by: author.id, created_at: at(f.created), updated_at: at(f.created),
      geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [spot[0] + i * 0.000_01, spot[1]]),
      qpv_code: f.qpv ? qpv : null, urgent: !!f.urgent, urgency_criterion: f.urgent ? 'danger' : null, urgency_not_justified: !!f.notJustified,
      source: f.source ?? 'web', ack_due_at: h(f.ackDue), resolve_due_at: h(f.resolveDue), ack_at: h(f.ack), acknowledged_at: h(f.ack),
      resolved_at: h(f.resolved), finished_at: h(f.finished), transfer_count: f.transfers ?? 0, reopened_count: f.reopened ?? 0,
      satisfaction: f.satisfaction ?? null, subsector_id: f.subsector ?? null,
    };
  }));
}

beforeAll(async () => {
  await insertFixtures(FIXTURES);
  [officer, juvisy, athis, oph] = (await Promise.all(['gup@demo.gup', 'mairie.juvisy@demo.gup', 'mairie.athis@demo.gup', 'oph@demo.gup'].map((e) => login(e)))) as [string, string, string, string];
});

const stats = (cookie: string, query: string) => api(`/api/stats?${query}`, { cookie });
const row = (body: any, key: string | null) => body.rows.find((r: any) => r.key === key);

/** The expected indicators of Juvisy-sur-Orge's ten January reports, worked out by hand from the table above. */
const JUVISY_JANUARY = {
  received: 10,
  ackOnTimeRate: 0.75, // on time: J1 J3 J4 J5 J6 J10; late: J2, J9 (never acknowledged, past due); J7 J8 excluded
  resolvedOnTimeRate: 0.5, // on time: J1 J4 J6 J10; late: J2, and J3 J5 J9 open past due
  ackMedianHours: 5, // 1 1 2 5 10 26 30
  ackP90Hours: 27.6,
  resolveMedianHours: 50, // 10 20 50 100 264
  resolveP90Hours: 198.4,
  backlog: 4, // open at 1 February 00:00 Paris: J3 J5 J9, and J10 (resolved on 5 February)
  backlogByAge: { under48h: 1, from48hTo10d: 1, over10d: 2 }, // J9 (35 h), J10 (157 h), J3 and J5
  overdue: 2, // J3 and J5; J9 and J10 were not due yet on 1 February
  transfers: 1,
  transferRate: 0.1,
  rejected: 1,
  duplicates: 1,
  reopened: 1,
  urgent: 1,
  urgencyNotJustified: 1,
  satisfaction: 3.67, // 4, 2, 5
  satisfactionCount: 3,
};

describe('Statistics: indicators on hand-built reports', () => {
  it('when a commune user asks its January by month, then every indicator has the value worked out by hand', async () => {
    const res = await stats(juvisy, `${JANUARY}&groupBy=month`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2019-01-01', to: '2019-01-31', groupBy: 'month', frozen: false });
    expect(res.body.totals).toEqual(JUVISY_JANUARY);
    expect(res.body.rows).toEqual([{ key: '2019-01', label: 'janvier 2019', ...JUVISY_JANUARY }]);
  });

  it('when an officer asks by commune, then each commune has its own figures and the totals cover both', async () => {
    const res = await stats(officer, `${JANUARY}&groupBy=commune`);
    expect(res.status).toBe(200);
    expect(row(res.body, '91326')).toEqual({ key: '91326', label: 'Juvisy-sur-Orge', ...JUVISY_JANUARY });
    expect(row(res.body, '91027')).toMatchObject({ key: '91027', label: 'Athis-Mons', received: 1, ackOnTimeRate: 1, resolvedOnTimeRate: 1, ackMedianHours: 4, resolveMedianHours: 30, satisfaction: 3, backlog: 0 });
    expect(res.body.totals).toMatchObject({ received: 11, ackOnTimeRate: round4(7 / 9), resolvedOnTimeRate: round4(5 / 9), satisfactionCount: 4, satisfaction: 3.5 });
    expect(res.body.rows).toHaveLength(2);
  });

  it('when grouped by each other dimension, then each key counts its reports and the sums match the totals', async () => {
    const expected: Record<string, Record<string, [string, number]>> = {
      qpv: { qpv: ['En QPV', 2], hors_qpv: ['Hors QPV', 8] },
      sector: { 'portes-essonne': ["Portes de l'Essonne", 10] },
      subsector: { 999999: ['999999', 1], null: ['Hors sous-secteur', 9] },
      organisation: { 'com-91326': ['Ville de Juvisy-sur-Orge', 9], oph: ['OPH Orge Seine Habitat (FICTIF)', 1] },
      service: { 'com-91326-st': ['Juvisy-sur-Orge — Services techniques', 9], 'oph-proximite': ['OPH Orge Seine Habitat — Agence de proximité (FICTIF)', 1] },
      theme: { proprete: ['Propreté', 7], graffitis: ['Tags et graffitis', 3] },
      category: { depot_sauvage: ['Dépôt sauvage, encombrants', 7], graffiti: ['Tag, graffiti', 3] },
      urgent: { urgent: ['Urgent', 1], non_urgent: ['Non urgent', 9] },
      channel: { web: ['Application web', 9], open311: ['Open311 (logiciel de la commune)', 1] },
    };
    for (const [groupBy, keys] of Object.entries(expected)) {
      const res = await stats(juvisy, `${JANUARY}&groupBy=${groupBy}`);
      expect(res.status, groupBy).toBe(200);
      const got = Object.fromEntries(res.body.rows.map((r: any) => [String(r.key), [r.label, r.received]]));
      expect(got, groupBy).toEqual(keys);
      expect(res.body.totals, groupBy).toEqual(JUVISY_JANUARY);
    }
  });

  it('when grouped by service, then the transferred report is counted with the service it went to, on its new clock', async () => {
    const res = await stats(juvisy, `${JANUARY}&groupBy=service`);
    expect(row(res.body, 'oph-proximite')).toMatchObject({ received: 1, transfers: 1, transferRate: 1, ackOnTimeRate: 1, resolvedOnTimeRate: 1, ackMedianHours: 26, resolveMedianHours: 50 });
    expect(row(res.body, 'com-91326-st')).toMatchObject({ received: 9, transfers: 0, rejected: 1, duplicates: 1, reopened: 1, overdue: 2 });
  });

  it('when the period starts on 11 January (the month\'s roll-up row minus its first ten days), then J1 and J2 of the 10th are left out', async () => {
    const res = await stats(juvisy, 'from=2019-01-11&to=2019-01-31&groupBy=month');
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({
      received: 8,
      ackOnTimeRate: round4(5 / 6), // on time: J3 J4 J5 J6 J10; late: J9
      ackMedianHours: 5, // 1 1 5 10 26
      resolveMedianHours: 50, // 20 50 264
      satisfaction: 3.5, // 2, 5
      satisfactionCount: 2,
      transfers: 1,
      backlog: 4,
    });
    expect(res.body.rows).toEqual([{ key: '2019-01', label: 'janvier 2019', ...res.body.totals }]);
  });

  it('when filtered, then only the matching reports count', async () => {
    const urgent = await stats(juvisy, `${JANUARY}&groupBy=category&urgent=true`);
    expect(urgent.body.totals).toMatchObject({ received: 1, urgent: 1, urgencyNotJustified: 1, ackOnTimeRate: 1, resolvedOnTimeRate: 1, satisfaction: 2 });
    const qpv = await stats(juvisy, `${JANUARY}&qpv=true`);
    expect(qpv.body.totals).toMatchObject({ received: 2, backlog: 1, overdue: 1 });
    const theme = await stats(juvisy, `${JANUARY}&theme=graffitis&channel=web`);
    expect(theme.body.totals).toMatchObject({ received: 3, reopened: 1, resolveMedianHours: round1((100 + 264) / 2) });
    const subsector = await stats(juvisy, `${JANUARY}&subsector=999999`);
    expect(subsector.body.totals.received).toBe(1);
  });
});

describe('Statistics: scope (DESIGN 3.4)', () => {
  it('when the Juvisy user asks by commune or filters on Athis-Mons, then no Athis-Mons figure appears', async () => {
    const byCommune = await stats(juvisy, `${JANUARY}&groupBy=commune`);
    expect(byCommune.body.rows.map((r: any) => r.key)).toEqual(['91326']);
    const athisOnly = await stats(juvisy, `${JANUARY}&commune=91027`);
    expect(athisOnly.status).toBe(200);
    expect(athisOnly.body.rows).toEqual([]);
    expect(athisOnly.body.totals.received).toBe(0);
  });

  it('when the Athis-Mons user asks, then it sees its one report only', async () => {
    const res = await stats(athis, `${JANUARY}&groupBy=commune`);
    expect(res.body.rows.map((r: any) => [r.key, r.received])).toEqual([['91027', 1]]);
  });

  it('when a service agent asks, then it sees its service\'s reports only', async () => {
    const res = await stats(oph, `${JANUARY}&groupBy=service`);
    expect(res.body.rows.map((r: any) => [r.key, r.received])).toEqual([['oph-proximite', 1]]);
    expect(res.body.totals).toMatchObject({ received: 1, transfers: 1 });
  });

  it('when hotspots are asked with a threshold of one, then the Juvisy user gets only Juvisy cells and the officer both communes', async () => {
    const cells = async (cookie: string) => {
      const res = await api('/api/stats/hotspots?to=2019-01-31&minReports=1', { cookie });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/geo+json');
      expect(res.body.type).toBe('FeatureCollection');
      return res.body.features as { properties: { reports: number; open: number }; geometry: { type: string } }[];
    };
    const mine = await cells(juvisy);
    expect(mine.reduce((n, f) => n + f.properties.reports, 0)).toBe(10);
    expect(mine.every((f) => f.geometry.type === 'Polygon')).toBe(true);
    const all = await cells(officer);
    expect(all.reduce((n, f) => n + f.properties.reports, 0)).toBe(11);
    const dense = await api('/api/stats/hotspots?to=2019-01-31&minReports=11', { cookie: officer });
    expect(dense.body.features).toEqual([]); // the two communes' reports are kilometres apart: no cell holds 11
  });

  it('when a hotspot cell is 100 m of Lambert-93, then its corners are 100 m apart in EPSG:2154', async () => {
    const { db } = await testContext();
    const res = await api('/api/stats/hotspots?to=2019-01-31&minReports=1', { cookie: juvisy });
    const ring = res.body.features[0].geometry.coordinates[0] as [number, number][];
    const { rows } = await db.knex.raw(
      `SELECT ST_XMax(b) - ST_XMin(b) AS w, ST_YMax(b) - ST_YMin(b) AS h FROM (SELECT ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326), 2154) AS b) t`,
      [JSON.stringify({ type: 'Polygon', coordinates: [ring] })],
    );
    expect(Number(rows[0].w)).toBeCloseTo(100, 0);
    expect(Number(rows[0].h)).toBeCloseTo(100, 0);
  });
});

describe('Statistics: bad input', () => {
  it.each([
    ['groupBy=street', 'groupBy'],
    ['from=2019-02-01&to=2019-01-01', 'to'],
    ['from=2015-01-01&to=2019-01-01', 'from'],
    ['from=2019-02-30', 'from'],
    ['commune=Athis', 'commune'],
    ['channel=fax', 'channel'],
    ['urgent=maybe', 'urgent'],
    ['color=red', null],
  ])('when asked %s, then 400 naming the field', async (query, field) => {
    const res = await stats(officer, query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    if (field) expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
  });

  it('when asked without a session, then 401', async () => {
    expect((await api(`/api/stats?${JANUARY}`)).status).toBe(401);
  });

  it('when hotspots are asked with a threshold of zero, then 400 naming minReports', async () => {
    const res = await api('/api/stats/hotspots?minReports=0', { cookie: officer });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('minReports');
  });
});

describe('Statistics: time limit', () => {
  it('when a statement outlives its limit, then PostgreSQL stops it as StatsTooLong (the embedded engine has no timers and answers)', async () => {
    const { db } = await testContext();
    const today = new Date().toISOString().slice(0, 10);
    const yearAgo = new Date(Date.now() - 360 * 86_400_000).toISOString().slice(0, 10);
    const run = statsBy(db.knex, SCOPE_ALL, { from: yearAgo, to: today }, 'month', {}, { kind: 'live' }, 1);
    if (db.engine === 'postgres') await expect(run).rejects.toBeInstanceOf(StatsTooLong);
    else expect((await run).totals.received).toBeGreaterThan(1000); // the synthetic year (its first days may lie before the window)
  });
});

describe('Statistics: satisfaction and the transitions the indicators read', () => {
  it('when a report goes through start, transfer, resolve, reopen and close with a rating, then the report keeps what the statistics read', async () => {
    const { db } = await testContext();
    const spot = await pointIn(DEMO.communeJuvisy);
    const created = await postReport(juvisy, reportBody(spot[0], spot[1], { category: 'salissure', description: 'Statistiques : cycle complet' }));
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const move = (cookie: string, body: object) => api(`/api/reports/${id}/transitions`, { cookie, body });
    const facts = () => db.knex('reports').where({ id }).first('ack_at', 'finished_at', 'transfer_count', 'reopened_count', 'satisfaction', 'satisfaction_comment');

    expect((await move(officer, { action: 'start' })).status).toBe(200);
    expect((await facts()).ack_at).not.toBeNull(); // started without an acknowledgement: taken into account all the same
    expect((await move(officer, { action: 'transfer', service: 'oph-proximite', comment: 'Terrain du bailleur' })).status).toBe(200);
    expect(await facts()).toMatchObject({ ack_at: null, transfer_count: 1, finished_at: null }); // a new service, a new clock
    expect((await move(officer, { action: 'resolve', comment: 'Nettoyé' })).status).toBe(200);
    const resolved = await facts();
    expect(resolved.ack_at).not.toBeNull();
    expect(resolved.finished_at).not.toBeNull();
    expect((await move(juvisy, { action: 'reopen', comment: 'Toujours sale' })).status).toBe(200);
    expect(await facts()).toMatchObject({ reopened_count: 1, finished_at: null });
    expect((await move(officer, { action: 'resolve', comment: 'Nettoyé à nouveau' })).status).toBe(200);

    const byOfficer = await move(officer, { action: 'close', satisfaction: 5 });
    expect(byOfficer.status).toBe(422);
    expect(byOfficer.body.error.details[0].field).toBe('satisfaction');
    const outOfRange = await move(juvisy, { action: 'close', satisfaction: 6 });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error.details[0].field).toBe('satisfaction');
    expect((await facts()).satisfaction).toBeNull(); // refused: nothing written

    const closed = await move(juvisy, { action: 'close', satisfaction: 4, comment: 'Rapide la seconde fois' });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect(await facts()).toMatchObject({ satisfaction: 4, satisfaction_comment: 'Rapide la seconde fois', transfer_count: 1, reopened_count: 1 });
    expect((await facts()).finished_at).not.toBeNull();
  });
});

describe('Statistics: closing a period (runs last: it adds a report to January 2019)', () => {
  it('when a commune user or a service agent tries to close a period, then 403', async () => {
    for (const cookie of [juvisy, oph]) {
      const res = await api('/api/stats/periods', { cookie, body: { from: '2019-01-01', to: '2019-01-31', label: 'Janvier 2019' } });
      expect(res.status).toBe(403);
    }
    expect((await api('/api/stats/periods', { cookie: officer })).body.periods.some((p: any) => p.from === '2019-01-01')).toBe(false);
  });

  it('when a period not over yet is closed, then 409 naming to', async () => {
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const res = await api('/api/stats/periods', { cookie: officer, body: { from: day(-20), to: day(5), label: 'En cours' } });
    expect(res.status).toBe(409);
    expect(res.body.error.details[0].field).toBe('to');
  });

  it('when an officer closes January, then its figures no longer move as reports arrive and change, and live figures stand beside them', async () => {
    const close = await api('/api/stats/periods', { cookie: officer, body: { from: '2019-01-01', to: '2019-01-31', label: 'Comité technique — janvier 2019' } });
    expect(close.status).toBe(201);
    expect(close.body).toMatchObject({ from: '2019-01-01', to: '2019-01-31', label: 'Comité technique — janvier 2019', closedBy: { name: 'Chargée de mission GUP' } });
    expect((await api('/api/stats/periods', { cookie: officer, body: { from: '2019-01-01', to: '2019-01-31', label: 'Encore' } })).status).toBe(409);
    const listed = await api('/api/stats/periods', { cookie: juvisy });
    expect(listed.body.periods.map((p: any) => p.id)).toContain(close.body.id);

    // afterwards: a new January report in Juvisy, and J9 is acknowledged late
    await insertFixtures([{ ref: 'STAT-J11', commune: '91326', service: 'com-91326-st', category: 'graffiti', status: 'submitted', created: '2019-01-20T08:00:00Z', ackDue: 24, resolveDue: 72 }]);
    const { db } = await testContext();
    await db.knex('reports').where({ reference: 'STAT-J9' }).update({ status: 'acknowledged', ack_at: at('2019-03-01T00:00:00Z') });

    const frozen = await stats(juvisy, `${JANUARY}&groupBy=month&live=true`);
    expect(frozen.status).toBe(200);
    expect(frozen.body).toMatchObject({ frozen: true, period: { id: close.body.id, closedBy: { name: 'Chargée de mission GUP' } }, asOf: close.body.closedAt });
    expect(frozen.body.totals).toEqual(JUVISY_JANUARY); // the committee's numbers, scoped to Juvisy
    expect(frozen.body.live.totals).toMatchObject({ received: 11, ackOnTimeRate: round4(6 / 9), backlog: 5 });

    const officerFrozen = await stats(officer, `${JANUARY}&groupBy=commune`);
    expect(officerFrozen.body.frozen).toBe(true);
    expect(officerFrozen.body.live).toBeUndefined();
    expect(officerFrozen.body.rows.map((r: any) => [r.key, r.received])).toEqual([['91326', 10], ['91027', 1]]);
    const ophFrozen = await stats(oph, JANUARY);
    expect(ophFrozen.body.totals.received).toBe(1);

    const otherPeriod = await stats(juvisy, 'from=2019-01-01&to=2019-01-29');
    expect(otherPeriod.body.frozen).toBe(false);
    expect(otherPeriod.body.totals.received).toBe(10); // live: J1–J8, J10 and the new J11 (J9 came on the 30th)
  });
});

function round4(x: number) { return Math.round(x * 10_000) / 10_000; }
function round1(x: number) { return Math.round(x * 10) / 10; }

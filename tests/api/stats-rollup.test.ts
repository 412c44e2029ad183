/**
 * The statistics roll-up (issue 12's target at 1 000 000 reports, migration 011): whatever writes the reports — the
 * intake, every transition, a service reassignment in SQL, a bulk insert, a deletion — the roll-up stays equal to a
 * rebuild from the reports, and the dashboard's figures follow at once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';
import { rebuildStatsRollup, rollupDrift } from '../../server/src/data/stats-rollup.js';

let officer: string;
let juvisy: string;

beforeAll(async () => {
  [officer, juvisy] = (await Promise.all(['gup@demo.gup', 'mairie.juvisy@demo.gup'].map((e) => login(e)))) as [string, string];
});

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
const todayTotals = async (cookie: string) => {
  const res = await api(`/api/stats?from=${today()}&to=${today()}&groupBy=service`, { cookie });
  expect(res.status).toBe(200);
  return res.body.totals;
};

describe('Statistics roll-up', () => {
  it('when the demo database is opened, then its roll-up equals a rebuild from the reports', async () => {
    const { db } = await testContext();
    expect(Number((await db.knex('stats_rollup').count({ n: '*' }))[0]!.n)).toBeGreaterThan(0); // the synthetic year is rolled up
    expect(await rollupDrift(db.knex)).toEqual([]);
  });

  it('when reports are created, transitioned, reopened, transferred, merged and rated, then the roll-up equals a rebuild from the reports', async () => {
    const { db } = await testContext();
    const before = await todayTotals(officer);
    const spot = await pointIn(DEMO.communeJuvisy);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const extra = i === 4 ? { urgent: true, urgencyCriterion: 'danger' } : {};
      const res = await postReport(juvisy, reportBody(spot[0] + i * 0.000_02, spot[1], { description: `Roll-up ${i}`, ...extra }));
      expect(res.status).toBe(201);
      ids.push(res.body.id as number);
    }
    const move = async (cookie: string, id: number, body: object) => {
      const res = await api(`/api/reports/${id}/transitions`, { cookie, body });
      expect(res.status, JSON.stringify(body)).toBe(200);
    };
    const [a, b, c, d, e] = ids as [number, number, number, number, number];
    await move(officer, a, { action: 'acknowledge' });
    await move(officer, a, { action: 'resolve', comment: 'Enlevé' });
    await move(juvisy, a, { action: 'reopen', comment: 'Revenu' });
    await move(officer, a, { action: 'resolve', comment: 'Enlevé à nouveau' });
    await move(juvisy, a, { action: 'close', satisfaction: 4 });
    await move(officer, b, { action: 'transfer', service: 'oph-proximite', comment: 'Terrain du bailleur' });
    await move(officer, b, { action: 'start' });
    await move(officer, c, { action: 'merge', duplicateOf: b });
    await move(officer, d, { action: 'reject', comment: 'Hors périmètre' });
    await move(officer, e, { action: 'flag_urgency' });
    expect(await rollupDrift(db.knex)).toEqual([]);

    const after = await todayTotals(officer);
    expect(after.received - before.received).toBe(5);
    expect(after.transfers - before.transfers).toBe(1);
    expect(after.reopened - before.reopened).toBe(1);
    expect(after.duplicates - before.duplicates).toBe(1);
    expect(after.rejected - before.rejected).toBe(1);
    expect(after.satisfactionCount - before.satisfactionCount).toBe(1);
    expect(after.urgent - before.urgent).toBe(1);
    expect(after.urgencyNotJustified - before.urgencyNotJustified).toBe(1);

    // a service reassignment and a deletion written straight in SQL, and a bulk insert of many rows in one statement
    await db.knex('reports').where({ id: d }).update({ service_code: 'oph-proximite' });
    await db.knex('reports').where({ id: e }).del();
    await db.knex.raw(`INSERT INTO reports (reference, category_code, description, status, geom, commune_insee, service_code, routing, created_by,
        created_at, updated_at, ack_due_at, resolve_due_at, ack_at, satisfaction, urgent, source)
      SELECT 'ROLLUP-' || i, 'graffiti', 'bulk', 'acknowledged', geom, commune_insee, service_code, '{}'::jsonb, created_by,
        created_at - make_interval(days => i * 11), created_at, created_at, created_at + interval '3 days', created_at, 1 + i % 5, i % 3 = 0, 'open311'
      FROM reports, generate_series(1, 40) i WHERE id = ?`, [a]);
    expect(await rollupDrift(db.knex)).toEqual([]);
  });

  it('when a roll-up row is off by one, then the comparison with a rebuild names it, and a rebuild of its month repairs it', async () => {
    const { db } = await testContext();
    const row = await db.knex('stats_rollup').where({ grain: 'd' }).orderBy('day', 'desc').first('day', 'commune_insee', 'service_code', 'category_code');
    await db.knex('stats_rollup').where({ grain: 'd', day: row.day, commune_insee: row.commune_insee, service_code: row.service_code, category_code: row.category_code })
      .increment('received', 1);
    const drift = await rollupDrift(db.knex);
    expect(drift.length).toBeGreaterThan(0);
    expect(drift.every((r) => r.commune_insee === row.commune_insee && r.service_code === row.service_code)).toBe(true);
    const day = new Date(row.day).toISOString().slice(0, 10);
    await rebuildStatsRollup(db.knex, { from: day, to: day });
    expect(await rollupDrift(db.knex)).toEqual([]);
  });
});

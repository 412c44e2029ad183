/**
 * The demo's year of synthetic activity (issue 12): loaded with the demo data, labelled, realistic enough for the
 * dashboards (every indicator has something to show), silent (no mail).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

let officer: string;
beforeAll(async () => { officer = await login('gup@demo.gup'); });

describe('Demo activity', () => {
  it('when the demo database is loaded, then it holds 3 000 synthetic reports over twelve months in the four communes, none of them in the outbox', async () => {
    const { db } = await testContext();
    const { rows } = await db.knex.raw(`SELECT count(*)::int AS n, count(DISTINCT commune_insee)::int AS communes,
        extract(epoch FROM max(created_at) - min(created_at)) / 86400 AS days, bool_and(reference LIKE 'GUP-%') AS refs,
        (SELECT count(*)::int FROM outbox o WHERE o.report_id IN (SELECT id FROM reports WHERE synthetic)) AS mails,
        (SELECT count(*)::int FROM reports s WHERE s.synthetic AND NOT EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = s.id AND e.to_status = 'submitted')) AS without_timeline
      FROM reports WHERE synthetic`);
    expect(rows[0]).toMatchObject({ n: 3000, communes: 4, refs: true, mails: 0, without_timeline: 0 });
    expect(Number(rows[0].days)).toBeGreaterThan(330);
    expect(Number(rows[0].days)).toBeLessThanOrEqual(365);
  });

  it('when the officer asks the statistics of the synthetic activity, then every indicator has something to show and about one report in ten is late', async () => {
    const { db } = await testContext();
    const span = (await db.knex.raw(`SELECT to_char(min(created_at) AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD') AS a, to_char(max(created_at) AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD') AS b FROM reports WHERE synthetic`)).rows[0];
    const res = await api(`/api/stats?from=${span.a}&to=${span.b}&groupBy=month&synthetic=true`, { cookie: officer });
    expect(res.status).toBe(200);
    const t = res.body.totals;
    expect(t.received).toBe(3000);
    expect(res.body.rows.length).toBeGreaterThanOrEqual(12);
    expect(t.resolvedOnTimeRate).toBeGreaterThan(0.8);
    expect(t.resolvedOnTimeRate).toBeLessThan(0.95);
    for (const k of ['transfers', 'rejected', 'duplicates', 'reopened', 'urgent', 'urgencyNotJustified', 'satisfactionCount'] as const) expect(t[k], k).toBeGreaterThan(0);
    expect(t.satisfaction).toBeGreaterThan(1);
    const byChannel = await api(`/api/stats?from=${span.a}&to=${span.b}&groupBy=channel&synthetic=true`, { cookie: officer });
    expect(byChannel.body.rows.map((r: any) => r.key).sort()).toEqual(['diagnosis', 'open311', 'web']);
  });

  it('when dumping is counted by season, then summer months have more of it than winter months', async () => {
    const { db } = await testContext();
    const { rows } = await db.knex.raw(`SELECT
        count(*) FILTER (WHERE extract(month FROM created_at AT TIME ZONE 'Europe/Paris') IN (6, 7, 8))::int AS summer,
        count(*) FILTER (WHERE extract(month FROM created_at AT TIME ZONE 'Europe/Paris') IN (12, 1, 2))::int AS winter
      FROM reports WHERE synthetic AND category_code = 'depot_sauvage'`);
    expect(rows[0].summer).toBeGreaterThan(rows[0].winter * 1.4);
  });

  it('when a synthetic report is opened, then it says it is synthetic', async () => {
    const { db } = await testContext();
    const { id } = await db.knex('reports').where({ synthetic: true }).first('id');
    const res = await api(`/api/reports/${id}`, { cookie: officer });
    expect(res.status).toBe(200);
    expect(res.body.synthetic).toBe(true);
    expect(res.body.timeline[0].toStatus).toBe('submitted');
  });
});

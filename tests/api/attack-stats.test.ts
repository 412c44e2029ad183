import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

// Attacker's pass over the statistics (/api/stats, /hotspots, /periods, CSV and XLSX exports): parameters, scopes, cost.

let officer: string;
let athis: string;
let agent: string;

beforeAll(async () => {
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  agent = await login('dechets@demo.gup');
});

describe('attack: statistics', () => {
  it('when the sub-sector filter is huge, hexadecimal, an exponent or negative, then 400 naming subsector', async () => {
    for (const v of ['99999999999', '0x10', '1e3', '-1', '1.5', '%201']) {
      const res = await api(`/api/stats?subsector=${v}`, { cookie: officer });
      expect(res.status, v).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field), v).toContain('subsector');
    }
  });

  it('when a period is unbounded (year 1, year 9999, reversed), then 400 naming the field and no long query runs', async () => {
    for (const [q, field] of [['from=0001-01-01', 'from'], ['from=2020-01-01&to=9999-12-31', 'from'], ['from=2025-02-01&to=2025-01-01', 'to']] as const) {
      const res = await api(`/api/stats?${q}&groupBy=category`, { cookie: officer });
      expect(res.status, q).toBe(400);
      expect(JSON.stringify(res.body.error.details), q).toContain(field);
    }
  });

  it('when a commune user or a service agent closes a period, then 403 and nothing is stored', async () => {
    const { db } = await testContext();
    const before = Number((await db.knex('stats_periods').count({ n: '*' }))[0]!.n);
    for (const cookie of [athis, agent]) {
      expect((await api('/api/stats/periods', { cookie, body: { from: '2020-01-01', to: '2020-01-31', label: 'Clôture pirate' } })).status).toBe(403);
    }
    expect(Number((await db.knex('stats_periods').count({ n: '*' }))[0]!.n)).toBe(before);
  });

  it('when a commune user exports the statistics by commune, then only its commune is in the file', async () => {
    const res = await api('/api/stats?groupBy=commune&format=csv&from=2025-01-01&to=2025-12-31', { cookie: athis });
    expect(res.status).toBe(200);
    const rows = (res.body as string).replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
    const codes = rows.map((l) => l.split(';')[1]).filter((c) => c !== '');
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((c) => c === '"91027"'), codes.join(',')).toBe(true);
  });
});

/**
 * Statistics exports and the one-QPV filter (issue 12 item 3): `GET /api/stats?format=csv|xlsx` gives the JSON answer's
 * rows and totals as a French spreadsheet, scoped like the JSON; `qpv=<code>` keeps that QPV's reports only. On the
 * demo's synthetic year (read only).
 */
import { readSheet } from 'read-excel-file/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

let officer: string;
let athis: string;
let qpvCode: string;

beforeAll(async () => {
  [officer, athis] = await Promise.all([login('gup@demo.gup'), login('mairie.athis@demo.gup')]);
  const { db } = await testContext();
  const busiest = await db.knex('reports').whereNotNull('qpv_code').groupBy('qpv_code').select('qpv_code').count('* as n').orderBy('n', 'desc').first();
  qpvCode = busiest!.qpv_code as string;
});

const csvLines = (text: string) => text.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(';').map((c) => c.replace(/^"|"$/g, '')));

async function download(path: string, cookie: string) {
  const { baseUrl } = await testContext();
  const res = await fetch(baseUrl + path, { headers: { cookie } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('Statistics exports', () => {
  it('when an officer exports by commune as CSV, then each row of the JSON answer is a line with its figures, and the totals close the file', async () => {
    const json = (await api('/api/stats?groupBy=commune', { cookie: officer })).body;
    expect(json.rows.length).toBeGreaterThan(1);
    const file = await download('/api/stats?groupBy=commune&format=csv', officer);
    expect(file.status).toBe(200);
    expect(file.type).toContain('text/csv');
    expect(file.disposition).toMatch(/attachment; filename="?statistiques-commune-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"?/);
    const [header, ...lines] = csvLines(file.bytes.toString('utf8'));
    expect(header!.slice(0, 3)).toEqual(['Commune', 'Code', 'Reçus']);
    expect(lines).toHaveLength(json.rows.length + 1);
    for (const r of json.rows) expect(lines.find((l) => l[1] === r.key)?.slice(0, 3)).toEqual([r.label, r.key, String(r.received)]);
    expect(lines.at(-1)!.slice(0, 3)).toEqual(['Total', '', String(json.totals.received)]);
  });

  it('when an officer exports by month as XLSX, then the workbook read back holds the same labels and numbers', async () => {
    const json = (await api('/api/stats?groupBy=month', { cookie: officer })).body;
    const file = await download('/api/stats?groupBy=month&format=xlsx', officer);
    expect(file.status).toBe(200);
    expect(file.type).toContain('spreadsheetml');
    expect(file.bytes.subarray(0, 2).toString()).toBe('PK');
    const rows = await readSheet(file.bytes);
    expect(rows[0]!.slice(0, 3)).toEqual(['Mois', 'Code', 'Reçus']);
    expect(rows.slice(1).map((r) => [r[0], r[2]])).toEqual([...json.rows.map((r: any) => [r.label, r.received]), ['Total', json.totals.received]]);
    const overdueColumn = rows[0]!.indexOf('En retard');
    expect(rows.at(-1)![overdueColumn]).toBe(json.totals.overdue);
  });

  it('when a commune user exports by commune, then the file holds its commune only', async () => {
    const file = await download('/api/stats?groupBy=commune&format=csv', athis);
    const [, ...lines] = csvLines(file.bytes.toString('utf8'));
    expect(lines.map((l) => l[1])).toEqual(['91027', '']);
  });

  it('when the format is unknown, then 400 naming format', async () => {
    const res = await api('/api/stats?format=pdf', { cookie: officer });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.field)).toContain('format');
  });
});

describe('Statistics: one QPV', () => {
  it('when filtered on one QPV code, then only that QPV\'s reports count (as many as the database holds), and a QPV without reports counts none', async () => {
    const one = (await api(`/api/stats?qpv=${qpvCode}`, { cookie: officer })).body;
    const { db } = await testContext();
    const { from, to } = one;
    const expected = await db.knex('reports').where('qpv_code', qpvCode)
      .whereRaw(`created_at >= (?::date)::timestamp AT TIME ZONE 'Europe/Paris' AND created_at < ((?::date) + 1)::timestamp AT TIME ZONE 'Europe/Paris'`, [from, to]).count('* as n').first();
    expect(one.totals.received).toBe(Number(expected!.n));
    expect(one.totals.received).toBeGreaterThan(0);
    const empty = await db.knex('qpv').whereNotIn('code', db.knex('reports').whereNotNull('qpv_code').select('qpv_code')).first('code');
    const none = (await api(`/api/stats?qpv=${empty!.code}`, { cookie: officer })).body;
    expect(none.totals.received).toBe(0);
  });

  it('when the QPV filter is neither a boolean nor a QPV code, then 400 naming qpv', async () => {
    const res = await api('/api/stats?qpv=Noyer', { cookie: officer });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.field)).toContain('qpv');
  });

  it('when hotspots are filtered on one QPV, then every cell counts only reports of that QPV', async () => {
    const one = (await api(`/api/stats/hotspots?qpv=${qpvCode}&minReports=1`, { cookie: officer })).body;
    const all = (await api('/api/stats/hotspots?minReports=1', { cookie: officer })).body;
    const sum = (fc: any) => fc.features.reduce((n: number, f: any) => n + f.properties.reports, 0);
    expect(sum(one)).toBeGreaterThan(0);
    expect(sum(one)).toBeLessThan(sum(all));
    const inQpv = (await api(`/api/stats?qpv=${qpvCode}&from=${one.from}&to=${one.to}`, { cookie: officer })).body;
    expect(sum(one)).toBe(inQpv.totals.received);
  });
});

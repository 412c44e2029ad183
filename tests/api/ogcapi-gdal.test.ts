/**
 * GDAL's OAPIF driver (Debian's gdal-bin, as a QGIS user's desktop would run it) against the test server: `ogrinfo`
 * lists the collections, `ogr2ogr` reads every collection completely through the `next` links with
 * `-oo PAGE_SIZE=1000` and finds the API's `numberMatched`; a bbox; `reports` refused without credentials and read
 * with the session cookie (sent as a header, as a token will be).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { pointIn, squareAround } from '../support/geo.js';
import { api, login } from '../support/http.js';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-ogr-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const base = async () => `OAPIF:${(await testContext()).baseUrl}/ogcapi`;
/** GDAL options sending the session cookie with every request. */
const withCookie = (cookie: string) => ['--config', 'GDAL_HTTP_HEADERS', `Cookie: ${cookie}`];

async function ogrinfo(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('ogrinfo', ['-ro', '-so', ...args], { timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** ogr2ogr a collection to GeoJSON, pages of 1000; the number of features written. */
async function ogr2ogr(collection: string, extra: string[] = []): Promise<number> {
  const out = path.join(dir, `${collection}-${Date.now()}.geojson`);
  await run('ogr2ogr', [...extra, '-f', 'GeoJSON', out, await base(), collection, '-oo', 'PAGE_SIZE=1000'], { timeout: 240_000, maxBuffer: 1 << 24 });
  const n = (JSON.parse(fs.readFileSync(out, 'utf8')) as { features: unknown[] }).features.length;
  fs.rmSync(out);
  return n;
}

const matched = async (collection: string, query = '', cookie?: string) => {
  const res = await api(`/ogcapi/collections/${collection}/items?limit=1${query}`, { cookie });
  expect(res.status).toBe(200);
  return res.body.numberMatched as number;
};

describe('GDAL (OAPIF driver) against /ogcapi', () => {
  it('when ogrinfo opens the service anonymously then it lists the public collections; signed in, all five', async () => {
    const anonymous = await ogrinfo([await base()]);
    expect(anonymous.code).toBe(0);
    for (const c of ['communes', 'qpv', 'parcels']) expect(anonymous.out).toMatch(new RegExp(`\\d+: ${c} `));
    expect(anonymous.out).not.toMatch(/: reports/);
    const signed = await ogrinfo([...withCookie(await login('gup@demo.gup')), await base()]);
    for (const c of ['communes', 'qpv', 'subsectors', 'parcels', 'reports']) expect(signed.out).toMatch(new RegExp(`\\d+: ${c} `));
  }, 120_000);

  it.each(['communes', 'qpv', 'parcels'])('when ogr2ogr reads %s with pages of 1000 then it gets numberMatched features', async (collection) => {
    expect(await ogr2ogr(collection)).toBe(await matched(collection));
  }, 300_000);

  it('when ogr2ogr reads parcels within a box (-spat) then it gets the number the API matches for that bbox', async () => {
    const box = ['2.355', '48.700', '2.365', '48.708'];
    const n = await ogr2ogr('parcels', ['-spat', ...box]);
    expect(n).toBeGreaterThan(50);
    expect(n).toBe(await matched('parcels', `&bbox=${box.join(',')}`));
  }, 120_000);

  it('when GDAL is given a personal API token (Authorization: Bearer) then ogr2ogr reads sub-sectors and reports completely as its owner; without it, refused', async () => {
    const cookie = await login('gup@demo.gup');
    const created = await api('/api/auth/tokens', { cookie, body: { label: 'QGIS (test GDAL)' } });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    const bearer = ['--config', 'GDAL_HTTP_HEADERS', `Authorization: Bearer ${token}`];
    // an active sub-sector of this test, on a Morangis parcel (the 20th from the end by IDU), removed afterwards
    const { db } = await testContext();
    const parcel = (await db.knex('parcels').where({ commune_insee: '91432' }).orderBy('idu', 'desc').offset(19).first('idu')) as { idu: string };
    const planner = await login('urbaniste@demo.gup');
    const subsector = await api('/api/subsectors', { cookie: planner, body: { type: 'Feature', geometry: squareAround(await pointIn(parcel.idu), 0.00003), properties: { name: 'Sous-secteur lu par GDAL (test)', allowOverlap: true } } });
    expect(subsector.status, JSON.stringify(subsector.body)).toBe(201);
    try {
      for (const collection of ['subsectors', 'reports']) {
        expect((await ogrinfo([await base(), collection])).code, `${collection} without the token`).not.toBe(0);
        const expected = await matched(collection, '', cookie);
        expect(expected).toBeGreaterThan(0);
        expect(await ogr2ogr(collection, bearer), collection).toBe(expected);
      }
    } finally {
      await api(`/api/auth/tokens/${created.body.id}`, { cookie, method: 'DELETE' });
      await api(`/api/subsectors/${subsector.body.id}`, { method: 'DELETE', cookie: planner });
    }
  }, 300_000);

  it('when ogrinfo describes reports then the fields are typed by the published schema (describedBy), not guessed from the first page', async () => {
    const cookie = await login('gup@demo.gup');
    const fields = async (extra: string[] = ['-oo', 'PAGE_SIZE=1000']) => {
      const { out } = await ogrinfo([...withCookie(cookie), await base(), 'reports', ...extra]);
      return Object.fromEntries([...out.matchAll(/^(\w+): (\w+(?:\(\w+\))?) \(/gm)].map((m) => [m[1], m[2]]));
    };
    const typed = await fields();
    expect(typed).toMatchObject({
      id: 'Integer', duplicateOf: 'Integer', satisfaction: 'Integer', subsectorId: 'Integer', lon: 'Real', urgent: 'Integer(Boolean)',
      createdAt: 'DateTime', acknowledgedAt: 'DateTime', alsoNotify: 'StringList', reference: 'String',
    });
    // without the schema GDAL guesses from its first page (here of one feature): a property null in it becomes a string
    const first = (await api('/ogcapi/collections/reports/items?limit=1', { cookie })).body.features[0].properties as Record<string, unknown>;
    const nullNonStrings = Object.keys(first).filter((k) => first[k] === null && typed[k] !== 'String');
    expect(nullNonStrings.length, 'the first report has a null non-text property').toBeGreaterThan(0);
    const guessed = await fields(['-oo', 'IGNORE_SCHEMA=YES', '-oo', 'PAGE_SIZE=1']);
    for (const k of nullNonStrings) expect(guessed[k], k).toBe('String');
    expect(await fields(['-oo', 'PAGE_SIZE=1'])).toEqual(typed); // with the schema, the same types whatever the page
  }, 120_000);

  it('when reports are asked without credentials then refused (401); with a commune user\'s session then its reports, completely', async () => {
    const refused = await ogrinfo([await base(), 'reports']);
    expect(refused.code).not.toBe(0);
    expect((await api('/ogcapi/collections/reports/items')).status).toBe(401);
    const cookie = await login('mairie.athis@demo.gup');
    const { db } = await testContext();
    const author = await db.knex('users').where({ email: 'mairie.athis@demo.gup' }).first('id');
    const ids: number[] = [];
    try {
      const rows = await db.knex('reports').insert(['91027', '91326'].map((insee, i) => ({
        reference: `OGR-${insee}`, category_code: 'salissure', description: 'Test GDAL', status: 'submitted', commune_insee: insee,
        service_code: 'ept-dechets', routing: JSON.stringify({}), created_by: author.id, ack_due_at: new Date(), resolve_due_at: new Date(),
        geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [2.36 + i * 0.01, 48.70]),
      }))).returning('id');
      ids.push(...(rows as { id: number }[]).map((r) => r.id));
      const expected = await matched('reports', '', cookie);
      expect(expected).toBeGreaterThan(0);
      const out = path.join(dir, 'reports.geojson');
      await run('ogr2ogr', [...withCookie(cookie), '-f', 'GeoJSON', out, await base(), 'reports', '-oo', 'PAGE_SIZE=1000'], { timeout: 120_000 });
      const features = (JSON.parse(fs.readFileSync(out, 'utf8')) as { features: { properties: { communeInsee: string; reference: string; alsoNotify: unknown; createdAt: string } }[] }).features;
      expect(features.length).toBe(expected);
      // typed by the schema: lists stay lists, times stay times
      expect(features.every((f) => Array.isArray(f.properties.alsoNotify) && !Number.isNaN(Date.parse(f.properties.createdAt)))).toBe(true);
      expect(features.every((f) => f.properties.communeInsee === '91027')).toBe(true);
      expect(features.map((f) => f.properties.reference)).toContain('OGR-91027');
    } finally {
      await db.knex('reports').whereIn('id', ids).delete();
    }
  }, 180_000);
});

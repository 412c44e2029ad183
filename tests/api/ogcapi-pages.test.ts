/**
 * The OGC API page cache (issue 15's ogr2ogr target, services/ogcapi.ts): pages of the public collections are kept
 * and the next one computed ahead. The answers must stay the ones read without it: the same bytes of features, the
 * same counts and links, a data change seen at the next request, and never a caller's scoped page for another.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { ogcCollection } from '../../server/src/data/ogc-collections.js';
import { ogcItems, type ItemsQuery } from '../../server/src/data/ogc.js';
import { SCOPE_NONE } from '../../server/src/domain/access.js';
import { decodeCursor, encodeCursor } from '../../server/src/domain/ogc.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

const O = '/ogcapi';
const Q = (s: string) => encodeURIComponent(s);

/** One report of this file in Athis-Mons (91027) and one in Juvisy (91326), for the scoped collection. */
const REPORTS = [
  { ref: 'OGCP-A', commune: '91027', service: 'oph-proximite', where: () => pointIn(DEMO.communeAthisInQpv) },
  { ref: 'OGCP-J', commune: '91326', service: 'com-91326-st', where: () => pointIn(DEMO.communeJuvisy) },
] as const;
const reportIds: number[] = [];
/** The same app with the page cache off (GUP_OGC_PAGE_CACHE_MB=0), beside the shared test server's (on by default). */
let plainServer: Server;
let plainUrl: string;

beforeAll(async () => {
  const { db } = await testContext();
  const config = { ...loadConfig({ GUP_OGC_PAGE_CACHE_MB: '0' }), databaseUrl: process.env.DATABASE_URL };
  plainServer = await new Promise<Server>((resolve) => { const s = http.createServer(createApp({ db, config, log: pino({ level: 'silent' }) })).listen(0, '127.0.0.1', () => resolve(s)); });
  plainUrl = `http://127.0.0.1:${(plainServer.address() as AddressInfo).port}`;
  const author = await db.knex('users').where({ email: 'gup@demo.gup' }).first('id');
  const due = new Date('2020-06-01T00:00:00Z');
  for (const r of REPORTS) {
    const spot = await r.where();
    const [row] = await db.knex('reports').insert({
      reference: r.ref, category_code: 'salissure', description: `Test OGC pages ${r.ref}`, status: 'submitted', commune_insee: r.commune,
      service_code: r.service, routing: JSON.stringify({}), created_by: author.id, ack_due_at: due, resolve_due_at: due,
      geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', spot),
    }).returning('id');
    reportIds.push((row as { id: number }).id);
  }
});

afterAll(async () => {
  const { db } = await testContext();
  await db.knex('reports').whereIn('id', reportIds).delete();
  await new Promise<void>((resolve) => plainServer.close(() => resolve()));
});

/** The page as served: its text, and the `next` link's href. */
async function served(path: string): Promise<{ text: string; body: any; next: string | undefined }> {
  const { baseUrl } = await testContext();
  const res = await fetch(baseUrl + path);
  expect(res.status, path).toBe(200);
  const text = await res.text();
  const body = JSON.parse(text);
  return { text, body, next: body.links.find((l: any) => l.rel === 'next')?.href };
}

/**
 * A GET with `If-None-Match`, through node:http: fetch() would add `Cache-Control: no-cache` to a conditional request
 * (Fetch standard), which rightly makes a server answer in full.
 */
function conditional(url: string, etag: string): Promise<{ status: number; etag: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'if-none-match': etag } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, etag: res.headers.etag, text }));
    }).on('error', reject);
  });
}

/** The same page read by the data layer, without any cache. */
async function uncached(q: ItemsQuery) {
  const { db } = await testContext();
  return ogcItems(db.knex, ogcCollection('parcels')!, SCOPE_NONE, q);
}

/** The `after` key of a `next` link. */
const afterOf = (href: string) => {
  const cursor = new URL(href).searchParams.get('cursor')!;
  const d = decodeCursor(cursor, 'string');
  if (!d.ok) throw new Error(`bad cursor ${cursor}`);
  return d.value;
};

describe('OGC API pages kept and read ahead', () => {
  it('when parcels are paged through (the first page asked twice, as GDAL does), then every page is byte for byte the uncached one', async () => {
    const { baseUrl } = await testContext();
    let path: string | undefined = `${O}/collections/parcels/items?limit=300`;
    let after: string | number | undefined;
    const first = await served(path);
    for (let i = 0; i < 3 && path; i++) {
      const page = await served(path); // the first page for the second time
      const ref = await uncached({ limit: 300, after });
      expect(page.text.endsWith(`"features":[${ref.features}]}`), `page ${i + 1}`).toBe(true);
      expect(page.body.numberMatched).toBe(ref.matched);
      expect(page.body.numberReturned).toBe(ref.returned);
      expect(page.next === undefined ? null : afterOf(page.next)).toBe(ref.nextAfter);
      if (i === 0) expect(page.text.replace(/"timeStamp":"[^"]*"/, '')).toBe(first.text.replace(/"timeStamp":"[^"]*"/, ''));
      after = ref.nextAfter ?? undefined;
      path = page.next?.slice(baseUrl.length);
    }
    expect(after).toBeDefined();
  }, 90_000);

  it('when the same pages are read from a server with the cache off, then the answers are the same bytes (but the time stamp and the host)', async () => {
    const { baseUrl } = await testContext();
    const same = (text: string, base: string) => text.replace(/"timeStamp":"[^"]*"/, '').replaceAll(base, 'BASE');
    let path: string | undefined = `${O}/collections/parcels/items?limit=400&filter=${Q("owner_kind <> 'private_person'")}`;
    for (let i = 0; i < 3 && path; i++) {
      const cached = await served(path);
      const plain = await (await fetch(plainUrl + path)).text();
      expect(same(cached.text, baseUrl), `page ${i + 1}`).toBe(same(plain, plainUrl));
      path = cached.next?.slice(baseUrl.length);
    }
    expect(path).toBeDefined();
  }, 90_000);

  it('when a kept page is asked again, then it carries the same weak ETag (only timeStamp differs) and If-None-Match gets a 304; another page, another ETag', async () => {
    const { baseUrl } = await testContext();
    const path = `${O}/collections/parcels/items?limit=30`;
    const a = await fetch(baseUrl + path);
    const textA = await a.text();
    await new Promise((r) => setTimeout(r, 5)); // another millisecond: another timeStamp
    const b = await fetch(baseUrl + path);
    const textB = await b.text();
    const etag = a.headers.get('etag');
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    expect(b.headers.get('etag')).toBe(etag);
    expect(textB.replace(/"timeStamp":"[^"]*"/, '')).toBe(textA.replace(/"timeStamp":"[^"]*"/, ''));
    const again = await conditional(baseUrl + path, etag!);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const next = JSON.parse(textA).links.find((l: any) => l.rel === 'next').href as string;
    expect((await fetch(next)).headers.get('etag')).not.toBe(etag);
    expect((await fetch(`${baseUrl}${path}&bbox=2.30,48.60,2.50,48.80`)).headers.get('etag')).not.toBe(etag);
  });

  it('when the parcels change, then the same URL gets another ETag and If-None-Match with the old one gets the page, not a 304', async () => {
    const { baseUrl, db } = await testContext();
    const path = `${O}/collections/parcels/items?limit=10`;
    const first = await fetch(baseUrl + path);
    await first.arrayBuffer();
    const old = first.headers.get('etag')!;
    const idu = (await db.knex('parcels').orderBy('idu').first('idu', 'source_vintage')) as { idu: string; source_vintage: string | null };
    try {
      await db.knex('parcels').where({ idu: idu.idu }).update({ source_vintage: '1999-01-01' });
      const res = await conditional(baseUrl + path, old);
      expect(res.status).toBe(200);
      expect(res.etag).not.toBe(old);
      expect(JSON.parse(res.text).features[0].properties.source_vintage).toBe('1999-01-01');
    } finally {
      await db.knex('parcels').where({ idu: idu.idu }).update({ source_vintage: idu.source_vintage });
    }
  });

  it('when GUP_OGC_PAGE_CACHE_MB is not a whole number, then the server refuses to start; 0 turns the cache off', () => {
    expect(loadConfig({}).ogcPageCacheMb).toBe(32);
    expect(loadConfig({ GUP_OGC_PAGE_CACHE_MB: '0' }).ogcPageCacheMb).toBe(0);
    for (const bad of ['-1', 'beaucoup', '2.5']) expect(() => loadConfig({ GUP_OGC_PAGE_CACHE_MB: bad }), bad).toThrow(/GUP_OGC_PAGE_CACHE_MB/);
  });

  it('when a filtered query is paged, then its pages are its own (never those of the unfiltered query with the same cursor)', async () => {
    const { baseUrl } = await testContext();
    const filter = "commune_insee = '91326'";
    const p1 = await served(`${O}/collections/parcels/items?limit=50&filter=${Q(filter)}`);
    const p2 = await served(p1.next!.slice(baseUrl.length));
    const plain = await served(`${O}/collections/parcels/items?limit=50&cursor=${encodeCursor(afterOf(p1.next!))}`);
    expect(p2.body.features.every((f: any) => f.properties.commune_insee === '91326')).toBe(true);
    expect(p2.body.numberMatched).toBe(p1.body.numberMatched);
    expect(plain.body.numberMatched).toBeGreaterThan(p2.body.numberMatched);
  });

  it('when a parcel of the page read ahead changes before it is asked, then the page shows the change', async () => {
    const { baseUrl, db } = await testContext();
    const p1 = await served(`${O}/collections/parcels/items?limit=20`); // page 2 is now computed ahead
    const p2path = p1.next!.slice(baseUrl.length);
    const target = (await uncached({ limit: 1, after: afterOf(p1.next!) })).features;
    const idu = JSON.parse(target).id as string;
    const before = await db.knex('parcels').where({ idu }).first('source_vintage');
    await new Promise((r) => setTimeout(r, 50)); // let the read-ahead end first: the case to catch is a kept stale page
    try {
      await db.knex('parcels').where({ idu }).update({ source_vintage: '1999-01-01' });
      const p2 = await served(p2path);
      expect(p2.body.features[0].id).toBe(idu);
      expect(p2.body.features[0].properties.source_vintage).toBe('1999-01-01');
    } finally {
      await db.knex('parcels').where({ idu }).update({ source_vintage: before.source_vintage });
    }
    const restored = await served(p2path);
    expect(restored.body.features[0].properties.source_vintage).not.toBe('1999-01-01');
  });

  it('when a commune\'s outline moves, then /collections and the collection show the new extent at the next request (extents are kept by data version)', async () => {
    const { db } = await testContext();
    const bboxes = async () => {
      const all = (await api(`${O}/collections`)).body.collections.find((c: any) => c.id === 'communes').extent.spatial.bbox[0] as number[];
      const one = (await api(`${O}/collections/communes`)).body.extent.spatial.bbox[0] as number[];
      expect(one).toEqual(all);
      return all;
    };
    const before = await bboxes();
    expect(await bboxes()).toEqual(before); // kept: the same answer
    const insee = '91027';
    try {
      await db.knex.raw('UPDATE communes SET geom = ST_Translate(geom, 1, 0) WHERE insee = ?', [insee]);
      const moved = await bboxes();
      expect(moved[2]).toBeGreaterThan(before[2]! + 0.5);
    } finally {
      await db.knex.raw('UPDATE communes SET geom = ST_Translate(geom, -1, 0) WHERE insee = ?', [insee]);
    }
    expect((await bboxes())[2]).toBeCloseTo(before[2]!, 6);
  });

  it('when an organisation owning parcels is renamed, then a page read before shows the new name at the next request', async () => {
    const { db } = await testContext();
    const { rows } = await db.knex.raw(`SELECT g.code, g.name FROM organisations g
      WHERE EXISTS (SELECT 1 FROM owners o JOIN parcel_rights pr ON pr.owner_id = o.id WHERE o.organisation_code = g.code) ORDER BY g.code LIMIT 1`);
    const org = rows[0] as { code: string; name: string };
    const path = `${O}/collections/parcels/items?limit=5&filter=${Q(`organisation_code = '${org.code}'`)}`;
    const read = async () => (await served(path)).body.features.map((f: any) => f.properties.organisation_name);
    expect(await read()).toContain(org.name);
    try {
      await db.knex('organisations').where({ code: org.code }).update({ name: `${org.name} (renommée)` });
      expect(await read()).toContain(`${org.name} (renommée)`);
    } finally {
      await db.knex('organisations').where({ code: org.code }).update({ name: org.name });
    }
    expect(await read()).toContain(org.name);
  });

  it('when two commune users read the same reports URL one after the other, then each gets only its own commune\'s reports', async () => {
    const athis = await login('mairie.athis@demo.gup');
    const juvisy = await login('mairie.juvisy@demo.gup');
    const path = `${O}/collections/reports/items?limit=20`;
    const a = await api(path, { cookie: athis });
    const j = await api(path, { cookie: juvisy });
    expect(a.status).toBe(200);
    expect(j.status).toBe(200);
    expect(a.body.features.length).toBeGreaterThan(0);
    expect(j.body.features.length).toBeGreaterThan(0);
    expect(a.body.features.every((f: any) => f.properties.communeInsee === '91027')).toBe(true);
    expect(j.body.features.every((f: any) => f.properties.communeInsee === '91326')).toBe(true);
    const a2 = await api(path, { cookie: athis }); // and back: Athis again, not Juvisy's page
    expect(a2.body.features.map((f: any) => f.id)).toEqual(a.body.features.map((f: any) => f.id));
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { PageCache } from '../../server/src/services/page-cache.js';
import { api, login } from '../support/http.js';

// Attacker's pass over /ogcapi and its page read-ahead cache (server/src/services/page-cache.ts): whether a kept page
// can reach a caller of another scope, and whether anyone (parcels are public: anonymous callers too) can make the kept
// pages outgrow their memory budget.

const O = '/ogcapi';
let officer: string;
let athis: string;

beforeAll(async () => {
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
});

describe('attack: the OGC API page cache', () => {
  it('when pages are empty but their keys long (a long CQL2 filter matching nothing), then what is kept stays within twice the budget', async () => {
    const budget = 64 * 1024;
    const cache = new PageCache<string>({ maxSize: budget, maxAhead: 2, ttlMs: 30_000 }, (page) => page.length);
    const filter = 'x'.repeat(16_000); // a URL carries ~16 kB: each distinct filter is a key of that size
    for (let i = 0; i < 500; i++) await cache.get(`parcels|${i}|${filter}`, async () => '');
    // memory held: the pages (0 here) and their keys; before, no empty page counted, so the 500 keys (8 MB) all stayed
    const keyChars = cache.count * (filter.length + 12);
    expect(keyChars + cache.keptSize).toBeLessThanOrEqual(2 * budget);
    expect(cache.keptSize).toBeLessThanOrEqual(budget);
  });

  it('when an anonymous caller and an officer ask the same public page, then both get the same features, and the reports stay signed-in only', async () => {
    const path = `${O}/collections/parcels/items?limit=5`;
    const anonymous = await api(path, { headers: { accept: 'application/geo+json' } });
    const signedIn = await api(path, { cookie: officer, headers: { accept: 'application/geo+json' } });
    expect(anonymous.status).toBe(200);
    const ids = (r: { body: unknown }) => (JSON.parse(typeof r.body === 'string' ? r.body : JSON.stringify(r.body)) as { features: { id: unknown }[] }).features.map((f) => f.id);
    expect(ids(anonymous)).toEqual(ids(signedIn));
    expect(ids(anonymous).length).toBe(5);
    expect((await api(`${O}/collections/reports/items?limit=5`)).status).toBe(401);
    expect((await api(`${O}/collections/reports/items?limit=5`, { headers: { authorization: 'Bearer gup_pat_nope' } })).status).toBe(401);
  });

  it('when a commune user pages the reports of other communes right after an officer asked the very same page, then it gets none', async () => {
    const path = `${O}/collections/reports/items?limit=50&filter=${encodeURIComponent("commune_insee <> '91027'")}`;
    const parse = (r: { body: unknown }) => JSON.parse(typeof r.body === 'string' ? r.body : JSON.stringify(r.body)) as { numberMatched: number; features: unknown[] };
    const all = parse(await api(path, { cookie: officer, headers: { accept: 'application/geo+json' } }));
    const mine = parse(await api(path, { cookie: athis, headers: { accept: 'application/geo+json' } }));
    expect(all.numberMatched).toBeGreaterThan(0);
    expect(mine.numberMatched).toBe(0);
    expect(mine.features).toEqual([]);
  });

  it('when the feature schema is asked with a NUL byte, a huge or odd collection id, from another origin or anonymously for reports, then a clear 4xx or the same public answer, never a 500', async () => {
    for (const id of ['%00', 'parcels%00', 'x'.repeat(5000), '..%2Fusers', 'reports%20OR%201=1']) {
      const res = await api(`${O}/collections/${id}/schema`);
      expect(res.status, id.slice(0, 20)).toBeGreaterThanOrEqual(400);
      expect(res.status, id.slice(0, 20)).toBeLessThan(500);
    }
    expect((await api(`${O}/collections/reports/schema`)).status).toBe(401);
    const commune = await api(`${O}/collections/reports/schema`, { cookie: athis });
    const officers = await api(`${O}/collections/reports/schema`, { cookie: officer });
    expect(commune.status).toBe(200);
    expect(commune.body).toEqual(officers.body); // the schema names properties only, no caller's data
    const foreign = await api(`${O}/collections/parcels/schema`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(200); // a read: the same public document, no credential involved
    expect((await api(`${O}/collections/parcels/schema`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: {} })).status).toBeGreaterThanOrEqual(400);
  });
});

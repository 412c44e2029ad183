import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, DEMO_PASSWORD, login } from '../support/http.js';
import { postForm } from '../support/multipart.js';
import { reportBody, reportTablesCount } from '../support/reports.js';

/**
 * Issue 11 §2, the HTTP surface: cross-site request forgery from another port of the same host, NUL bytes, ids beyond
 * PostgreSQL's integer, security headers, the login's rate limits, Open311 discovery. (Health: health.test.ts; demo
 * accounts: demo-mode.test.ts; the bad-input corpus over every route: bad-input.test.ts.)
 */

/** An address of the documentation ranges, as a proxy on loopback would name the client (trust proxy = loopback). */
let addressSeq = 0;
const freshAddress = () => `198.51.100.${(addressSeq = (addressSeq % 250) + 1)}`;
const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

let base: string;
let athis: string;
let athisPoint: [number, number];

beforeAll(async () => {
  ({ baseUrl: base } = await testContext());
  athis = await login('mairie.athis@demo.gup');
  athisPoint = await pointIn(DEMO.landlordOph);
});

describe('cross-site request forgery (state-changing requests come from our own pages)', () => {
  it('when a page on another port of the same host posts a multipart report with the commune user\'s cookie, then 403 and nothing is stored', async () => {
    const attacker = `http://127.0.0.1:${Number(new URL(base).port) + 1}`;
    const before = await reportTablesCount();
    const res = await postForm('/api/reports', reportBody(...athisPoint, { description: 'Signalement forgé par une autre page' }), [], {
      cookie: athis, headers: { origin: attacker, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_origin');
    expect(res.body.error.details[0].field).toBe('Origin');
    expect(await reportTablesCount()).toEqual(before);
  });

  it('when our own page posts the same form (same origin), then the report is created', async () => {
    const res = await postForm('/api/reports', reportBody(...athisPoint, { description: 'Signalement depuis la page GUP' }), [], {
      cookie: athis, headers: { origin: base, 'sec-fetch-site': 'same-origin' },
    });
    expect(res.status).toBe(201);
  });

  it('when an old browser sends no Sec-Fetch-Site, then the Origin decides, and the Referer when there is no Origin', async () => {
    const other = 'http://127.0.0.1:1';
    const body = reportBody(...athisPoint);
    const before = await reportTablesCount();
    expect((await api('/api/reports', { body, cookie: athis, headers: { origin: other } })).status).toBe(403);
    expect((await api('/api/reports', { body, cookie: athis, headers: { origin: 'null' } })).status).toBe(403);
    expect((await api('/api/reports', { body, cookie: athis, headers: { referer: `${other}/piege.html` } })).status).toBe(403);
    expect(await reportTablesCount()).toEqual(before);
    expect((await api('/api/reports', { body, cookie: athis, headers: { origin: base } })).status).toBe(201);
    expect((await api('/api/reports', { body, cookie: athis, headers: { referer: `${base}/carte` } })).status).toBe(201);
  });

  it('when the Vite dev server proxies our own page\'s request (changeOrigin: Host rewritten, Origin :5173 kept), then it passes', async () => {
    const res = await api('/api/reports', { body: reportBody(...athisPoint), cookie: athis, headers: { origin: 'http://localhost:5173', 'sec-fetch-site': 'same-origin' } });
    expect(res.status).toBe(201);
  });

  it('when the request comes from the configured public URL\'s origin (behind a reverse proxy), then it is ours', async () => {
    const res = await api('/api/reports', { body: reportBody(...athisPoint), cookie: athis, headers: { origin: loadConfig({}).publicUrl, 'sec-fetch-site': 'cross-site' } });
    expect(res.status).toBe(201);
  });

  it('when another site posts a login or a logout, then 403: no session is opened, none is closed', async () => {
    const evil = { origin: 'http://127.0.0.1:8081', 'sec-fetch-site': 'same-site' };
    const loginRes = await api('/api/auth/login', { body: { email: 'gup@demo.gup', password: DEMO_PASSWORD }, headers: evil });
    expect(loginRes.status).toBe(403);
    expect(loginRes.headers.get('set-cookie')).toBeNull();
    const cookie = await login('mairie.juvisy@demo.gup', { fresh: true });
    expect((await api('/api/auth/logout', { method: 'POST', cookie, headers: evil })).status).toBe(403);
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
  });

  it('when a program posts without any browser header (curl, a script), then it passes: it carries no victim\'s cookie', async () => {
    const res = await api('/api/auth/login', { body: { email: 'gup@demo.gup', password: DEMO_PASSWORD } });
    expect(res.status).toBe(200);
  });

  it('when an Open311 client posts from anywhere, then the origin is not checked: the API key is its credential', async () => {
    const res = await fetch(`${base}/open311/v2/requests.json`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://elsewhere.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ service_code: 'depot_sauvage', lat: '48.7', long: '2.36', description: 'sans clé' }),
    });
    expect(res.status).toBe(400); // refused for its missing api_key, not for its origin
    expect(JSON.stringify(await res.json())).toMatch(/api_key/);
  });
});

describe('NUL bytes (PostgreSQL refuses them in text: 22021)', () => {
  it('when a query parameter carries a NUL byte, then 400 naming it, on Express and on the lean path', async () => {
    const cookie = await login('gup@demo.gup');
    const search = await api('/api/search?q=ab%00cd', { cookie });
    expect(search.status).toBe(400);
    expect(search.body.error.details).toEqual([expect.objectContaining({ field: 'q' })]);
    const lookup = await api(`/api/lookup?lon=${DEMO.publicDomainNoyerRenard[0]}&lat=${DEMO.publicDomainNoyerRenard[1]}&theme=proprete%00`, { cookie });
    expect(lookup.status).toBe(400);
    expect(lookup.body.error.details).toEqual([expect.objectContaining({ field: 'theme' })]);
    const list = await api('/api/reports?category=a%00b', { cookie });
    expect(list.status).toBe(400);
    expect(list.body.error.details[0].field).toBe('category');
  });

  it('when a JSON or multipart report carries a NUL byte in a text field, then 400 naming it and nothing is stored', async () => {
    const before = await reportTablesCount();
    const json = await api('/api/reports', { body: reportBody(...athisPoint, { description: 'Dépôt\u0000 sauvage' }), cookie: athis });
    expect(json.status).toBe(400);
    expect(json.body.error.details).toEqual([expect.objectContaining({ field: 'description' })]);
    const form = await postForm('/api/reports', reportBody(...athisPoint, { category: 'depot_sauvage\u0000' }), [], { cookie: athis });
    expect(form.status).toBe(400);
    expect(form.body.error.details).toEqual([expect.objectContaining({ field: 'category' })]);
    expect(await reportTablesCount()).toEqual(before);
  });

  it('when a NUL byte hides deep in a JSON body or in a key, then 400 naming its path', async () => {
    const planner = await login('urbaniste@demo.gup');
    const deep = await api('/api/subsectors', { body: { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: null, properties: { name: 'x\u0000' } }] }, cookie: planner });
    expect(deep.status).toBe(400);
    expect(deep.body.error.details[0].field).toBe('features.0.properties.name');
    const key = await api('/api/subsectors/preview', { body: { geometry: { 'ty\u0000pe': 'Polygon' } }, cookie: planner });
    expect(key.status).toBe(400);
    expect(key.body.error.details[0].field).toBe('geometry.ty\\u0000pe');
  });

  it('when a path carries an encoded NUL byte, then 400, not 500 (Express, lean path, Open311)', async () => {
    const cookie = await login('gup@demo.gup');
    expect((await api('/api/tiles/parcels/14/8299%00/5647.mvt', { cookie })).status).toBe(400);
    expect((await api('/api/parcels/91027000AB%000427', { cookie })).status).toBe(400);
    const open311 = await fetch(`${base}/open311/v2/requests/GUP-2026%00.json`);
    expect(open311.status).toBe(400);
    expect(await open311.json()).toEqual([expect.objectContaining({ code: 400 })]);
  });

  it('when an Open311 form carries a NUL byte, then 400 in the GeoReport error shape', async () => {
    const res = await fetch(`${base}/open311/v2/requests.json`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'api_key=k&service_code=depot_sauvage&lat=48.7&long=2.36&description=abc%00def',
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toEqual([{ code: 400, description: expect.stringContaining('description') }]);
  });
});

describe('ids beyond PostgreSQL\'s integer (2 147 483 647)', () => {
  it('when an id or an id filter is too large, negative or not a whole number, then 400 naming it; the largest id is a 404', async () => {
    const cookie = await login('gup@demo.gup');
    const admin = await login('admin@demo.gup');
    for (const [path, field, who] of [
      ['/api/reports/2147483648', 'id', cookie],
      ['/api/reports/99999999999999999999', 'id', cookie],
      ['/api/reports/-1', 'id', cookie],
      ['/api/reports/1.5', 'id', cookie],
      ['/api/reports/1e3', 'id', cookie],
      ['/api/reports/1/photos/2147483648', 'photoId', cookie],
      ['/api/subsectors/2147483648', 'id', cookie],
      ['/api/subsectors/2147483648/versions', 'id', cookie],
      ['/api/reports?subsector=2147483648', 'subsector', cookie],
      ['/api/admin/outbox?report=2147483648', 'report', admin],
    ] as const) {
      const res = await api(path, { cookie: who });
      expect(res.status, path).toBe(400);
      expect(res.body.error.details[0].field, path).toBe(field);
    }
    expect((await api('/api/reports/2147483647', { cookie })).status).toBe(404);
    expect((await api('/api/subsectors/2147483647', { cookie })).status).toBe(404);
  });

  it('when a transition names a duplicate beyond the integer range, then 400 naming duplicateOf and nothing changes', async () => {
    const cookie = await login('gup@demo.gup');
    const created = await api('/api/reports', { body: reportBody(...athisPoint, { description: 'Pour une fusion impossible' }), cookie });
    expect(created.status).toBe(201);
    const before = await reportTablesCount();
    const res = await api(`/api/reports/${created.body.id}/transitions`, { body: { to: 'duplicate', duplicateOf: 2147483648 }, cookie });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('duplicateOf');
    expect(await reportTablesCount()).toEqual(before);
    const write = await api('/api/subsectors/2147483648', { method: 'DELETE', cookie: await login('urbaniste@demo.gup') });
    expect(write.status).toBe(400);
  });
});

describe('security headers', () => {
  const expectSecurityHeaders = (h: Headers, what: string) => {
    const csp = h.get('content-security-policy') ?? '';
    expect(csp, what).toMatch(/default-src 'self'/);
    expect(csp, what).toMatch(/script-src 'self'(;|$)/); // no 'unsafe-inline', no nonce: no inline script at all
    expect(csp, what).toMatch(/frame-ancestors 'none'/);
    expect(h.get('x-frame-options'), what).toBe('DENY');
    expect(h.get('x-content-type-options'), what).toBe('nosniff');
    expect(h.get('referrer-policy'), what).toBe('same-origin');
  };

  it('when the API answers JSON (Express), then the security headers are there and personal data is no-store', async () => {
    const cookie = await login('gup@demo.gup');
    const me = await api('/api/auth/me', { cookie });
    expectSecurityHeaders(me.headers, '/api/auth/me');
    expect(me.headers.get('cache-control')).toBe('no-store');
    const list = await api('/api/reports?limit=1', { cookie });
    expect(list.headers.get('cache-control')).toBe('no-store');
    const denied = await api('/api/reports');
    expectSecurityHeaders(denied.headers, '401');
  });

  it('when the lean path answers (lookup JSON, a tile, an error), then the same headers are there', async () => {
    const cookie = await login('gup@demo.gup');
    const [lon, lat] = DEMO.publicDomainNoyerRenard;
    const lookup = await api(`/api/lookup?lon=${lon}&lat=${lat}`, { cookie });
    expect(lookup.status).toBe(200);
    expectSecurityHeaders(lookup.headers, 'lookup');
    expect(lookup.headers.get('cache-control')).toBe('no-store');
    const tile = await fetch(`${base}/api/tiles/communes/12/2075/1411.mvt`, { headers: { cookie } });
    expectSecurityHeaders(tile.headers, 'tile');
    expect(tile.headers.get('cache-control')).toBe('private, max-age=0, must-revalidate'); // revalidated by ETag
    const error = await api('/api/lookup?lon=abc&lat=48.7', { cookie });
    expect(error.status).toBe(400);
    expectSecurityHeaders(error.headers, 'lean 400');
  });

  it('when the basemap comes from a configured server, then the policy lets the map fetch and draw its tiles', async () => {
    const res = await api('/api/health');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/img-src [^;]*https:\/\/data\.geopf\.fr/);
    expect(csp).toMatch(/connect-src [^;]*https:\/\/data\.geopf\.fr/);
  });
});

describe('login rate limits', () => {
  it('when someone varies the spelling of one e-mail (spaces, Unicode spaces, case, full-width), then it is one counter: the 11th failure is a 429', async () => {
    const ip = freshAddress();
    const email = `cible-${uniq()}@demo.gup`;
    const attempt = (e: string) => api('/api/auth/login', { body: { email: e, password: 'mauvais' }, headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 10; i++) expect((await attempt(email)).status).toBe(401);
    for (const variant of [` ${email}`, `${email} `, `\u00a0${email}`, `\u2003${email}\u200b`, email.toUpperCase(), `\u3000${email}`, email.replace('@', '\uff20')]) {
      expect((await attempt(variant)).status, JSON.stringify(variant)).toBe(429);
    }
  });

  it('when the e-mail comes with Unicode spaces and capitals, then the account is found and signs in', async () => {
    const res = await api('/api/auth/login', { body: { email: '\u2003Admin@Demo.GUP\u00a0', password: DEMO_PASSWORD }, headers: { 'x-forwarded-for': freshAddress() } });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe('admin@demo.gup');
  });

  describe('per client address, across e-mails', () => {
    let server: Server;
    let small: string;
    beforeAll(async () => {
      // the same app with a small per-address limit (GUP_LOGIN_MAX_PER_ADDRESS): the shared server's is high enough
      // never to lock 127.0.0.1 for the other test files
      const { db } = await testContext();
      const config = { ...loadConfig({ GUP_LOGIN_MAX_PER_ADDRESS: '5' }), databaseUrl: process.env.DATABASE_URL };
      server = await new Promise<Server>((resolve) => { const s = http.createServer(createApp({ db, config, log: pino({ level: 'silent' }) })).listen(0, '127.0.0.1', () => resolve(s)); });
      small = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('when one address fails with many different e-mails, then it is locked out (429), and another address is not', async () => {
      const ip = freshAddress();
      const attempt = (email: string, password: string, from = ip) => fetch(`${small}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ email, password }),
      });
      for (let i = 0; i < 5; i++) expect((await attempt(`essai-${i}-${uniq()}@demo.gup`, 'mauvais')).status).toBe(401);
      expect((await attempt(`essai-6-${uniq()}@demo.gup`, 'mauvais')).status).toBe(429);
      expect((await attempt('gup@demo.gup', DEMO_PASSWORD)).status).toBe(429); // even the right password, until the window ends
      expect((await attempt('gup@demo.gup', DEMO_PASSWORD, freshAddress())).status).toBe(200);
    });

    it('when GUP_LOGIN_MAX_PER_ADDRESS is not a whole number ≥ 1, then the server refuses to start', () => {
      for (const bad of ['0', '-3', 'beaucoup', '2.5']) expect(() => loadConfig({ GUP_LOGIN_MAX_PER_ADDRESS: bad }), bad).toThrow(/GUP_LOGIN_MAX_PER_ADDRESS/);
      expect(loadConfig({}).loginMaxPerAddress).toBe(100);
    });
  });
});

describe('Open311 discovery', () => {
  it('when a client sends a forged Host header, then the discovery still publishes the configured public URL', async () => {
    const { port } = new URL(base);
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/open311/v2/discovery.json', headers: { host: 'evil.example' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); }).on('end', () => resolve(text));
      }).on('error', reject);
    });
    const discovery = JSON.parse(body) as { endpoints: { url: string }[] };
    expect(discovery.endpoints[0]!.url).toBe(`${loadConfig({}).publicUrl}/open311/v2`);
    expect(body).not.toMatch(/evil/);
  });

  it('when GUP_PUBLIC_URL is set, then it is the public URL (no trailing slash); unset, http://localhost:PORT; not an http(s) URL, no start', () => {
    expect(loadConfig({ GUP_PUBLIC_URL: 'https://gup.agglo.fr/' }).publicUrl).toBe('https://gup.agglo.fr');
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    for (const bad of ['gup.agglo.fr', 'ftp://gup.agglo.fr', 'https://gup.agglo.fr/?x=1']) expect(() => loadConfig({ GUP_PUBLIC_URL: bad }), bad).toThrow(/GUP_PUBLIC_URL/);
  });
});

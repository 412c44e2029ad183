import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { testContext } from '../support/context.js';
import { DEMO_PASSWORD } from '../support/http.js';

/** The real app on the shared database, with an info-level logger writing into `text`. */
let server: Server;
let base: string;
let text = '';

beforeAll(async () => {
  const { db } = await testContext();
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }));
  server = await new Promise<Server>((resolve) => {
    const s = http.createServer(createApp({ db, config: { ...loadConfig({}), demo: true }, log })).listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('request log', () => {
  it('when a user logs in and works with the session, then the log carries neither the session token nor credentials', async () => {
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'gup@demo.gup', password: DEMO_PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const token = cookie.split('=')[1]!;
    expect(token.length).toBeGreaterThan(20);
    const territory = await fetch(`${base}/api/territory`, { headers: { cookie: `theme=clair; ${cookie}`, authorization: 'Bearer s3cr3t-bearer' } });
    expect(territory.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50)); // the line is written when the response closes
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { req?: { url?: string; headers?: Record<string, string> }; res?: { headers?: Record<string, string> } });
    const loginLine = lines.find((l) => l.req?.url === '/api/auth/login');
    const territoryLine = lines.find((l) => l.req?.url === '/api/territory');
    // one line per request, the same fields on both transports (http/log.ts): method, URL, status, time — no header
    expect(loginLine).toMatchObject({ req: { method: 'POST', url: '/api/auth/login' }, res: { statusCode: 200 }, msg: 'request completed' });
    expect(territoryLine).toMatchObject({ req: { method: 'GET', url: '/api/territory' }, res: { statusCode: 200 } });
    expect(Object.keys(territoryLine!.req!)).toEqual(['method', 'url']);
    expect(loginLine?.res?.headers).toBeUndefined();
    expect(text).not.toContain(token);
    expect(text).not.toContain('s3cr3t-bearer');
    expect(text).not.toContain(DEMO_PASSWORD);
  });

  it('when an Open311 client puts its api_key in the query string, then the log masks it', async () => {
    const res = await fetch(`${base}/open311/v2/requests.json?api_key=leaked-key-123&x=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 50));
    const line = text.trim().split('\n').map((l) => JSON.parse(l) as { req?: { url?: string; query?: Record<string, string> } }).find((l) => l.req?.url?.startsWith('/open311/'));
    expect(line?.req?.url).toBe('/open311/v2/requests.json?api_key=[masqué]&x=1');
    expect(text).not.toContain('leaked-key-123');
  });
});

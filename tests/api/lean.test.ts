import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../server/src/config.js';
import { appContext } from '../../server/src/app.js';
import { AppError } from '../../server/src/http/errors.js';
import { withLeanRoutes } from '../../server/src/http/lean.js';
import { Reply, route } from '../../server/src/http/route.js';
import { z } from 'zod';
import { testContext } from '../support/context.js';
import { login } from '../support/http.js';

/** withLeanRoutes itself, on the shared database, with a real pino logger writing into `lines`. */
let server: Server;
let base: string;
let cookie: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const { db } = await testContext();
  cookie = await login('gup@demo.gup');
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
  const handler = withLeanRoutes(appContext({ db, config: loadConfig({}), log }), [
    route({ method: 'GET', path: '/api/echo', access: 'signed-in', handle: async ({ query }, { user }) => ({ email: user.email, query }) }),
    route({ method: 'GET', path: '/api/teapot', access: 'signed-in', handle: async () => { throw new AppError(418, 'teapot', 'Je suis une théière', { field: 'x' }); } }),
    route({ method: 'GET', path: '/api/crash', access: 'signed-in', handle: async () => { throw new TypeError('boom'); } }),
    route({ method: 'GET', path: '/api/strict', access: 'signed-in', handle: async ({ query }) => z.object({ n: z.coerce.number().int() }).parse(query) }),
    route({
      method: 'GET', path: '/api/bytes/{*rest}', access: 'signed-in', quiet: true,
      handle: async ({ path, headers }) => new Reply(path.endsWith('/none') ? 204 : 200, { 'content-type': 'application/octet-stream', 'x-seen': String(headers['x-probe'] ?? '') }, path.endsWith('/none') ? undefined : new Uint8Array([0, 1, 2, 255])),
    }),
  ], (_req, res) => { res.writeHead(299, { 'content-type': 'text/plain' }).end('next'); });
  server = await new Promise<Server>((resolve) => { const s = http.createServer(handler).listen(0, '127.0.0.1', () => resolve(s)); });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = async (path: string, opts: { cookie?: string; method?: string } = {}) => {
  const res = await fetch(base + path, { method: opts.method ?? 'GET', headers: opts.cookie ? { cookie: opts.cookie } : {} });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
};

describe('lean routes (server/src/http/lean.ts)', () => {
  it('when a signed-in user calls a lean route, then it gets the JSON answer with the query parsed like Express does', async () => {
    const res = await get('/api/echo?a=1&b=x%20y&b=z', { cookie });
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ email: 'gup@demo.gup', query: { a: '1', b: ['x y', 'z'] } });
  });

  it('when the route throws an AppError, then its status and the error body of the Express routes come back', async () => {
    const res = await get('/api/teapot', { cookie });
    expect(res.status).toBe(418);
    expect(res.body).toEqual({ error: { code: 'teapot', message: 'Je suis une théière', details: { field: 'x' } } });
  });

  it('when the route fails unexpectedly, then a generic 500 is answered and the error is logged, not leaked', async () => {
    const res = await get('/api/crash', { cookie });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'Erreur interne du serveur' } });
    expect(res.text).not.toMatch(/boom/);
    expect(lines.some((l) => l.msg === 'unhandled error' && JSON.stringify(l.err).includes('boom'))).toBe(true);
  });

  it('when there is no valid session, then 401 before the route runs', async () => {
    const res = await get('/api/echo?a=1', { cookie: 'gup_session=nope' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('when the method or the path is not a lean route, then the request goes on to the next handler', async () => {
    expect((await get('/api/echo', { method: 'POST', cookie })).text).toBe('next');
    expect((await get('/api/echo/more', { cookie })).text).toBe('next');
    expect((await get('/', { cookie })).text).toBe('next');
  });

  it('when the route answers a Reply, then its status, headers and bytes are sent as they are', async () => {
    const res = await fetch(`${base}/api/bytes/a/b`, { headers: { cookie, 'x-probe': 'p1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-seen')).toBe('p1');
    expect(res.headers.get('content-length')).toBe('4');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0, 1, 2, 255]);
    const empty = await fetch(`${base}/api/bytes/none`, { headers: { cookie } });
    expect(empty.status).toBe(204);
  });

  it('when a key ends in /*, then every path under it is taken but not the prefix\'s neighbours', async () => {
    expect((await get('/api/bytes/x/y/z', { cookie })).status).toBe(200);
    expect((await get('/api/bytesx', { cookie })).text).toBe('next');
    expect((await get('/api/bytes/x', { cookie, method: 'POST' })).text).toBe('next');
  });

  it('when the route rejects its input with zod, then 400 invalid_input names the field', async () => {
    const res = await get('/api/strict?n=abc', { cookie });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details[0].field).toBe('n');
    expect((await get('/api/strict?n=4', { cookie })).body).toEqual({ n: 4 });
  });

  it('when a route is quiet, then no "request completed" line is logged for it', async () => {
    lines.length = 0;
    await get('/api/bytes/q', { cookie });
    await get('/api/echo', { cookie });
    const done = lines.filter((l) => l.msg === 'request completed');
    expect(done.map((l) => (l.req as { url: string }).url)).toEqual(['/api/echo']);
  });

  it('when a lean request is answered, then one "request completed" line is logged with its status', async () => {
    lines.length = 0;
    await get('/api/teapot', { cookie });
    const done = lines.filter((l) => l.msg === 'request completed');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ req: { method: 'GET', url: '/api/teapot' }, res: { statusCode: 418 } });
    expect(typeof done[0]!.responseTime).toBe('number');
  });
});

import http, { type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../server/src/config.js';
import { appContext } from '../../server/src/app.js';
import { canClosePeriod } from '../../server/src/domain/stats.js';
import { errorHandler } from '../../server/src/http/errors.js';
import { mountRoutes, requestLog } from '../../server/src/http/express.js';
import { withLeanRoutes } from '../../server/src/http/lean.js';
import { JsonReply, Reply, route, type AnyRoute } from '../../server/src/http/route.js';
import { idParam } from '../../server/src/http/input.js';
import { testContext } from '../support/context.js';
import { login } from '../support/http.js';

/**
 * Routes declared once (server/src/http/route.ts), each served by the two transports side by side: the lean node:http
 * table (http/lean.ts) and Express (http/express.ts), each with a real pino logger writing into its own list.
 */
const routes: AnyRoute[] = [
  route({
    method: 'GET', path: '/api/model/things/:id', access: 'signed-in', params: z.object({ id: idParam }),
    query: z.object({ n: z.coerce.number({ error: 'n : nombre attendu' }).int().min(1).default(1) }), invalid: 'Chose invalide',
    handle: async ({ params, query }, { user }) => ({ id: params.id, n: query.n, role: user.role }),
  }),
  route({ method: 'GET', path: '/api/model/planners', access: ['planner', 'admin'], handle: async (_input, { user }) => ({ planner: user.email }) }),
  route({ method: 'GET', path: '/api/model/closers', access: canClosePeriod, handle: async () => ({ may: true }) }),
  route({ method: 'GET', path: '/api/model/public', access: 'public', handle: async (_input, { user }) => ({ signedIn: user !== null }) }),
  route({ method: 'GET', path: '/api/model/created', access: 'signed-in', handle: async () => new JsonReply(201, { made: true }, { location: '/api/model/things/1' }) }),
  route({ method: 'GET', path: '/api/model/bytes', access: 'signed-in', handle: async () => new Reply(200, { 'content-type': 'text/csv; charset=utf-8' }, 'a;b\n1;2\n') }),
  route({ method: 'GET', path: '/api/model/quiet/{*rest}', access: 'signed-in', quiet: true, handle: async ({ params }) => ({ rest: params.rest }) }),
  route({ method: 'GET', path: '/api/model/crash', access: 'signed-in', handle: async () => { throw new TypeError('secret detail'); } }),
];

const lines = { lean: [] as Record<string, unknown>[], express: [] as Record<string, unknown>[] };
const servers: Server[] = [];
const base = { lean: '', express: '' };
let officer: string;
let planner: string;
let commune: string;

const listen = (handler: RequestListener) => new Promise<string>((resolve) => {
  const s = http.createServer(handler).listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`));
  servers.push(s);
});
const loggerInto = (into: Record<string, unknown>[]) => pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { into.push(JSON.parse(String(chunk))); done(); } }));

beforeAll(async () => {
  const { db } = await testContext();
  [officer, planner, commune] = await Promise.all([login('gup@demo.gup'), login('urbaniste@demo.gup'), login('mairie.athis@demo.gup')]);
  const config = loadConfig({});
  const lean = withLeanRoutes(appContext({ db, config, log: loggerInto(lines.lean) }), routes, (_req, res) => { res.writeHead(599).end(); });
  const app = express();
  const expressLog = loggerInto(lines.express);
  app.use(requestLog(expressLog));
  mountRoutes(app, appContext({ db, config, log: expressLog }), routes);
  app.use(errorHandler);
  [base.lean, base.express] = await Promise.all([listen(lean), listen(app)]);
});
afterAll(() => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))));

/** The same request through both transports: status, content type, body text, and the request's log line without its time. */
async function both(path: string, cookie?: string) {
  const answers = await Promise.all((['lean', 'express'] as const).map(async (t) => {
    lines[t].length = 0;
    const res = await fetch(base[t] + path, { headers: cookie ? { cookie } : {} });
    const text = await res.text();
    await new Promise((r) => setTimeout(r, 20)); // Express logs when the response closes
    const logged = lines[t].filter((l) => l.msg === 'request completed').map(({ req, res: r }) => ({ req, res: r }));
    return { status: res.status, type: res.headers.get('content-type'), location: res.headers.get('location'), text, logged, errors: lines[t].filter((l) => l.msg === 'unhandled error') };
  }));
  return { lean: answers[0]!, express: answers[1]! };
}

describe('one route model over two transports (server/src/http/route.ts)', () => {
  it('when a route is declared once, then both transports answer the same status, body and log line for the same request', async () => {
    const { lean, express: viaExpress } = await both('/api/model/things/42?n=3', officer);
    expect(lean.status).toBe(200);
    expect(JSON.parse(lean.text)).toEqual({ id: 42, n: 3, role: 'gup_officer' });
    expect(lean.type).toBe('application/json; charset=utf-8');
    expect(lean.logged).toEqual([{ req: { method: 'GET', url: '/api/model/things/42?n=3' }, res: { statusCode: 200 } }]);
    expect({ ...viaExpress, errors: [] }).toEqual({ ...lean, errors: [] });
  });

  it('when the input does not match the declared schemas, then both answer the same 400 naming the field', async () => {
    for (const path of ['/api/model/things/abc', '/api/model/things/2147483648', '/api/model/things/7?n=zero']) {
      const { lean, express: viaExpress } = await both(path, officer);
      expect(lean.status).toBe(400);
      const body = JSON.parse(lean.text);
      expect(body.error).toMatchObject({ code: 'invalid_input', message: 'Chose invalide' });
      expect(body.error.details[0].field).toBe(path.includes('n=') ? 'n' : 'id');
      expect(viaExpress).toEqual(lean);
    }
  });

  it('when a route is declared for planners, then a commune user gets 403 on both transports and a planner gets the answer', async () => {
    const denied = await both('/api/model/planners', commune);
    expect(denied.lean.status).toBe(403);
    expect(JSON.parse(denied.lean.text)).toEqual({ error: { code: 'forbidden', message: 'Accès refusé pour votre rôle' } });
    expect(denied.express).toEqual(denied.lean);
    const allowed = await both('/api/model/planners', planner);
    expect(allowed.lean.status).toBe(200);
    expect(JSON.parse(allowed.lean.text)).toEqual({ planner: 'urbaniste@demo.gup' });
    expect(allowed.express).toEqual(allowed.lean);
  });

  it('when a route is guarded by a permission function of the domain, then both transports apply that function', async () => {
    const denied = await both('/api/model/closers', commune);
    const allowed = await both('/api/model/closers', officer);
    expect([denied.lean.status, denied.express.status]).toEqual([403, 403]);
    expect([allowed.lean.status, allowed.express.status]).toEqual([200, 200]);
  });

  it('when there is no session, then a signed-in route is a 401 on both and a public route answers anonymously', async () => {
    const closed = await both('/api/model/things/1');
    expect(closed.lean.status).toBe(401);
    expect(JSON.parse(closed.lean.text).error.code).toBe('unauthenticated');
    expect(closed.express).toEqual(closed.lean);
    const open = await both('/api/model/public');
    expect(JSON.parse(open.lean.text)).toEqual({ signedIn: false });
    expect(open.express).toEqual(open.lean);
    expect(JSON.parse((await both('/api/model/public', officer)).express.text)).toEqual({ signedIn: true });
  });

  it('when a handler answers a status of its own, or bytes, then both transports send them as declared', async () => {
    const created = await both('/api/model/created', officer);
    expect([created.lean.status, created.lean.location]).toEqual([201, '/api/model/things/1']);
    expect(created.express).toEqual(created.lean);
    const csv = await both('/api/model/bytes', officer);
    expect([csv.lean.status, csv.lean.type, csv.lean.text]).toEqual([200, 'text/csv; charset=utf-8', 'a;b\n1;2\n']);
    expect(csv.express).toEqual(csv.lean);
  });

  it('when a route is quiet (tiles), then neither transport logs a request line for it, and the rest of its path is a param', async () => {
    const { lean, express: viaExpress } = await both('/api/model/quiet/a/b%20c', officer);
    expect(JSON.parse(lean.text)).toEqual({ rest: 'a/b c' });
    expect(viaExpress.text).toBe(lean.text);
    expect([lean.logged, viaExpress.logged]).toEqual([[], []]);
  });

  it('when a handler fails unexpectedly, then both answer the same bare 500 and log the error', async () => {
    const { lean, express: viaExpress } = await both('/api/model/crash', officer);
    expect(lean.status).toBe(500);
    expect(lean.text).not.toContain('secret detail');
    expect(viaExpress.text).toBe(lean.text);
    expect(lean.errors).toHaveLength(1);
    expect(viaExpress.errors).toHaveLength(1);
  });
});

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import querystring, { type ParsedUrlQuery } from 'node:querystring';
import { parseCookie } from 'cookie';
import { SESSION_COOKIE, sessionUser } from '../auth/middleware.js';
import type { SessionUser } from '../data/users.js';
import type { AppContext } from './context.js';
import { AppError, errorBody } from './errors.js';

/** What a lean route gets: the signed-in user and the query string (parsed like Express's default parser). */
export interface LeanRequest {
  user: SessionUser;
  query: ParsedUrlQuery;
}

/** A lean route: validates its input, answers a JSON-serialisable value or throws an AppError. */
export type LeanRoute = (req: LeanRequest) => Promise<unknown>;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Serves the hottest read-only routes without Express, then hands every other request to `next` (the Express app).
 *
 * Why: `GET /api/lookup` is what an officer fires on every click and what the lookup target of issue 3 measures
 * (API ≥ 50 % of the raw PostGIS throughput). bench/lookup.ts --diagnose measured Express's routing, `res.json`
 * and the middleware stack (pino-http, express.json, cookie-parser) at about 0.6 ms of CPU per request, more than
 * the lookup's own query; a bare node:http answer costs 0.12 ms. See docs/decisions.md.
 *
 * What a lean route keeps from the Express path: the session check (the same cached lookup as requireSession,
 * 401 without a valid session), Express's query-string parser, the JSON error body of errorHandler, a 500 that is
 * logged for anything unexpected, one log line per request (pino-http's shape, only when `info` is enabled).
 * Only GET on the exact paths (a trailing slash allowed) is taken; everything else goes to Express.
 */
export function withLeanRoutes(ctx: AppContext, routes: Record<string, LeanRoute>, next: RequestListener): RequestListener {
  const table = new Map(Object.entries(routes));
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const route = req.method === 'GET' ? table.get(path) : undefined;
    if (!route) {
      next(req, res);
      return;
    }
    void serve(ctx, route, req, res, q < 0 ? '' : url.slice(q + 1));
  };
}

async function serve(ctx: AppContext, route: LeanRoute, req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
  const started = process.hrtime.bigint();
  let status = 200;
  let body: string;
  try {
    const token = req.headers.cookie ? parseCookie(req.headers.cookie)[SESSION_COOKIE] : undefined;
    const user = token ? await sessionUser(ctx.db.knex, token) : null;
    if (!user) throw new AppError(401, 'unauthenticated', 'Connexion requise');
    body = JSON.stringify(await route({ user, query: querystring.parse(search) }));
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError(500, 'internal', 'Erreur interne du serveur');
    if (e !== err) ctx.log.error({ err, req: { method: req.method, url: req.url } }, 'unhandled error');
    status = e.status;
    body = JSON.stringify(errorBody(e));
  }
  if (!res.headersSent && !res.destroyed) {
    // the string goes to the socket as is (encoded on the way out): Buffer.from would copy a > 4 KB answer into a
    // fresh allocation first, 7–12 µs per lookup
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
  if (ctx.log.isLevelEnabled('info')) {
    const responseTime = Number(process.hrtime.bigint() - started) / 1e6;
    ctx.log.info({ req: { method: req.method, url: req.url }, res: { statusCode: status }, responseTime }, 'request completed');
  }
}

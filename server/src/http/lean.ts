import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import querystring, { type ParsedUrlQuery } from 'node:querystring';
import { parseCookie } from 'cookie';
import { authenticate } from '../auth/middleware.js';
import type { SessionUser } from '../data/users.js';
import { SESSION_COOKIE, type AppContext } from './context.js';
import { AppError, clientErrorOf, errorBody } from './errors.js';
import { assertNoNul } from './input.js';

/** What a lean route gets: the signed-in user, the path (undecoded), the query string (parsed like Express's default parser), the headers. */
export interface LeanRequest {
  user: SessionUser;
  path: string;
  query: ParsedUrlQuery;
  headers: IncomingHttpHeaders;
}

/** An answer that is not JSON: a status, headers and optional bytes (a vector tile, a 304, a 204). */
export class LeanReply {
  constructor(
    readonly status: number,
    readonly headers: OutgoingHttpHeaders,
    readonly body?: Uint8Array,
  ) {}
}

/**
 * A lean route: validates its input, answers a JSON-serialisable value or a LeanReply, or throws (an AppError or a
 * ZodError: its status and JSON error body; anything else: a logged 500).
 */
export type LeanRoute = (req: LeanRequest) => Promise<unknown>;

/** A route of the table with options: `quiet` logs no "request completed" line (tiles: dozens per map move, like the Express path did). */
export interface LeanRouteEntry {
  route: LeanRoute;
  quiet?: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Serves the hottest read-only routes without Express, then hands every other request to `next` (the Express app).
 *
 * Why: `GET /api/lookup` is what an officer fires on every click and what the lookup target of issue 3 measures
 * (API ≥ 50 % of the raw PostGIS throughput). bench/lookup.ts --diagnose measured Express's routing, `res.json`
 * and the middleware stack (pino-http, express.json, cookie-parser) at about 0.6 ms of CPU per request, more than
 * the lookup's own query; a bare node:http answer costs 0.12 ms. The map's tiles (`/api/tiles/*`) come here too: a
 * revalidated tile (ETag hit, 304) must answer in < 2 ms. See docs/decisions.md.
 *
 * What a lean route keeps from the Express path: the session check (the same cached lookup as requireSession,
 * 401 without a valid session), Express's query-string parser, the JSON error body of errorHandler, a 500 that is
 * logged for anything unexpected, one log line per request (pino-http's shape, only when `info` is enabled).
 * Only GET and HEAD are taken, on the exact paths of the table (a trailing slash allowed) or, for a key ending in
 * `/*`, on any path under it; everything else goes to Express.
 * `securityHeaders` (the Express path's, precomputed once: server/src/http/security.ts) go on every answer; JSON
 * answers are `no-store` (personal data), binary ones keep their own Cache-Control. A NUL byte in the path or the
 * query string is a 400 naming the field, as on Express.
 */
export function withLeanRoutes(ctx: AppContext, routes: Record<string, LeanRoute | LeanRouteEntry>, next: RequestListener, securityHeaders: OutgoingHttpHeaders = {}): RequestListener {
  const jsonHeaders: OutgoingHttpHeaders = { ...securityHeaders, 'content-type': JSON_TYPE, 'cache-control': 'no-store' };
  const exact = new Map<string, LeanRouteEntry>();
  const prefixes: [string, LeanRouteEntry][] = [];
  for (const [key, value] of Object.entries(routes)) {
    const entry = typeof value === 'function' ? { route: value } : value;
    if (key.endsWith('/*')) prefixes.push([key.slice(0, -1), entry]);
    else exact.set(key, entry);
  }
  const find = (path: string): LeanRouteEntry | undefined => {
    const hit = exact.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
    if (hit || prefixes.length === 0) return hit;
    for (const [prefix, entry] of prefixes) if (path.startsWith(prefix)) return entry;
    return undefined;
  };
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const entry = req.method === 'GET' || req.method === 'HEAD' ? find(path) : undefined;
    if (!entry) {
      next(req, res);
      return;
    }
    void serve(ctx, entry, req, res, path, q < 0 ? '' : url.slice(q + 1), securityHeaders, jsonHeaders);
  };
}

async function serve(
  ctx: AppContext, entry: LeanRouteEntry, req: IncomingMessage, res: ServerResponse, path: string, search: string,
  securityHeaders: OutgoingHttpHeaders, jsonHeaders: OutgoingHttpHeaders,
): Promise<void> {
  const started = process.hrtime.bigint();
  let status = 200;
  let headers: OutgoingHttpHeaders;
  let body: string | Uint8Array | undefined;
  try {
    const token = req.headers.cookie ? parseCookie(req.headers.cookie)[SESSION_COOKIE] : undefined;
    const user = (await authenticate(ctx.db, token, req.headers.authorization))?.user;
    if (!user) throw new AppError(401, 'unauthenticated', 'Connexion requise');
    const query = querystring.parse(search);
    if (search.includes('%00') || path.includes('%00')) assertNoNul({ path, query });
    const answer = await entry.route({ user, path, query, headers: req.headers });
    if (answer instanceof LeanReply) {
      ({ status, body } = answer);
      headers = { ...securityHeaders, ...answer.headers };
    } else {
      body = JSON.stringify(answer);
      headers = jsonHeaders;
    }
  } catch (err) {
    let e = clientErrorOf(err);
    if (!e) {
      ctx.log.error({ err, req: { method: req.method, url: req.url } }, 'unhandled error');
      e = new AppError(500, 'internal', 'Erreur interne du serveur');
    }
    status = e.status;
    body = JSON.stringify(errorBody(e));
    headers = jsonHeaders;
  }
  if (!res.headersSent && !res.destroyed) {
    // a string goes to the socket as is (encoded on the way out): Buffer.from would copy a > 4 KB answer into a
    // fresh allocation first, 7–12 µs per lookup
    if (body !== undefined) headers = { ...headers, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength };
    res.writeHead(status, headers);
    res.end(body); // HEAD: node:http sends the headers only
  }
  if (!entry.quiet && ctx.log.isLevelEnabled('info')) {
    const responseTime = Number(process.hrtime.bigint() - started) / 1e6;
    ctx.log.info({ req: { method: req.method, url: req.url }, res: { statusCode: status }, responseTime }, 'request completed');
  }
}

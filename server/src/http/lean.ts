import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import type { AppContext } from './context.js';
import { assertNoNul } from './input.js';
import { errorReply } from './errors.js';
import { answer, compilePath, JsonReply, logRequest, type AnyRoute, type Outcome, type PathMatcher } from './route.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The lean transport: serves the declared routes flagged `lean` (GET, and HEAD) without Express, then hands every other
 * request to `next` (the Express app, where the same declarations are mounted by http/express.ts).
 *
 * Why: `GET /api/lookup` is what an officer fires on every click and what the lookup target of issue 3 measures
 * (API ≥ 50 % of the raw PostGIS throughput). bench/lookup.ts --diagnose measured Express's routing, `res.json`
 * and the middleware stack (express.json, cookie-parser, the log) at about 0.6 ms of CPU per request, more than
 * the lookup's own query; a bare node:http answer costs 0.12 ms. The map's tiles (`/api/tiles/*`) come here too: a
 * revalidated tile (ETag hit, 304) must answer in < 2 ms. See docs/decisions.md.
 *
 * The route itself goes through `answer` (http/route.ts), as on Express: the one session check, role check, input
 * validation and error mapping. This transport adds Express's query-string parser (node:querystring), the NUL-byte
 * check of the path and query (a 400 naming the field, as on Express), the security headers (Express's, precomputed
 * once: server/src/http/security.ts) and the one log line (`logRequest`, none for a `quiet` route). JSON answers are
 * `no-store` (personal data); binary ones keep their own Cache-Control. A path without params is found in a map.
 */
export function withLeanRoutes(ctx: AppContext, routes: readonly AnyRoute[], next: RequestListener, securityHeaders: OutgoingHttpHeaders = {}): RequestListener {
  const jsonHeaders: OutgoingHttpHeaders = { ...securityHeaders, 'content-type': JSON_TYPE, 'cache-control': 'no-store' };
  const exact = new Map<string, AnyRoute>();
  const patterns: [PathMatcher, AnyRoute][] = [];
  for (const r of routes) {
    if (r.method !== 'GET') throw new Error(`lean transport: GET routes only (${r.method} ${r.path})`);
    if (/[:{]/.test(r.path)) patterns.push([compilePath(r.path), r]);
    else exact.set(r.path, r);
  }
  const find = (path: string): [AnyRoute, Record<string, string>] | undefined => {
    const hit = exact.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
    if (hit) return [hit, {}];
    for (const [match, r] of patterns) {
      const params = match(path);
      if (params) return [r, params];
    }
    return undefined;
  };
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const found = req.method === 'GET' || req.method === 'HEAD' ? find(path) : undefined;
    if (!found) {
      next(req, res);
      return;
    }
    void serve(ctx, found[0], found[1], req, res, path, q < 0 ? '' : url.slice(q + 1), securityHeaders, jsonHeaders);
  };
}

async function serve(
  ctx: AppContext, r: AnyRoute, params: Record<string, string>, req: IncomingMessage, res: ServerResponse, path: string, search: string,
  securityHeaders: OutgoingHttpHeaders, jsonHeaders: OutgoingHttpHeaders,
): Promise<void> {
  const started = process.hrtime.bigint();
  const query = querystring.parse(search);
  let outcome: Outcome;
  try {
    if (search.includes('%00') || path.includes('%00')) assertNoNul({ path, query });
    outcome = await answer(ctx, r, { params, query, body: undefined, path, headers: req.headers, protocol: protocolOf(req) }, req.method ?? 'GET', req.url ?? path);
  } catch (err) {
    outcome = errorReply(err, ctx.log, req.method, req.url);
  }
  let headers: OutgoingHttpHeaders;
  let body: string | Uint8Array | undefined;
  if (outcome instanceof JsonReply) {
    body = JSON.stringify(outcome.value);
    headers = Object.keys(outcome.headers).length ? { ...jsonHeaders, ...outcome.headers } : jsonHeaders;
  } else {
    body = outcome.body;
    headers = { ...securityHeaders, ...outcome.headers };
  }
  if (!res.headersSent && !res.destroyed) {
    // a string goes to the socket as is (encoded on the way out): Buffer.from would copy a > 4 KB answer into a
    // fresh allocation first, 7–12 µs per lookup
    if (body !== undefined) headers = { ...headers, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength };
    res.writeHead(outcome.status, headers);
    res.end(body); // HEAD: node:http sends the headers only
  }
  if (!r.quiet) logRequest(ctx.log, req.method, req.url, outcome.status, started);
}

/**
 * `http` or `https` as the client sent it, as Express's `req.protocol` with the app's `trust proxy: loopback`: the
 * socket's, or the first `X-Forwarded-Proto` of a proxy on this machine.
 */
function protocolOf(req: IncomingMessage): string {
  const own = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const from = req.socket.remoteAddress ?? '';
  const loopback = from === '::1' || /^(::ffff:)?127\./.test(from);
  const header = req.headers['x-forwarded-proto'];
  if (!loopback || typeof header !== 'string' || header === '') return own;
  return header.split(',')[0]!.trim();
}

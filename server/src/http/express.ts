import type { IRouter, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { AppContext } from './context.js';
import { answer, checkCaller, JsonReply, logRequest, type AnyRoute, type Caller, type HttpMethod, type Outcome, type RawRoute } from './route.js';

/**
 * The Express transport of the declared routes (http/route.ts): each route on `router` at its method and path, through
 * `answer` (the one session, role and input check, the one error mapping), its outcome written by Express (`res.json`,
 * `res.send`: Express's ETag and freshness as before). Quiet routes are marked for the request log.
 */
export function mountRoutes(router: IRouter, ctx: AppContext, routes: readonly (AnyRoute | RawRoute)[]): void {
  for (const r of routes) {
    if ('raw' in r) {
      mountRaw(router, ctx, r);
      continue;
    }
    const handler: RequestHandler = async (req, res) => {
      if (r.quiet) res.locals.quiet = true;
      const raw = { params: flatParams(req.params), query: req.query, body: req.body as unknown, path: req.path, headers: req.headers, protocol: req.protocol };
      send(res, await answer(ctx, r, raw, req.method, req.originalUrl));
    };
    router[verb(r.method)](r.path, handler);
  }
}

/** Express gives a `{*rest}` param as its segments: joined with '/', as the lean transport gives it. */
function flatParams(params: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join('/') : v;
  return flat;
}

const verb = (method: HttpMethod) => (method === 'GET' ? 'get' : method === 'POST' ? 'post' : method === 'PUT' ? 'put' : method === 'PATCH' ? 'patch' : 'delete');

/** An escape-hatch route: the same session and role check first, then its middlewares, then its handler (errors to its `onError`, else errorHandler). */
function mountRaw(router: IRouter, ctx: AppContext, r: RawRoute): void {
  const check: RequestHandler = async (req, res, next) => {
    res.locals.caller = await checkCaller(ctx, r.access, req.headers);
    next();
  };
  const handler: RequestHandler = async (req, res) => {
    await r.handle(req, res, res.locals.caller as Caller);
  };
  router[verb(r.method)](r.path, check, ...(r.before ?? []), handler, ...(r.onError ? [r.onError] : []));
}

function send(res: Response, outcome: Outcome): void {
  if (res.headersSent) return;
  res.status(outcome.status).set(outcome.headers as Record<string, string>);
  if (outcome instanceof JsonReply) res.json(outcome.value);
  else if (outcome.body === undefined) res.end();
  else res.send(typeof outcome.body === 'string' ? outcome.body : Buffer.from(outcome.body.buffer, outcome.body.byteOffset, outcome.body.byteLength));
}

/**
 * The request log of the Express transport: the one log line (`logRequest`) when the answer is sent or the connection
 * closes, none for a quiet route; `req.log` is the application's logger.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    req.log = log;
    res.once('close', () => {
      if (!res.locals.quiet) logRequest(log, req.method, req.originalUrl, res.statusCode, started);
    });
    next();
  };
}


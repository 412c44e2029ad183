import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { ZodType } from 'zod';
import { parseCookie } from 'cookie';
import { authenticate, type Authenticated } from '../auth/middleware.js';
import type { SessionUser } from '../data/users.js';
import type { Role } from '../domain/territory.js';
import { SESSION_COOKIE, type AppContext } from './context.js';
import { AppError, errorReply, forbidden, JsonReply, validationError } from './errors.js';

export { JsonReply };
export { logRequest, maskApiKeys } from './log.js';

/**
 * One route model over two transports (issue 11 §3): a route is declared once — method, path, who may call it, the zod
 * schemas of its input and a handler from parsed input to a reply — and served by Express (`mountRoutes`,
 * http/express.ts) or by the lean node:http table (`withLeanRoutes`, http/lean.ts) for the routes flagged `lean`.
 * Both transports go through `answer` below: one session check (`authenticate`), one role check, one validation,
 * one error mapping (`errorReply`); and both log with `logRequest`.
 */

/**
 * Who may call a route: anyone (`public`: the caller's user when the request authenticates, else null), any signed-in
 * user, the listed roles, or a permission function of the domain (server/src/domain/access.ts: `canReport`…).
 */
export type Access = 'public' | 'signed-in' | readonly Role[] | ((user: SessionUser) => boolean);

/** Administrators only (the administration API, DESIGN 3.7). */
export const ADMINS: readonly Role[] = ['admin'];

/** Who sent a request: the user (null on a public route without credentials) and the API token it came with. */
export interface Caller<U extends SessionUser | null = SessionUser> {
  user: U;
  /** The personal API token the request was authenticated by (null for a session cookie or no credential). */
  tokenId: number | null;
}

/** What a handler gets: params, query and body parsed by the route's schemas, the path as sent and the headers. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The path as sent (not decoded), without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** `http` or `https` as the client sent it (a trusted proxy's `X-Forwarded-Proto`, Express's `req.protocol`): absolute links. */
  protocol: string;
}

/** An answer that is not JSON: a status, headers and optional bytes (a vector tile, a CSV, a PDF, a photo; a 204, a 304, a redirect). */
export class Reply {
  constructor(
    readonly status: number,
    readonly headers: OutgoingHttpHeaders,
    readonly body?: Uint8Array | string,
  ) {}

  /** 204 No Content. */
  static empty(headers: OutgoingHttpHeaders = {}): Reply {
    return new Reply(204, headers);
  }

  /**
   * A file to download (`Content-Disposition: attachment`, as Express's `res.attachment`): a CSV, a spreadsheet, a PDF.
   * @example Reply.download('a;b\n', 'text/csv; charset=utf-8', 'export.csv')
   */
  static download(body: Uint8Array | string, type: string, fileName: string, headers: OutgoingHttpHeaders = {}): Reply {
    return new Reply(200, { ...headers, 'content-type': type, 'content-disposition': attachment(fileName) }, body);
  }

  /** A redirect (302 unless told). */
  static redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): Reply {
    return new Reply(status, { location });
  }
}

/**
 * `attachment; filename="…"` for a plain ASCII name; otherwise an ASCII fallback and the UTF-8 name (RFC 6266).
 * @example attachment('bilan-2025.pdf') // 'attachment; filename="bilan-2025.pdf"'
 */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '?');
  if (ascii === fileName) return `attachment; filename="${fileName}"`;
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route declaration. Without a schema, the part is passed as parsed by the transport (params and query: strings). */
export interface Route<P = Record<string, string>, Q = Record<string, unknown>, B = unknown, A extends Access = Access> {
  method: HttpMethod;
  /** An Express-style pattern: `/api/reports/:id`, `/api/tiles/{*tile}` (the rest of the path, possibly empty). */
  path: string;
  access: A;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** The message of the 400 when the input does not match a schema (default « Paramètres invalides »), or one per part. */
  invalid?: string | { params?: string; query?: string; body?: string };
  /** The status of a plain JSON answer (default 200). */
  status?: number;
  /** Also served by the lean node:http transport (GET only): the map's hot reads. */
  lean?: boolean;
  /** No request log line (tiles: dozens per map move). */
  quiet?: boolean;
  /** The error body of another standard (Open311's `[{code, description}]`); default `{error:{code,message,details}}`. */
  errorBody?: (e: AppError) => unknown;
  /**
   * Headers of every answer once the caller is known, errors included (OGC API: `Vary: Cookie`, a signed-in caller's
   * answers `private`); a reply's own headers win.
   */
  headers?: (caller: Caller<SessionUser | null>) => OutgoingHttpHeaders;
  /** A plain value is a JSON answer (status `status`, default 200); or a JsonReply, or a Reply. */
  handle(input: RouteInput<P, Q, B>, caller: Caller<A extends 'public' ? SessionUser | null : SessionUser>): Promise<unknown>;
}

/**
 * The escape hatch, for what is not a reply to parsed input (Express only): a streamed multipart upload, a raw body,
 * a cookie set or cleared, content negotiation. Its `before` middlewares (an upload parser) run after the session and
 * role check; the handler gets Express's request and response; a thrown error goes to the one error mapping.
 * docs/decisions.md lists the routes that use it and why.
 */
export interface RawRoute<A extends Access = Access> {
  method: HttpMethod;
  path: string;
  access: A;
  raw: true;
  before?: RequestHandler[];
  /**
   * The route's own error page, for an error of its check, middlewares or handler (single sign-on's French HTML for the
   * browser, routes/oidc.ts); default: the one JSON mapping (`errorHandler`).
   */
  onError?: ErrorRequestHandler;
  handle(req: Request, res: Response, caller: Caller<A extends 'public' ? SessionUser | null : SessionUser>): Promise<void>;
}

/** Declares an escape-hatch route (only types). */
export function rawRoute<const A extends Access>(r: RawRoute<A>): RawRoute {
  return r as RawRoute;
}

/** Any declared route, whatever its schemas (what the transports take). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = Route<any, any, any, Access>;

/** Declares a route (only types: the declaration is the value). */
export function route<P = Record<string, string>, Q = Record<string, unknown>, B = unknown, const A extends Access = Access>(r: Route<P, Q, B, A>): AnyRoute {
  return r as AnyRoute;
}

/** The request as a transport read it, before any check. */
export interface RawInput {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  path: string;
  headers: IncomingHttpHeaders;
  protocol: string;
}

/** What a transport writes: a JSON value or bytes, with a status and headers. */
export type Outcome = JsonReply | Reply;

/**
 * The one session check of every route, on both transports: the request's personal API token or session cookie
 * (`authenticate`), read from the raw headers.
 */
export async function callerOf(ctx: AppContext, headers: IncomingHttpHeaders): Promise<Authenticated | null> {
  const token = headers.cookie ? parseCookie(headers.cookie)[SESSION_COOKIE] : undefined;
  return authenticate(ctx.db, token, headers.authorization);
}

/** May this user call a route of this access? */
export function allows(access: Access, user: SessionUser): boolean {
  if (access === 'public' || access === 'signed-in') return true;
  if (typeof access === 'function') return access(user);
  return access.includes(user.role);
}

function parsePart<T>(schema: ZodType<T> | undefined, value: unknown, message: string): T {
  if (!schema) return value as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, message);
  return parsed.data;
}

/** The one session and role check of a route: its caller, or a 401 (no credential) or a 403 (not for this role). */
export async function checkCaller(ctx: AppContext, access: Access, headers: IncomingHttpHeaders): Promise<Caller<SessionUser | null>> {
  const auth = await callerOf(ctx, headers);
  if (!auth && access !== 'public') throw new AppError(401, 'unauthenticated', 'Connexion requise');
  if (auth && !allows(access, auth.user)) throw forbidden();
  return { user: auth?.user ?? null, tokenId: auth?.tokenId ?? null };
}

/**
 * The route's answer to a request, for either transport: session (401), role (403), input (400 naming the field),
 * then the handler; a thrown error becomes its reply through `errorReply`.
 */
export async function answer(ctx: AppContext, r: AnyRoute, raw: RawInput, method: string, url: string): Promise<Outcome> {
  let common: OutgoingHttpHeaders = {};
  try {
    const caller = await checkCaller(ctx, r.access, raw.headers);
    common = r.headers?.(caller) ?? {};
    const message = (part: 'params' | 'query' | 'body') => (typeof r.invalid === 'string' ? r.invalid : r.invalid?.[part]) ?? 'Paramètres invalides';
    const input: RouteInput<unknown, unknown, unknown> = {
      params: parsePart(r.params, raw.params, message('params')),
      query: parsePart(r.query, raw.query, message('query')),
      body: parsePart(r.body, raw.body, message('body')),
      path: raw.path,
      headers: raw.headers,
      protocol: raw.protocol,
    };
    const value = await r.handle(input, caller as Caller);
    if (value instanceof Reply || value instanceof JsonReply) return withHeaders(value, common);
    return withHeaders(new JsonReply(r.status ?? 200, value), common);
  } catch (err) {
    return withHeaders(errorReply(err, ctx.log, method, url, r.errorBody), common);
  }
}

/** The outcome with the route's common headers under its own. */
function withHeaders(outcome: Outcome, common: OutgoingHttpHeaders): Outcome {
  if (Object.keys(common).length === 0) return outcome;
  const headers = { ...common, ...outcome.headers };
  return outcome instanceof JsonReply ? new JsonReply(outcome.status, outcome.value, headers) : new Reply(outcome.status, headers, outcome.body);
}

/** A compiled path pattern: the params of a path that matches, or null. */
export type PathMatcher = (path: string) => Record<string, string> | null;

/**
 * Compiles an Express-style pattern for the lean transport (Express compiles the same pattern itself): literal
 * segments, `:name` segments (with an optional literal suffix, `:y.mvt`) and a final `{*name}` for the rest of the
 * path (possibly empty). Params are decoded (`decodeURIComponent`; a bad escape does not match); the path is matched as
 * sent, a trailing slash allowed.
 * @example compilePath('/api/reports/:id')('/api/reports/42') // { id: '42' }
 * @example compilePath('/api/tiles/{*tile}')('/api/tiles/') // { tile: '' }
 */
export function compilePath(pattern: string): PathMatcher {
  const names: string[] = [];
  let source = '';
  for (const segment of pattern.split('/').slice(1)) {
    const rest = /^\{\*(\w+)\}$/.exec(segment);
    if (rest) {
      names.push(rest[1]!);
      source += '/(.*)';
      continue;
    }
    const param = /^:(\w+)(.*)$/.exec(segment);
    if (param) {
      names.push(param[1]!);
      source += `/([^/]+?)${escapeRegExp(param[2]!)}`;
    } else {
      source += `/${escapeRegExp(segment)}`;
    }
  }
  const regex = new RegExp(`^${source}/?$`);
  return (path) => {
    const m = regex.exec(path);
    if (!m) return null;
    const params: Record<string, string> = {};
    try {
      names.forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]!); });
    } catch {
      return null;
    }
    return params;
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

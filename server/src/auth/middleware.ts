import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { findTokenUser } from '../data/tokens.js';
import { findSessionUser, hashToken, type SessionUser } from '../data/users.js';
import type { Role } from '../domain/territory.js';
import { AppError, forbidden } from '../http/errors.js';
import { bearerToken } from './tokens.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The personal API token the request was authenticated by (absent for a session cookie). */
      apiTokenId?: number;
    }
  }
}

export const SESSION_COOKIE = 'gup_session';

/**
 * Short-lived cache of session → user, per database (knex instance).
 *
 * Why: every API request went through one session query (sessions ⋈ users). The lookup benchmark (bench/lookup.ts
 * --diagnose, issue 3) measured it at about a quarter of the CPU of a `GET /api/lookup` (server and PostgreSQL
 * together), as much as the lookup's own query. Map panning fires dozens of tile requests at once, each paying it too.
 *
 * Trade-off: a session found here is trusted for at most SESSION_CACHE_TTL_MS without asking the database.
 * - Logout, a deleted session, a deactivated or edited user *through this process* take effect immediately: every
 *   write to `sessions` or `users` that goes through this knex (including in transactions) empties the cache, and a
 *   lookup that was in flight meanwhile does not store its (possibly stale) answer.
 * - The other workers of this server (cluster mode, server/src/cluster.ts) are told of every invalidation through
 *   connectSessionPeers and empty their caches too, within an IPC message's latency.
 * - Changes made by *another* process (another server instance, `npm run user:create`, SQL by hand) take up to
 *   SESSION_CACHE_TTL_MS to be seen, and so does a session reaching its expiry time.
 * Only positive answers are cached (an unknown cookie always asks the database), keyed by the token's SHA-256, with a
 * bounded size.
 */
export const SESSION_CACHE_TTL_MS = 10_000;
const SESSION_CACHE_MAX = 10_000;
/** Transactions commit after their last query event: keep refusing stale fills a little after COMMIT. */
const COMMIT_GRACE_MS = 1_000;
const WRITES_SESSIONS_OR_USERS = /^\s*(insert\s+into|update|delete\s+from|truncate(\s+table)?)\s+(only\s+)?("?public"?\.)?"?(sessions|users)"?[\s;(,]/i;

interface SessionCache {
  entries: Map<string, { user: SessionUser; until: number }>;
  /** Bumped on every invalidation: a lookup started before it must not fill the cache. */
  generation: number;
  /** Writes to sessions/users running now (outside transactions) or in transactions not committed yet. */
  pending: number;
}

const caches = new WeakMap<Knex, SessionCache>();
/** Every cache of this process, for the invalidations that come from other workers. */
const allCaches = new Set<SessionCache>();
/** Tells the other workers that sessions or users changed here (cluster mode); none in a single process. */
let publishToPeers: (() => void) | null = null;

/**
 * Cluster mode: `publish` is called on every local invalidation (a write to sessions/users starting, then ending);
 * call the returned function when another worker publishes one: this process's caches are emptied and a lookup in
 * flight does not store its answer.
 */
export function connectSessionPeers(publish: () => void): () => void {
  publishToPeers = publish;
  return () => {
    for (const c of allCaches) { c.entries.clear(); c.generation++; }
  };
}

function sessionCache(knex: Knex): SessionCache {
  let cache = caches.get(knex);
  if (cache) return cache;
  const c: SessionCache = { entries: new Map(), generation: 0, pending: 0 };
  cache = c;
  caches.set(knex, c);
  allCaches.add(c);
  const invalidate = () => { c.entries.clear(); c.generation++; publishToPeers?.(); };
  const release = () => { c.pending = Math.max(0, c.pending - 1); invalidate(); };
  // transactions that wrote to sessions/users, until they end (with a fallback should their end never be seen)
  const writingTx = new Map<string, NodeJS.Timeout>();
  const writes = (q: { sql?: unknown }) => typeof q?.sql === 'string' && WRITES_SESSIONS_OR_USERS.test(q.sql);
  knex.on('query', (q: { sql?: string; __knexTxId?: string }) => {
    const tx = q.__knexTxId;
    if (writes(q)) {
      invalidate();
      if (!tx) c.pending++;
      else if (!writingTx.has(tx)) {
        c.pending++;
        writingTx.set(tx, setTimeout(() => { if (writingTx.delete(tx)) release(); }, 60_000).unref());
      }
    } else if (tx && writingTx.has(tx) && /^\s*(commit|rollback)\b/i.test(q.sql ?? '')) {
      clearTimeout(writingTx.get(tx));
      writingTx.delete(tx);
      invalidate();
      setTimeout(release, COMMIT_GRACE_MS).unref();
    }
  });
  const done = (q: { sql?: string; __knexTxId?: string }) => {
    if (writes(q) && !q.__knexTxId) release();
  };
  knex.on('query-response', (_r: unknown, q: { sql?: string; __knexTxId?: string }) => done(q));
  knex.on('query-error', (_e: unknown, q: { sql?: string; __knexTxId?: string }) => done(q));
  return cache;
}

/** The user of a session token (through the short-lived cache above), or null when the session is not valid. */
export async function sessionUser(knex: Knex, token: string): Promise<SessionUser | null> {
  const cache = sessionCache(knex);
  const key = crypto.createHash('sha256').update(token).digest('base64url');
  const hit = cache.entries.get(key);
  const now = Date.now();
  if (hit && hit.until > now) return { ...hit.user }; // a copy: a route may touch req.user
  if (hit) cache.entries.delete(key);
  const generation = cache.generation;
  const user = await findSessionUser(knex, token);
  if (user && cache.pending === 0 && cache.generation === generation) {
    if (cache.entries.size >= SESSION_CACHE_MAX) cache.entries.delete(cache.entries.keys().next().value!);
    cache.entries.set(key, { user: { ...user }, until: Date.now() + SESSION_CACHE_TTL_MS });
  }
  return user;
}

/** Who sent a request: its user, and the personal API token it came with (null for a session cookie). */
export interface Authenticated {
  user: SessionUser;
  tokenId: number | null;
}

/**
 * The one function that turns a request's credentials into its user, for every transport (requireSession, the lean
 * path): a personal API token (`Authorization: Bearer gup_pat_…`) when the request carries one, else the session
 * cookie. A token stands for its owner as the owner is now (role, scope; a deactivated owner opens nothing) and is not
 * cached: a revoked token is refused at once. A GUP token (`gup_pat_…`) that does not open the API is a 401, whatever
 * cookie comes with it; another Authorization value is not ours (the cookie decides). Null when the request carries no
 * credential that opens it.
 */
export async function authenticate(knex: Knex, sessionToken: string | undefined, authorization: string | undefined): Promise<Authenticated | null> {
  const bearer = bearerToken(authorization);
  if (bearer !== undefined) {
    const hit = bearer === null ? null : await findTokenUser(knex, hashToken(bearer));
    if (!hit) throw new AppError(401, 'invalid_token', 'Jeton d\'accès invalide, expiré ou révoqué');
    return { user: hit.user, tokenId: hit.tokenId };
  }
  const user = sessionToken ? await sessionUser(knex, sessionToken) : null;
  return user ? { user, tokenId: null } : null;
}

/** Loads the user from the API token or the session cookie (authenticate); answers 401 when there is none. */
export function requireSession(knex: Knex): RequestHandler {
  sessionCache(knex); // watch writes from now on (a logout may come before any session check)
  return async (req, _res, next) => {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const auth = await authenticate(knex, token, req.headers.authorization);
    if (!auth) return next(new AppError(401, 'unauthenticated', 'Connexion requise'));
    req.user = auth.user;
    if (auth.tokenId !== null) req.apiTokenId = auth.tokenId;
    next();
  };
}

/** Lets only the given roles through (403 otherwise). Use after requireSession. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) return next(new AppError(401, 'unauthenticated', 'Connexion requise'));
    if (!roles.includes(req.user.role)) return next(forbidden());
    next();
  };
}

/** The signed-in user of a request that went through requireSession. */
export function currentUser(req: { user?: SessionUser }): SessionUser {
  if (!req.user) throw new AppError(401, 'unauthenticated', 'Connexion requise');
  return req.user;
}

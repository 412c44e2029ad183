import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { findSessionUser, type SessionUser } from './users.js';

/**
 * Short-lived cache of session → user, one per database context (`Database.sessions`, made by openDatabase).
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

export interface SessionCache {
  entries: Map<string, { user: SessionUser; until: number }>;
  /** Bumped on every invalidation: a lookup started before it must not fill the cache. */
  generation: number;
  /** Writes to sessions/users running now (outside transactions) or in transactions not committed yet. */
  pending: number;
  /** Cluster mode: tells the other workers that sessions or users changed here (connectSessionPeers); null alone. */
  publish: (() => void) | null;
}

/**
 * Cluster mode: `publish` is called on every local invalidation (a write to sessions/users starting, then ending);
 * call the returned function when another worker publishes one: the cache is emptied and a lookup in flight does not
 * store its answer.
 */
export function connectSessionPeers(db: { sessions: SessionCache }, publish: () => void): () => void {
  const c = db.sessions;
  c.publish = publish;
  return () => { c.entries.clear(); c.generation++; };
}

/** The session cache of a database, watching from now on every write to sessions or users that goes through `knex`. */
export function watchSessions(knex: Knex): SessionCache {
  const c: SessionCache = { entries: new Map(), generation: 0, pending: 0, publish: null };
  const invalidate = () => { c.entries.clear(); c.generation++; c.publish?.(); };
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
  return c;
}

/** The user of a session token (through the short-lived cache above), or null when the session is not valid. */
export async function sessionUser({ knex, sessions: cache }: { knex: Knex; sessions: SessionCache }, token: string): Promise<SessionUser | null> {
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


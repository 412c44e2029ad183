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
 * - Logout, a deleted session, a deactivated or edited user *through this process* take effect on the next request:
 *   every write to `sessions` or `users` that goes through this knex empties the cache when it starts, and again when
 *   it is over — when the connection it ran on goes back to knex's pool. That is the one moment every end passes
 *   through, after the write's own answer (outside a transaction) or after the transaction's COMMIT or ROLLBACK has
 *   been answered, whatever the way it ended (commit, rollback, an error, savepoints inside, on pg and on PGlite);
 *   the caller's `await` resumes only after it. A lookup that was in flight meanwhile does not store its (possibly
 *   stale) answer (`generation`).
 * - While such a transaction is open the cache keeps serving: its entries are what the database answers other
 *   connections until the COMMIT, and they are dropped as soon as it is over. So a transaction left open (or one whose
 *   end knex reports late) never turns the cache off, and its late COMMIT still empties it.
 * - The other workers of this server (cluster mode, server/src/cluster.ts) are told of every invalidation through
 *   connectSessionPeers and empty their caches too, within an IPC message's latency.
 * - Changes made by *another* process (another server instance, `npm run user:create`, SQL by hand) take up to
 *   SESSION_CACHE_TTL_MS to be seen, and so does a session reaching its expiry time.
 * Only positive answers are cached (an unknown cookie always asks the database), keyed by the token's SHA-256, with a
 * bounded size.
 */
export const SESSION_CACHE_TTL_MS = 10_000;
const SESSION_CACHE_MAX = 10_000;
const WRITES_SESSIONS_OR_USERS = /^\s*(insert\s+into|update|delete\s+from|truncate(\s+table)?)\s+(only\s+)?("?public"?\.)?"?(sessions|users)"?[\s;(,]/i;

export interface SessionCache {
  entries: Map<string, { user: SessionUser; until: number }>;
  /** Bumped on every invalidation: a lookup started before it must not fill the cache. */
  generation: number;
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

/** What knex tells of a query in its `query` event: the statement and the pool connection it runs on. */
interface QueryEvent { sql?: unknown; __knexUid?: string }
/** knex's client as far as this module uses it (not in knex's types): a top-level transaction, or a statement run
 * outside one, gives its pool connection back here once it is over (a transaction's inner client does not). */
interface PoolClient { releaseConnection(this: PoolClient, connection: { __knexUid?: string } | undefined): Promise<void> }

/** The session cache of a database, watching from now on every write to sessions or users that goes through `knex`. */
export function watchSessions(knex: Knex): SessionCache {
  const c: SessionCache = { entries: new Map(), generation: 0, publish: null };
  const invalidate = () => { c.entries.clear(); c.generation++; c.publish?.(); };
  // pool connections on which a write to sessions/users ran since they were taken from the pool (knex's __knexUid);
  // a transaction's statements, savepoints included, all run on its one connection
  const wrote = new Set<string>();
  knex.on('query', (q: QueryEvent) => {
    if (typeof q?.sql !== 'string' || !WRITES_SESSIONS_OR_USERS.test(q.sql)) return;
    invalidate();
    if (q.__knexUid === undefined) throw new Error('session cache: knex reported a write without its connection');
    wrote.add(q.__knexUid);
  });
  const client = knex.client as unknown as PoolClient;
  const release = client.releaseConnection;
  client.releaseConnection = function (connection) {
    if (connection?.__knexUid !== undefined && wrote.delete(connection.__knexUid)) invalidate();
    return release.call(this, connection);
  };
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
  if (user && cache.generation === generation) {
    if (cache.entries.size >= SESSION_CACHE_MAX) cache.entries.delete(cache.entries.keys().next().value!);
    cache.entries.set(key, { user: { ...user }, until: Date.now() + SESSION_CACHE_TTL_MS });
  }
  return user;
}


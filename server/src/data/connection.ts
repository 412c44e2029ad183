/** Connections: the embedded PGlite or PostgreSQL through knex, the hot pool and its statements, queries run together. */
import fs from 'node:fs';
import os from 'node:os';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { postgisExtension } from './postgisBundle.js';

export type Engine = 'embedded' | 'postgres';

export async function openEmbedded(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<{ knex: Knex; dump: () => Promise<Blob> }> {
  const [{ PGlite }, postgis, { default: ClientPgLite }] = await Promise.all([
    import('@electric-sql/pglite'),
    postgisExtension(), // PostGIS without its unused raster and topology modules
    import('knex-pglite'),
  ]);
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}), extensions: { postgis } });
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite: yieldingAfterEachStatement(pglite) }) as object,
    useNullAsDefault: true,
  } as Knex.Config);
  return { knex, dump: () => pglite.dumpDataDir('gzip') };
}

/**
 * PGlite runs each statement synchronously in this thread, and a chain of awaited statements (the slices of a
 * sub-sector preview) resumes through microtasks only: the event loop would read no other request until the whole
 * chain ends (seen: `/api/health` waited 1.6 s, the whole preview, on a loaded machine). After each statement, the
 * caller resumes in a macrotask (`setImmediate`), so a request that arrived meanwhile is read and queued for the next
 * statement.
 */
function yieldingAfterEachStatement<T extends { query: (...args: never[]) => Promise<unknown> }>(pglite: T): T {
  return new Proxy(pglite, {
    get(target, prop) {
      if (prop === 'query') {
        return async (...args: Parameters<T['query']>) => {
          try {
            return await target.query(...args);
          } finally {
            await new Promise((resolve) => setImmediate(resolve));
          }
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function openPostgres(url: string, poolMax: number): Knex {
  return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: poolMax } });
}

/** A read-only statement for hotQuery: a name (prepared once per connection on PostgreSQL) and SQL with $1…$n. */
export interface HotStatement {
  name: string;
  text: string;
}

interface DriverConnection {
  query(config: { name: string; text: string; values: unknown[] } | string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}
interface KnexClientInternals {
  acquireConnection(): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): Promise<void>;
  /** Set by knex-pglite: the embedded database, one connection taking positional parameters. */
  pglite?: unknown;
}

/**
 * The connections hot statements run on: knex, and on PostgreSQL a small pg pool beside knex's (`hot`). tarn (knex's
 * pool) arms a timer and a promise chain for every acquire; a pg Pool does not: 0.02 ms of CPU per lookup, 5 % of the
 * API's (bench/lookup.ts). The database context (db.ts) is one.
 */
export interface Connection {
  knex: Knex;
  /** PostgreSQL only: the hot pool (null on the embedded database, whose one connection knex holds). */
  hot: pg.Pool | null;
}

/**
 * How many connections the hot pool may open (beside knex's pool; idle ones close after 30 s): the cores plus one,
 * at most 8. More statements at once than cores only makes PostgreSQL switch between its backends: on the 2-core
 * reference machine, 3 connections served ~8 % more lookups per second than 8 (8 HTTP clients, A/B interleaved).
 */
export const HOT_POOL_MAX = Math.min(8, os.availableParallelism() + 1);

/**
 * A pool for hot statements: generic plans always (`plan_cache_mode=force_generic_plan`, a startup parameter added to
 * any `options` the URL already has). PostgreSQL would otherwise re-plan a statement taking arrays (the coalesced
 * lookup, SPOTS_AT in data/lookup.ts) on every call, the row estimate of unnest($1) making each custom plan look
 * cheaper than the generic one (measured: ~0.5 ms of planning per call, more than running it). The hot statements'
 * plans do not depend on their parameters' values (GiST searches around a point, a key). Also the benchmark's raw
 * baseline, so that both run on the same settings. (Not a `SET` in the pool's connect handler: the first query would
 * then queue behind it on the client, which pg deprecates.)
 */
export function hotPool(url: string, max: number, idleTimeoutMillis: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: withStartupOption(url, '-c plan_cache_mode=force_generic_plan'), max, idleTimeoutMillis });
  pool.on('error', () => {}); // an idle connection dropped by the server: the pool replaces it on the next query
  return pool;
}

/** The connection URL with `option` appended to its `options` parameter (pg reads the URL's over its config's). */
export function withStartupOption(url: string, option: string): string {
  const u = new URL(url);
  const existing = u.searchParams.get('options');
  u.searchParams.set('options', existing ? `${existing} ${option}` : option);
  return u.toString();
}

/** How many hotQuery statements can run at once: the hot pool's size on PostgreSQL, else 1 (the embedded database's one connection). */
export function hotConcurrency(conn: Connection): number {
  return conn.hot ? HOT_POOL_MAX : 1;
}

/**
 * Runs one read-only statement straight to the driver: on PostgreSQL as a named prepared statement (parsed and
 * planned once per connection) on the hot pool, on the embedded database as a parameterised query on knex's single
 * connection.
 *
 * For the few queries on the hot path of the map only (the lookup under a click): knex's query pipeline (binding
 * rewriting over the whole SQL text, runner, events) cost about 0.07 ms of CPU per lookup, 15 % of the query's own
 * cost (bench/lookup.ts, measured then as "raw via knex"). Never for writes: the session cache (data/sessions.ts)
 * watches knex's query events to see writes to sessions and users. Not inside a transaction (it takes its own connection).
 */
export async function hotQuery<R>({ knex, hot }: Connection, statement: HotStatement, values: unknown[]): Promise<R[]> {
  if (knex.isTransaction) throw new Error(`hotQuery(${statement.name}) runs outside transactions`);
  if (hot) return (await hot.query({ name: statement.name, text: statement.text, values })).rows as R[];
  const client = knex.client as unknown as KnexClientInternals;
  const connection = await client.acquireConnection();
  try {
    const result = client.pglite !== undefined
      ? await connection.query(statement.text, values)
      : await connection.query({ name: statement.name, text: statement.text, values });
    return result.rows as R[];
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * Awaits several knex queries (lazy builders, not started yet): together on the pool, one after the other inside a
 * transaction, whose single connection must not get a query while another runs (deprecated in pg, removed in pg 9).
 */
export async function allQueries<T extends readonly unknown[]>(knex: Knex, queries: readonly [...T]): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  if (!knex.isTransaction) return (await Promise.all(queries)) as { -readonly [K in keyof T]: Awaited<T[K]> };
  const results: unknown[] = [];
  for (const q of queries) results.push(await q);
  return results as { -readonly [K in keyof T]: Awaited<T[K]> };
}


/** One round trip to the database (the health check). */
export async function ping({ knex }: Connection): Promise<void> {
  await knex.raw('SELECT 1');
}

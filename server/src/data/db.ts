import type { Knex } from 'knex';
import { migrationSource } from '../../../db/migrations/index.js';
import type { Coalescer } from './coalesce.js';
import { HOT_POOL_MAX, hotPool, openEmbedded, openPostgres, withStartupOption, type Connection, type Engine } from './connection.js';
import { spotCoalescer, type Point, type SpotRow } from './lookup.js';
import { watchSessions, type SessionCache } from './sessions.js';
import { newTerritoryCache, type TerritoryCache } from './territory.js';

export type { Engine };

/**
 * The database context: the connections (knex, the hot pool) and everything this process keeps of the database
 * between requests — the territory configuration, the session cache, the coalescing of lookups. Made once by
 * openDatabase and passed explicitly (routes get it as `ctx.db`); nothing of it lives in a module, so two databases
 * in one process (tests, benchmarks) never share a cache, and closing it drops them all.
 */
export interface Database extends Connection {
  engine: Engine;
  /** PostGIS version string, e.g. "3.6.2". */
  postgisVersion: string;
  /** Whether ST_AsMVT is available (PostGIS built with protobuf-c). */
  hasMvt: boolean;
  /** The territory configuration as last read, for a few seconds (data/territory.ts). */
  territoryCache: TerritoryCache;
  /** Session → user, for a few seconds, emptied by every write to sessions or users through `knex` (data/sessions.ts). */
  sessions: SessionCache;
  /** Lookups arriving together, sent in one statement (data/lookup.ts). */
  spots: Coalescer<Point, SpotRow>;
  close(): Promise<void>;
  /** Embedded only: the whole data directory as a gzipped tarball (used to cache the test database). */
  dumpDataDir?: () => Promise<Blob>;
}

/** A database context, or a transaction opened on it (read inside it, without the context's caches). */
export type DbOrTransaction = Database | Knex.Transaction;

/** What queries run on: the transaction, or the context's knex. */
export const queriesOf = (db: DbOrTransaction): Knex => (typeof db === 'function' ? db : db.knex);

export interface DbOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** Pool size for a real PostgreSQL (default 10). */
  poolMax?: number;
  /** Embedded only: start from this data directory tarball (in memory). */
  loadDataDir?: Blob;
  /** Ensure PostGIS and run the migrations (default true; the cluster's workers leave it to the primary). */
  migrate?: boolean;
  /**
   * PostgreSQL only: `statement_timeout` (ms) of every connection of the returned knex and hot pool (a startup
   * parameter, with `jit=off`); the migrations run on a connection of their own without it. Absent or 0: no timeout
   * (the import).
   */
  statementTimeoutMs?: number;
}

/** Opens the database (embedded PGlite when no URL is given), ensures PostGIS and runs the migrations. */
export async function openDatabase(opts: DbOptions): Promise<Database> {
  const engine: Engine = opts.databaseUrl ? 'postgres' : 'embedded';
  const embedded = opts.databaseUrl ? null : await openEmbedded(opts.dataDir, opts.loadDataDir);
  const timeout = opts.statementTimeoutMs ?? 0;
  // JIT off: PostGIS functions' high cost estimates made PostgreSQL compile the sub-sector partition query with LLVM
  // on every call (0.6–1 s of compilation for a statement that runs in 2 ms).
  const startup = `-c jit=off${timeout > 0 ? ` -c statement_timeout=${timeout}` : ''}`;
  const url = opts.databaseUrl ? withStartupOption(opts.databaseUrl, startup) : undefined;
  const knex = embedded ? embedded.knex : openPostgres(url!, opts.poolMax ?? 10);
  if (opts.migrate !== false) {
    const migrator = embedded || timeout === 0 ? knex : openPostgres(opts.databaseUrl!, 1);
    try {
      await migrator.raw('CREATE EXTENSION IF NOT EXISTS postgis');
      await migrator.migrate.latest({ migrationSource });
    } finally {
      if (migrator !== knex) await migrator.destroy();
    }
  }
  const full = (await knex.raw('SELECT postgis_lib_version() AS v, postgis_full_version() AS f')).rows[0] as { v: string; f: string };
  const hot = url ? hotPool(url, HOT_POOL_MAX, 30_000) : null;
  const connection: Connection = { knex, hot };
  return {
    ...connection,
    engine,
    postgisVersion: full.v,
    hasMvt: /LIBPROTOBUF/.test(full.f),
    territoryCache: newTerritoryCache(),
    sessions: watchSessions(knex), // from now on: a logout may come before any session check
    spots: spotCoalescer(connection),
    close: async () => {
      await Promise.all([knex.destroy(), hot?.end()]);
    },
    ...(embedded ? { dumpDataDir: embedded.dump } : {}),
  };
}

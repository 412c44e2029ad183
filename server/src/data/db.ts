import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../../../db/migrations/index.js';

export type Engine = 'embedded' | 'postgres';

export interface Database {
  knex: Knex;
  engine: Engine;
  /** PostGIS version string, e.g. "3.6.2". */
  postgisVersion: string;
  /** Whether ST_AsMVT is available (PostGIS built with protobuf-c). */
  hasMvt: boolean;
  close(): Promise<void>;
  /** Embedded only: the whole data directory as a gzipped tarball (used to cache the test database). */
  dumpDataDir?: () => Promise<Blob>;
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** Pool size for a real PostgreSQL (default 10). */
  poolMax?: number;
  /** Embedded only: start from this data directory tarball (in memory). */
  loadDataDir?: Blob;
}

async function openEmbedded(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<{ knex: Knex; dump: () => Promise<Blob> }> {
  const [{ PGlite }, { postgis }, { default: ClientPgLite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-postgis'),
    import('knex-pglite'),
  ]);
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}), extensions: { postgis } });
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
    useNullAsDefault: true,
  } as Knex.Config);
  return { knex, dump: () => pglite.dumpDataDir('gzip') };
}

function openPostgres(url: string, poolMax: number): Knex {
  return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: poolMax } });
}

/** Opens the database (embedded PGlite when no URL is given), ensures PostGIS and runs the migrations. */
export async function openDatabase(opts: DbOptions): Promise<Database> {
  const engine: Engine = opts.databaseUrl ? 'postgres' : 'embedded';
  const embedded = opts.databaseUrl ? null : await openEmbedded(opts.dataDir, opts.loadDataDir);
  const knex = embedded ? embedded.knex : openPostgres(opts.databaseUrl!, opts.poolMax ?? 10);
  await knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
  await knex.migrate.latest({ migrationSource });
  const full = (await knex.raw('SELECT postgis_lib_version() AS v, postgis_full_version() AS f')).rows[0] as { v: string; f: string };
  return {
    knex,
    engine,
    postgisVersion: full.v,
    hasMvt: /LIBPROTOBUF/.test(full.f),
    close: () => knex.destroy(),
    ...(embedded ? { dumpDataDir: embedded.dump } : {}),
  };
}

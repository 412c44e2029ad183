import pg from 'pg';

/**
 * Where the benchmarks run. `GUP_BENCH_DATABASE_URL` names the demo bench database itself; with only `DATABASE_URL`,
 * the bench takes its server and credentials and uses its own databases (`gup_bench`, `gup_bench_500k`), so that it
 * never loads anything into the database the URL names (which may be the tests' or a real one).
 */
export function benchDatabaseUrls(env: NodeJS.ProcessEnv = process.env): { demo: string; synthetic: string } | null {
  const explicit = env.GUP_BENCH_DATABASE_URL?.trim();
  const base = explicit || env.DATABASE_URL?.trim();
  if (!base) return null;
  const demo = explicit ? base : withDatabase(base, 'gup_bench');
  return { demo, synthetic: withDatabase(demo, `${databaseName(demo)}_500k`) };
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** A URL safe to print (no password). */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Creates the URL's database when it does not exist (through the server's maintenance database). Returns whether it did. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Nom de base inattendu « ${name} »`);
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await admin.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await admin.end();
  }
}

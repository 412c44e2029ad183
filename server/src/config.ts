import os from 'node:os';
import path from 'node:path';

/** Server configuration, read once from the environment (no secrets in code). */
export interface ServerConfig {
  /** HTTP port (PORT, default 3000). */
  port: number;
  /** postgres://… URL of a real PostgreSQL/PostGIS; absent → embedded PGlite. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database (GUP_DATA_DIR, default ./data). */
  dataDir: string;
  /** Demo mode: import the shipped demo data on first start (default on for the embedded database). */
  demo: boolean;
  /** Secure cookies (behind HTTPS); GUP_SECURE_COOKIES=1. */
  secureCookies: boolean;
  /** Session lifetime in hours (GUP_SESSION_HOURS, default 12). */
  sessionHours: number;
  /** Folder holding the built client (served statically). */
  clientDist: string;
  /** Log level for pino (LOG_LEVEL, default info). */
  logLevel: string;
  /**
   * HTTP worker processes (GUP_WORKERS, server/src/cluster.ts): 1 by default, `auto` for one per CPU; always 1 on the
   * embedded database, which lives in a single process.
   */
  workers: number;
}

const repoRoot = path.resolve(import.meta.dirname, '../..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  const demoFlag = env.GUP_DEMO?.trim();
  return {
    port: Number(env.PORT ?? 3000),
    databaseUrl,
    dataDir: path.resolve(env.GUP_DATA_DIR ?? path.join(repoRoot, 'data')),
    demo: demoFlag === undefined || demoFlag === '' ? databaseUrl === undefined : demoFlag === '1' || demoFlag === 'true',
    secureCookies: env.GUP_SECURE_COOKIES === '1',
    sessionHours: Number(env.GUP_SESSION_HOURS ?? 12),
    clientDist: path.join(repoRoot, 'client', 'dist'),
    logLevel: env.LOG_LEVEL ?? 'info',
    workers: databaseUrl === undefined ? 1 : workersFrom(env.GUP_WORKERS),
  };
}

/**
 * GUP_WORKERS: a whole number from 1 to 64, `auto` for one per CPU, unset for 1. Anything else is a start-up error.
 * Not one per CPU by default: when PostgreSQL shares the machine, the workers take the cores it needs (measured on the
 * 2-core reference machine: lookup +5 %, report intake p99 72 → 115 ms; docs/decisions.md).
 */
function workersFrom(value: string | undefined): number {
  const v = value?.trim();
  if (!v) return 1;
  if (v === 'auto') return os.availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`GUP_WORKERS doit être un entier de 1 à 64 ou « auto » (reçu « ${v} »)`);
  return n;
}

export const paths = {
  repoRoot,
  demoGeodata: path.join(repoRoot, 'geodata'),
  /** Files made from the installed packages and the code (demo database snapshot, PostGIS bundle): re-made when missing. */
  cache: path.join(repoRoot, 'node_modules', '.cache', 'gup'),
};

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
  /**
   * The server's public base URL (GUP_PUBLIC_URL, default http://localhost:PORT), no trailing slash: the URLs it
   * publishes (Open311 discovery) and the origin whose pages may change state (server/src/http/origin.ts).
   */
  publicUrl: string;
  /**
   * Failed logins allowed per client address in 15 minutes, whatever the e-mails (GUP_LOGIN_MAX_PER_ADDRESS, default
   * 100); each e-mail has its own limit of 10 too.
   */
  loginMaxPerAddress: number;
  /**
   * Megabytes (millions of GeoJSON characters) of OGC API pages kept and computed ahead for clients paging through a collection (GUP_OGC_PAGE_CACHE_MB,
   * default 32; 0 turns it off): services/ogcapi.ts.
   */
  ogcPageCacheMb: number;
}

const repoRoot = path.resolve(import.meta.dirname, '../..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  const demoFlag = env.GUP_DEMO?.trim();
  const port = Number(env.PORT ?? 3000);
  return {
    port,
    databaseUrl,
    dataDir: path.resolve(env.GUP_DATA_DIR ?? path.join(repoRoot, 'data')),
    demo: demoFlag === undefined || demoFlag === '' ? databaseUrl === undefined : demoFlag === '1' || demoFlag === 'true',
    secureCookies: env.GUP_SECURE_COOKIES === '1',
    sessionHours: Number(env.GUP_SESSION_HOURS ?? 12),
    clientDist: path.join(repoRoot, 'client', 'dist'),
    logLevel: env.LOG_LEVEL ?? 'info',
    workers: databaseUrl === undefined ? 1 : workersFrom(env.GUP_WORKERS),
    publicUrl: publicUrlFrom(env.GUP_PUBLIC_URL, port),
    loginMaxPerAddress: wholeNumberFrom('GUP_LOGIN_MAX_PER_ADDRESS', env.GUP_LOGIN_MAX_PER_ADDRESS, 100),
    ogcPageCacheMb: env.GUP_OGC_PAGE_CACHE_MB?.trim() === '0' ? 0 : wholeNumberFrom('GUP_OGC_PAGE_CACHE_MB', env.GUP_OGC_PAGE_CACHE_MB, 32),
  };
}

/** GUP_PUBLIC_URL: an http(s) URL without query or fragment; unset → http://localhost:PORT. Anything else stops the start. */
function publicUrlFrom(value: string | undefined, port: number): string {
  const v = value?.trim();
  if (!v) return `http://localhost:${port}`;
  let url: URL | null = null;
  try { url = new URL(v); } catch { /* below */ }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new Error(`GUP_PUBLIC_URL doit être une URL http(s) sans paramètres, ex. https://gup.agglo.fr (reçu « ${v} »)`);
  }
  return url.href.replace(/\/+$/, '');
}

/** A whole number ≥ 1 from the environment, or the default when unset; anything else stops the start. */
function wholeNumberFrom(name: string, value: string | undefined, fallback: number): number {
  const v = value?.trim();
  if (!v) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} doit être un entier ≥ 1 (reçu « ${v} »)`);
  return n;
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
};

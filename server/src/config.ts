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
   * PostgreSQL only: statements of the app's connections are cancelled after this many ms (GUP_STATEMENT_TIMEOUT_MS,
   * default 10 000; 0 = none). Migrations and the import command run without it.
   */
  statementTimeoutMs: number;
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
  /** Single sign-on through OpenID Connect (ProConnect), or null when GUP_OIDC_ISSUER is not set (routes off). */
  oidc: OidcSettings | null;
}

/** OpenID Connect relying-party settings (GUP_OIDC_*). */
export interface OidcSettings {
  /** The provider's issuer URL (GUP_OIDC_ISSUER), e.g. https://auth.agentconnect.gouv.fr/api/v2 for ProConnect. */
  issuer: string;
  /** GUP_OIDC_CLIENT_ID, GUP_OIDC_CLIENT_SECRET (client_secret_basic). */
  clientId: string;
  clientSecret: string;
  /** The callback registered at the provider (GUP_OIDC_REDIRECT_URI, default GUP_PUBLIC_URL/api/auth/oidc/callback). */
  redirectUri: string;
  /** Where the provider sends the browser back after logout (GUP_OIDC_POST_LOGOUT_REDIRECT_URI, default GUP_PUBLIC_URL/). */
  postLogoutRedirectUri: string;
  /** Scopes asked (GUP_OIDC_SCOPES, default ProConnect's `openid email given_name usual_name siret`). */
  scopes: string;
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
    oidc: oidcFrom(env, publicUrlFrom(env.GUP_PUBLIC_URL, port)),
    statementTimeoutMs: statementTimeoutFrom(env.GUP_STATEMENT_TIMEOUT_MS),
    ogcPageCacheMb: env.GUP_OGC_PAGE_CACHE_MB?.trim() === '0' ? 0 : wholeNumberFrom('GUP_OGC_PAGE_CACHE_MB', env.GUP_OGC_PAGE_CACHE_MB, 32),
  };
}

/** GUP_OIDC_*: all of issuer, client id and secret, or none (single sign-on off); URLs must be http(s). */
function oidcFrom(env: NodeJS.ProcessEnv, publicUrl: string): OidcSettings | null {
  const issuer = env.GUP_OIDC_ISSUER?.trim();
  const clientId = env.GUP_OIDC_CLIENT_ID?.trim();
  const clientSecret = env.GUP_OIDC_CLIENT_SECRET?.trim();
  if (!issuer && !clientId && !clientSecret) return null;
  if (!issuer || !clientId || !clientSecret) {
    throw new Error('Connexion OpenID Connect : GUP_OIDC_ISSUER, GUP_OIDC_CLIENT_ID et GUP_OIDC_CLIENT_SECRET vont ensemble');
  }
  const url = (name: string, value: string) => {
    let u: URL | null = null;
    try { u = new URL(value); } catch { /* below */ }
    if (!u || !['http:', 'https:'].includes(u.protocol)) throw new Error(`${name} doit être une URL http(s) (reçu « ${value} »)`);
    return u.href;
  };
  return {
    issuer: url('GUP_OIDC_ISSUER', issuer),
    clientId,
    clientSecret,
    redirectUri: url('GUP_OIDC_REDIRECT_URI', env.GUP_OIDC_REDIRECT_URI?.trim() || `${publicUrl}/api/auth/oidc/callback`),
    postLogoutRedirectUri: url('GUP_OIDC_POST_LOGOUT_REDIRECT_URI', env.GUP_OIDC_POST_LOGOUT_REDIRECT_URI?.trim() || `${publicUrl}/`),
    scopes: env.GUP_OIDC_SCOPES?.trim() || 'openid email given_name usual_name siret',
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

function statementTimeoutFrom(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return 10_000;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`GUP_STATEMENT_TIMEOUT_MS: un nombre entier de millisecondes est attendu (0 = sans limite), reçu « ${v} »`);
  return n;
}

export const paths = {
  repoRoot,
  demoGeodata: path.join(repoRoot, 'geodata'),
  /** Files made from the installed packages and the code (demo database snapshot, PostGIS bundle): re-made when missing. */
  cache: path.join(repoRoot, 'node_modules', '.cache', 'gup'),
};

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
  };
}

export const paths = {
  repoRoot,
  demoGeodata: path.join(repoRoot, 'geodata'),
};

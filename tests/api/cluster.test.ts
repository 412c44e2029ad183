import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMain, type MainProcess } from '../../bench/lib/server.js';
import { loadConfig } from '../../server/src/config.js';
import { testContext } from '../support/context.js';
import { DEMO_PASSWORD } from '../support/http.js';

/**
 * The real entrypoint (server/src/main.ts) with GUP_WORKERS=2. On PostgreSQL it runs two HTTP workers on the shared
 * test database; the embedded database always runs one process. Every request here opens a new connection
 * (`connection: close`), which the primary hands to the workers in turn.
 */
const pg = process.env.DATABASE_URL?.trim() || null;

let server: MainProcess;
let dataDir: string | undefined;

const call = async (p: string, opts: { cookie?: string; body?: unknown } = {}) => {
  const headers: Record<string, string> = { connection: 'close' };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.baseUrl + p, { method: opts.body === undefined ? 'GET' : 'POST', headers, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, setCookie: res.headers.get('set-cookie') };
};

/** An admin's session on PostgreSQL (health names the worker to admins only); none on the empty embedded database. */
let admin: string | undefined;
/** Worker ids that answered `n` health checks. */
const workersSeen = async (n: number) => {
  const ids = new Set<unknown>();
  for (let i = 0; i < n; i++) ids.add((await call('/api/health', { cookie: admin })).body.worker);
  return ids;
};

beforeAll(async () => {
  if (pg) await testContext(); // the shared database, loaded with the demo data
  else dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-cluster-'));
  // on PostgreSQL the shared test database is the demo's: demo mode keeps its accounts (GUP_DEMO=0 disables them)
  server = await startMain(pg, await freePort(), { env: { GUP_WORKERS: '2', GUP_DEMO: pg ? '1' : '0', LOG_LEVEL: 'info', ...(dataDir ? { GUP_DATA_DIR: dataDir } : {}) }, readyTimeoutMs: 120_000 });
  if (pg) admin = (await call('/api/auth/login', { body: { email: 'admin@demo.gup', password: DEMO_PASSWORD } })).setCookie!.split(';')[0]!;
  // both workers listening (the first answers health before the second is up)
  for (let i = 0; pg && i < 50 && (await workersSeen(4)).size < 2; i++) await new Promise((r) => setTimeout(r, 200));
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('GUP_WORKERS', () => {
  it('when GUP_WORKERS is not a whole number from 1 to 64 or auto, then the server refuses to start with a clear message; unset means one process', () => {
    for (const bad of ['0', '-1', '2.5', 'many', '65']) {
      expect(() => loadConfig({ DATABASE_URL: 'postgres://x/y', GUP_WORKERS: bad }), bad).toThrow(/GUP_WORKERS doit être un entier de 1 à 64/);
    }
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y', GUP_WORKERS: '3' }).workers).toBe(3);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y', GUP_WORKERS: 'auto' }).workers).toBe(os.availableParallelism());
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).workers).toBe(1); // one process unless asked
    expect(loadConfig({ GUP_WORKERS: '3' }).workers).toBe(1); // embedded: one process
  });
});

describe(pg ? 'cluster mode on PostgreSQL (two workers)' : 'cluster mode asked on the embedded database', () => {
  if (!pg) {
    it('when the database is embedded, then GUP_WORKERS is ignored and a single process serves', async () => {
      expect(server.output()).toMatch(/GUP prêt : http:\/\/localhost:\d+"/); // not "(2 processus)"
      expect(server.output()).not.toMatch(/processus\)/);
      expect((await call('/api/health')).body).toEqual({ status: 'ok' });
    });
    return;
  }

  it('when new connections arrive, then both workers serve them', async () => {
    expect(await workersSeen(6)).toEqual(new Set([1, 2]));
  });

  it('when a user logs out through one worker, then the other worker refuses the session at once (its cache is emptied)', async () => {
    const login = await call('/api/auth/login', { body: { email: 'gup@demo.gup', password: DEMO_PASSWORD } });
    expect(login.status).toBe(200);
    const cookie = login.setCookie!.split(';')[0]!;
    // both workers have now checked (and cached) the session
    for (let i = 0; i < 4; i++) expect((await call('/api/auth/me', { cookie })).status).toBe(200);
    expect((await call('/api/auth/logout', { cookie, body: {} })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 100)); // an IPC message's way
    for (let i = 0; i < 4; i++) expect((await call('/api/auth/me', { cookie })).status, `request ${i}`).toBe(401);
  });

  it('when someone guesses passwords through both workers, then the limit is the server\'s, not each worker\'s', async () => {
    const email = `nobody-${Date.now()}@demo.gup`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await call('/api/auth/login', { body: { email, password: `guess-${i}` } })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import http, { type Server } from 'node:http';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { loadConfig, paths } from '../../server/src/config.js';
import { openDatabase, type Database } from '../../server/src/data/db.js';
import { loadDemoIfEmpty } from '../../server/src/demo.js';

export interface TestContext {
  db: Database;
  baseUrl: string;
  server: Server;
}

const CACHE_DIR = path.join(paths.repoRoot, 'tests', '.data');

/** Hash of everything that shapes the demo database: migrations, import code and data. */
function demoFingerprint(): string {
  const hash = crypto.createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (!entry.name.endsWith('.md')) hash.update(p).update(fs.readFileSync(p));
    }
  };
  for (const dir of ['db', 'geodata', 'server/src/demo.ts', 'server/src/domain', 'server/src/import', 'server/src/data/imports.ts', 'server/src/services/demo-activity.ts', 'server/src/data/demo-activity.ts']) {
    const p = path.join(paths.repoRoot, dir);
    if (fs.statSync(p).isDirectory()) walk(p);
    else hash.update(p).update(fs.readFileSync(p));
  }
  return hash.digest('hex').slice(0, 16);
}

/** A real PostgreSQL test database is wiped first; refuse any database whose name does not say it is for tests. */
async function openPostgresForTests(url: string): Promise<Database> {
  const name = new URL(url).pathname.slice(1);
  if (!/(test|ci)/i.test(name)) throw new Error(`Refusing to wipe database "${name}": tests need a database whose name contains "test" or "ci"`);
  const { default: knexFactory } = await import('knex');
  const admin = knexFactory({ client: 'pg', connection: url });
  await admin.raw('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await admin.destroy();
  const db = await openDatabase({ databaseUrl: url, poolMax: 20, statementTimeoutMs: loadConfig({}).statementTimeoutMs });
  await loadDemoIfEmpty(db);
  return db;
}

/** Embedded: a fresh in-memory PGlite per run, started from a cached tarball of the demo database. */
async function openEmbeddedForTests(): Promise<Database> {
  const cache = path.join(CACHE_DIR, `demo-${demoFingerprint()}.tar.gz`);
  if (fs.existsSync(cache)) {
    return openDatabase({ loadDataDir: new Blob([fs.readFileSync(cache)]) });
  }
  const db = await openDatabase({});
  await loadDemoIfEmpty(db);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  for (const old of fs.readdirSync(CACHE_DIR)) if (old.startsWith('demo-') && old.endsWith('.tar.gz')) fs.rmSync(path.join(CACHE_DIR, old), { force: true });
  const blob = await db.dumpDataDir!();
  const tmp = `${cache}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
  fs.renameSync(tmp, cache); // atomic: concurrent runs never read a half-written cache
  return db;
}

let shared: Promise<TestContext> | undefined;

/** The one database and HTTP server shared by every test file (loaded with the demo data once). */
export function testContext(): Promise<TestContext> {
  shared ??= (async () => {
    const url = process.env.DATABASE_URL?.trim();
    const db = url ? await openPostgresForTests(url) : await openEmbeddedForTests();
    const config = { ...loadConfig({}), databaseUrl: url, demo: true };
    const app = createApp({ db, config, log: pino({ level: 'silent' }) });
    const server = await new Promise<Server>((resolve) => {
      const s = http.createServer(app).listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    return { db, server, baseUrl: `http://127.0.0.1:${port}` };
  })();
  return shared;
}

import type { AddressInfo } from 'node:net';
import http, { type Server } from 'node:http';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase, type Database } from '../../server/src/data/db.js';
import { loadDemoIfEmpty } from '../../server/src/demo.js';
import { openDemoInMemory } from '../../server/src/demoSnapshot.js';
import { newAppSlots, type AppSlots } from '../../server/src/http/work-slots.js';

export interface TestContext {
  db: Database;
  baseUrl: string;
  server: Server;
  /** The app's bounds on costly work (documents, photos): a test holds them to see what a full server answers. */
  slots: AppSlots;
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

let shared: Promise<TestContext> | undefined;

/** The one database and HTTP server shared by every test file (loaded with the demo data once). */
export function testContext(): Promise<TestContext> {
  shared ??= (async () => {
    const url = process.env.DATABASE_URL?.trim();
    // embedded: a fresh in-memory PGlite per run, from the demo snapshot (built once per fingerprint, server/src/demoSnapshot.ts)
    const db = url ? await openPostgresForTests(url) : (await openDemoInMemory()).db;
    const config = { ...loadConfig({}), databaseUrl: url, demo: true };
    const slots = newAppSlots();
    const app = createApp({ db, config, log: pino({ level: 'silent' }), slots });
    const server = await new Promise<Server>((resolve) => {
      const s = http.createServer(app).listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    return { db, server, slots, baseUrl: `http://127.0.0.1:${port}` };
  })();
  return shared;
}

import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import type { Database } from '../../server/src/data/db.js';
import { DEMO_SNAPSHOT_INPUTS, demoSnapshotFile, demoStartingPoint, openDemoInMemory, openEmbeddedDemo } from '../../server/src/demoSnapshot.js';
import { DEMO_PASSWORD } from '../support/http.js';

// The embedded demo database of `npm start` (server/src/demoSnapshot.ts), on PGlite data folders of its own: the same
// on both test runs (embedded and PostgreSQL), the snapshot being an embedded thing.
let tmp: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-demo-snapshot-'));
  if (!fs.existsSync(demoSnapshotFile())) await (await openDemoInMemory()).db.close(); // npm install makes it; a test run may not have
}, 240_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Logs in through the real app on `db`; returns the HTTP status. */
async function loginStatus(db: Database, email: string): Promise<number> {
  const app = createApp({ db, config: { ...loadConfig({}), databaseUrl: undefined, demo: true }, log: pino({ level: 'silent' }) });
  const server = await new Promise<Server>((resolve) => { const s = http.createServer(app).listen(0, '127.0.0.1', () => resolve(s)); });
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    });
    return res.status;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const parcelCount = async (db: Database) => Number((await db.knex('parcels').count({ n: '*' }).first())!.n);

describe('demo database of npm start: from the prepared snapshot (server/src/demoSnapshot.ts)', () => {
  it('when the data folder is empty and the snapshot is current, then the app starts from it: demo data there, demo accounts log in', async () => {
    const dataDir = path.join(tmp, 'fresh');
    const { db, start } = await openEmbeddedDemo(dataDir);
    try {
      expect(start).toEqual({ from: 'snapshot', file: demoSnapshotFile() });
      expect(await parcelCount(db)).toBeGreaterThan(17_000);
      expect(await loginStatus(db, 'admin@demo.gup')).toBe(200);
      expect(await loginStatus(db, 'mairie.athis@demo.gup')).toBe(200);
      expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true); // a real data folder, kept for the next start
      expect(fs.readdirSync(dataDir)).not.toContain('.gup-restoring');
      await db.knex('users').where({ email: 'admin@demo.gup' }).update({ name: 'Témoin du redémarrage' });
    } finally {
      await db.close();
    }
  });

  it('when the data folder already holds a database, then it is opened as it is, never overwritten by the snapshot', async () => {
    const dataDir = path.join(tmp, 'fresh'); // the previous test's, with its change
    expect(demoStartingPoint(dataDir)).toEqual({ from: 'existing' });
    const { db, start } = await openEmbeddedDemo(dataDir);
    try {
      expect(start).toEqual({ from: 'existing' });
      expect((await db.knex('users').where({ email: 'admin@demo.gup' }).first('name')).name).toBe('Témoin du redémarrage');
    } finally {
      await db.close();
    }
  });

  it('when a copy of the snapshot was cut short, then the next start copies it again', async () => {
    const dataDir = path.join(tmp, 'cut-short');
    fs.mkdirSync(path.join(dataDir, 'base'), { recursive: true });
    for (const f of ['.gup-restoring', 'PG_VERSION', 'base/half-written']) fs.writeFileSync(path.join(dataDir, f), '17');
    expect(demoStartingPoint(dataDir)).toEqual({ from: 'snapshot', file: demoSnapshotFile() });
    const { db } = await openEmbeddedDemo(dataDir);
    try {
      expect(await parcelCount(db)).toBeGreaterThan(17_000);
      expect(fs.existsSync(path.join(dataDir, 'base', 'half-written'))).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('when an input of the demo database changes, then the snapshot is stale and an empty folder takes the slow path (migrate, then import)', () => {
    // a copy of the inputs in a temporary repository, then one migration changed
    const root = path.join(tmp, 'repo');
    for (const input of DEMO_SNAPSHOT_INPUTS) {
      const from = path.resolve(import.meta.dirname, '../..', input);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(root, input), { recursive: true });
    }
    const snapshots = path.join(tmp, 'snapshots');
    const current = demoSnapshotFile(snapshots, root);
    fs.mkdirSync(snapshots, { recursive: true });
    fs.copyFileSync(demoSnapshotFile(), current);
    expect(path.basename(current)).toBe(path.basename(demoSnapshotFile())); // same inputs, same fingerprint
    expect(demoStartingPoint(path.join(tmp, 'empty'), current)).toEqual({ from: 'snapshot', file: current });

    const migration = path.join(root, 'db', 'migrations', '001_init.ts');
    fs.appendFileSync(migration, '\n// changed\n');
    const stale = demoSnapshotFile(snapshots, root);
    expect(stale).not.toBe(current);
    expect(demoStartingPoint(path.join(tmp, 'empty'), stale)).toEqual({ from: 'empty' });
  });
});

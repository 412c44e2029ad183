import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { loadConfig, paths } from '../../server/src/config.js';
import { openDatabase, type Database } from '../../server/src/data/db.js';
import { applyDemoMode } from '../../server/src/demo.js';
import { territoryConfigSchema } from '../../server/src/domain/territory.js';
import { DEMO_PASSWORD } from '../support/http.js';

/**
 * Demo accounts outlive demo mode (issue 11 §2): the start-up function of server/src/main.ts, run twice on the same
 * data folder (an embedded database of its own, whatever engine the other tests use), first in demo mode, then with
 * GUP_DEMO=0 as a restart would.
 */
const demoUsers = territoryConfigSchema.parse(JSON.parse(fs.readFileSync(path.join(paths.demoGeodata, 'territoire.demo.json'), 'utf8'))).demoUsers;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-demo-mode-'));
const opened: { db: Database; server: Server }[] = [];

/** "Starts" the server on the data folder: opens the database, applies the demo mode as main.ts does, serves the app. */
async function start(demo: boolean, log: string[] = [], prepare?: (db: Database) => Promise<void>) {
  const db = await openDatabase({ dataDir });
  await prepare?.(db);
  await applyDemoMode(db, demo, (m) => log.push(m));
  const config = { ...loadConfig({ GUP_DEMO: demo ? '1' : '0', GUP_DATA_DIR: dataDir }) };
  const server = await new Promise<Server>((resolve) => { const s = http.createServer(createApp({ db, config, log: pino({ level: 'silent' }) })).listen(0, '127.0.0.1', () => resolve(s)); });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  opened.push({ db, server });
  const login = async (email: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
    return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0] };
  };
  const me = async (cookie: string | undefined) => (await fetch(`${base}/api/auth/me`, { headers: cookie ? { cookie } : {} })).status;
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
    opened.splice(opened.findIndex((o) => o.server === server), 1);
  };
  return { db, login, me, stop };
}

afterAll(async () => {
  for (const { db, server } of opened) { server.close(); await db.close(); }
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('demo accounts and demo mode', () => {
  it('when the server restarts on the same data with GUP_DEMO=0, then no demo account signs in, sessions included, and the log says so; demo mode again re-enables them', async () => {
    expect(demoUsers.length).toBe(7);
    // first start, demo mode, on data imported by hand (a territory, no user yet): the demo accounts are created
    const first = await start(true, [], async (db) => {
      await db.knex('territory').insert({ name: 'Territoire de test', kind: 'EPT', public_domain_owner: 'commune', config: JSON.stringify({}) });
    });
    const sessions: (string | undefined)[] = [];
    for (const u of demoUsers) {
      const res = await first.login(u.email);
      expect(res.status, u.email).toBe(200);
      sessions.push(res.cookie);
    }
    await first.stop();

    // restart on the same folder, outside demo mode
    const log: string[] = [];
    const second = await start(false, log);
    for (const u of demoUsers) expect((await second.login(u.email)).status, u.email).toBe(401);
    for (const cookie of sessions) expect(await second.me(cookie)).toBe(401);
    expect(log.join('\n')).toMatch(/Mode démonstration désactivé.*ne peuvent pas se connecter \(7 désactivé/);
    await second.stop();

    // and back in demo mode: the published accounts work again
    const third = await start(true);
    expect((await third.login('admin@demo.gup')).status).toBe(200);
    await third.stop();
  }, 240_000);
});

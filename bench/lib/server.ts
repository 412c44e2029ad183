import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import http, { type Server } from 'node:http';
import path from 'node:path';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/data/db.js';

export type ServerMode = 'child' | 'in-process';

export interface RunningServer {
  baseUrl: string;
  mode: ServerMode;
  /** Child mode: the server's process id. */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * Starts the real GUP app on 127.0.0.1 (random port) against `databaseUrl`: in a child process (the headline: the
 * load generator does not share the server's event loop) or in this process. Child only: `variant` runs one of the
 * diagnostic variants of bench/lib/variants.ts instead.
 */
export async function startServer(databaseUrl: string, mode: ServerMode, variant?: { name: string; fixedAnswer: unknown }): Promise<RunningServer> {
  if (mode === 'in-process') {
    const db = await openDatabase({ databaseUrl });
    const app = createApp({ db, config: { ...loadConfig({}), databaseUrl, demo: false }, log: pino({ level: 'silent' }) });
    const server = await new Promise<Server>((resolve) => {
      const s = http.createServer(app).listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      mode,
      stop: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await db.close();
      },
    };
  }
  const child = fork(path.join(import.meta.dirname, 'server-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env, GUP_BENCH_SERVER_DATABASE_URL: databaseUrl,
      ...(variant ? { GUP_BENCH_VARIANT: variant.name, GUP_BENCH_FIXED_ANSWER: JSON.stringify(variant.fixedAnswer) } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('le serveur de bench ne démarre pas (60 s)')), 60_000);
    child.once('message', (m: { port?: number }) => { clearTimeout(timer); if (m?.port) resolve(m.port); else reject(new Error(`message inattendu ${JSON.stringify(m)}`)); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`le serveur de bench s'est arrêté (code ${code})`)); });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    mode,
    ...(child.pid ? { pid: child.pid } : {}),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => { clearTimeout(timer); resolve(); });
        child.send('stop');
      }),
  };
}

/** Logs in through the API and returns the session cookie (`name=value`). */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`connexion de ${email} refusée : ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie) throw new Error('pas de cookie de session');
  return cookie;
}

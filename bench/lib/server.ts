import { fork, spawn, type ChildProcess } from 'node:child_process';
import http, { type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/data/db.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

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

/** A free local TCP port (asked from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface MainProcess {
  pid: number;
  baseUrl: string;
  /** Ends it gracefully (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL): no shutdown hook, no flush, connections cut. */
  kill(): Promise<void>;
  /** Last lines it wrote on stderr/stdout (warnings and errors: LOG_LEVEL=warn). */
  output(): string;
}

/**
 * `node --import tsx server/src/main.ts` (what `tsx server/src/main.ts` runs; its pid is the server's, the primary of
 * its workers on PostgreSQL) with PORT, DATABASE_URL (none: the embedded database), GUP_DEMO=1 and LOG_LEVEL=warn, and
 * no SMTP_URL (the outbox stays as written). Its own process group: stop() and kill() reach the workers too.
 * Resolves once /api/health answers 200. `command` runs something else instead (e.g. `npm start`), in `cwd`.
 */
export async function startMain(
  databaseUrl: string | null,
  port: number,
  opts: { readyTimeoutMs?: number; env?: Record<string, string>; nodeArgs?: string[]; cwd?: string; command?: string[]; pollMs?: number } = {},
): Promise<MainProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), GUP_DEMO: '1', LOG_LEVEL: 'warn', ...(opts.env ?? {}) };
  if (databaseUrl === null) delete env.DATABASE_URL; // the embedded database (GUP_DATA_DIR)
  else env.DATABASE_URL = databaseUrl;
  delete env.SMTP_URL;
  const [command, ...args] = opts.command ?? [process.execPath, ...(opts.nodeArgs ?? []), '--import', 'tsx', path.join('server', 'src', 'main.ts')];
  const child: ChildProcess = spawn(command!, args, {
    cwd: opts.cwd ?? repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, // its own process group
  });
  let out = '';
  const keep = (chunk: Buffer) => { out = (out + chunk.toString('utf8')).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => { gone = true; });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 300_000);
  for (;;) {
    if (gone) throw new Error(`le serveur s'est arrêté au démarrage :\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`le serveur n'a pas répondu à /api/health à temps :\n${out}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    await sleep(opts.pollMs ?? 200);
  }
  const signal = async (sig: NodeJS.Signals, waitMs: number) => {
    if (gone) return;
    try { process.kill(-child.pid!, sig); } catch { /* already gone */ }
    await Promise.race([exited, sleep(waitMs)]);
  };
  return {
    pid: child.pid!,
    baseUrl,
    stop: async () => {
      await signal('SIGTERM', 10_000);
      await signal('SIGKILL', 5_000);
    },
    kill: () => signal('SIGKILL', 5_000),
    output: () => out,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Pieces of the intake benchmark (bench/intake.ts): the real server started as `tsx server/src/main.ts` in a child
 * process (so it can be killed with SIGKILL), a keep-alive JSON POST client, and the closed-loop report load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const repoRoot = path.resolve(import.meta.dirname, '../..');

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
 * `node --import tsx server/src/main.ts` (what `tsx server/src/main.ts` runs, in a single process whose pid is the
 * server's) with PORT, DATABASE_URL, GUP_DEMO=1 and LOG_LEVEL=warn, and no SMTP_URL (the outbox stays as written).
 * Resolves once /api/health answers 200.
 */
export async function startMain(databaseUrl: string, port: number, opts: { readyTimeoutMs?: number; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<MainProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, GUP_DEMO: '1', LOG_LEVEL: 'warn', ...(opts.env ?? {}) };
  delete env.SMTP_URL;
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', path.join('server', 'src', 'main.ts')], {
    cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, // its own process group
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
    await sleep(200);
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

/** Logs in through the API and returns the session cookie (`name=value`). */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`connexion de ${email} refusée : ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie) throw new Error('pas de cookie de session');
  return cookie;
}

/** A keep-alive client POSTing JSON; resolves with the status and the body once fully read; rejects on network errors. */
export function jsonPoster(baseUrl: string, headers: Record<string, string>, maxSockets: number) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const post = (p: string, body: unknown, extra: Record<string, string> = {}): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const data = Buffer.from(JSON.stringify(body));
      const req = http.request({
        host: url.hostname, port: url.port, path: p, method: 'POST', agent,
        headers: { ...headers, ...extra, 'content-type': 'application/json', 'content-length': data.length },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error('timeout (30 s)')));
      req.on('error', reject);
      req.end(data);
    });
  return { post, close: () => agent.destroy() };
}

export interface IntakePoint { lon: number; lat: number }

export interface Acknowledged {
  key: string;
  id: number;
  status: 201 | 200;
  /** Network errors met (and retried with the same key) before the answer. */
  retries: number;
}

export interface LoadOutcome {
  /** Latencies (ms) of the 201s started inside the measured window. */
  latencies: number[];
  /** Requests started inside the window that did not end in 201 (HTTP error or network error, not retried). */
  errors: number;
  errorSamples: string[];
  windowS: number;
  /** Every key answered with an id (warm-up included): what must be in the database. */
  acknowledged: Acknowledged[];
  /** Keys given up without an answer (retry deadline passed). */
  unanswered: string[];
}

const CATEGORIES = ['depot_sauvage', 'bac_deborde', 'salissure', 'graffiti', 'eclairage_panne', 'mobilier_degrade', 'espace_vert', 'voirie_degradee'];
const isNetworkError = (err: unknown) => /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|other side closed|timeout/i.test(err instanceof Error ? `${err.message} ${(err as { code?: string }).code ?? ''}` : String(err));

/**
 * `concurrency` clients filing reports back to back (a random point and category each, a unique Idempotency-Key each)
 * through `post`, until `until()` says stop. Requests started after `windowStart()` are measured.
 * With `retryNetworkErrors`, a request cut by a network error is sent again with the same key until it gets an answer
 * (what a careful client does across a server crash), at most until `giveUpAt`.
 */
export async function reportLoad(opts: {
  poster: () => ReturnType<typeof jsonPoster>;
  concurrency: number;
  points: IntakePoint[];
  keyPrefix: string;
  windowStart: () => number;
  until: () => number;
  retryNetworkErrors?: boolean;
  giveUpAfterMs?: number;
}): Promise<LoadOutcome> {
  const latencies: number[] = [];
  const acknowledged: Acknowledged[] = [];
  const unanswered: string[] = [];
  const samples = new Set<string>();
  let errors = 0;
  let seq = 0;
  let lastEnd = 0;
  const worker = async (w: number) => {
    for (;;) {
      const start = performance.now();
      if (start >= opts.until()) return;
      const i = seq++;
      const p = opts.points[(i * 7919 + w) % opts.points.length]!;
      const key = `${opts.keyPrefix}-${i}`;
      const body = { category: CATEGORIES[i % CATEGORIES.length], description: `Signalement de charge n° ${i}`, lon: p.lon, lat: p.lat };
      const measured = start >= opts.windowStart();
      let retries = 0;
      for (;;) {
        try {
          const res = await opts.poster().post('/api/reports', body, { 'Idempotency-Key': key });
          if (res.status === 201 || res.status === 200) {
            acknowledged.push({ key, id: (JSON.parse(res.body) as { id: number }).id, status: res.status, retries });
            if (measured && res.status === 201 && retries === 0) latencies.push(performance.now() - start);
            else if (measured && retries === 0) { errors++; if (samples.size < 5) samples.add(`HTTP ${res.status} (rejeu)`); }
          } else if (measured) {
            errors++;
            if (samples.size < 5) samples.add(`HTTP ${res.status} ${res.body.slice(0, 160)}`);
          }
          break;
        } catch (err) {
          if (opts.retryNetworkErrors && isNetworkError(err) && performance.now() - start < (opts.giveUpAfterMs ?? 60_000)) {
            retries++;
            await sleep(25);
            continue;
          }
          if (opts.retryNetworkErrors) unanswered.push(key);
          if (measured) {
            errors++;
            if (samples.size < 5) samples.add(err instanceof Error ? err.message : String(err));
          }
          break;
        }
      }
      lastEnd = performance.now();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  return {
    latencies, errors, errorSamples: [...samples], acknowledged, unanswered,
    windowS: Number.isFinite(opts.windowStart()) ? Math.max(0, lastEnd - opts.windowStart()) / 1000 : 0,
  };
}

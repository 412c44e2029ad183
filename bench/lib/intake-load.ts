/**
 * Pieces of the intake benchmark (bench/intake.ts): a keep-alive JSON POST client and the closed-loop report load.
 * The real server (`tsx server/src/main.ts` in a child process) is started by startMain in ./server.ts.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { sleep } from './server.js';

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

import pg from 'pg';
import { httpClient, runSlice, summarise, type LoadResult, type SliceResult } from './load.js';
import type { BenchPoint } from './points.js';
import { login, startServer } from './server.js';
import { round, table } from './stats.js';
import { VARIANTS, type Variant } from './variants.js';

export interface VariantResult extends LoadResult {
  variant: Variant;
  description: string;
}

/**
 * Where the API's time goes: the same load (8 keep-alive clients, the bench points) against each variant of
 * bench/lib/variants.ts, each in its own child process, measured in interleaved rounds, with the CPU time per
 * request of the server, of PostgreSQL and of the load generator.
 */
export async function diagnose(
  url: string,
  credentials: { email: string; password: string },
  points: BenchPoint[],
  opts: { concurrency: number; warmupMs: number; durationMs: number; rounds: number; log: (m: string) => void },
): Promise<VariantResult[]> {
  const monitor = new pg.Client({ connectionString: url });
  await monitor.connect();
  const postgresPids = async () => (await monitor.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  )).rows.map((r: { pid: number }) => r.pid);
  const pathOf = (p: BenchPoint) => `/api/lookup?lon=${p.lon.toFixed(7)}&lat=${p.lat.toFixed(7)}`;
  try {
    // a session and a real answer (a point in a parcel) from the real app
    const real = await startServer(url, 'child');
    let cookie: string;
    let fixedAnswer: unknown;
    try {
      cookie = await login(real.baseUrl, credentials.email, credentials.password);
      const c = httpClient(real.baseUrl, { cookie }, 1);
      fixedAnswer = JSON.parse((await c.get(pathOf(points.find((p) => p.kind === 'parcel')!), true)).body);
      await c.close();
    } finally {
      await real.stop();
    }
    // every variant up at once, then measured in interleaved rounds: background load hits them alike
    const variants = Object.keys(VARIANTS) as Variant[];
    const servers = new Map<Variant, { stop(): Promise<void>; pid?: number; client: ReturnType<typeof httpClient> }>();
    const slices = new Map<Variant, SliceResult[]>(variants.map((v) => [v, []]));
    try {
      for (const variant of variants) {
        const server = await startServer(url, 'child', { name: variant, fixedAnswer });
        servers.set(variant, { stop: () => server.stop(), ...(server.pid ? { pid: server.pid } : {}), client: httpClient(server.baseUrl, { cookie, accept: 'application/json' }, opts.concurrency) });
      }
      const rounds = Math.max(1, opts.rounds);
      for (let round = 0; round < rounds; round++) {
        for (const variant of variants) {
          const { client, pid } = servers.get(variant)!;
          slices.get(variant)!.push(await runSlice({
            concurrency: opts.concurrency, warmupMs: round === 0 ? opts.warmupMs : Math.min(opts.warmupMs, 300), durationMs: opts.durationMs / rounds,
            cpu: { postgresPids, ...(pid ? { serverPid: pid } : {}) },
            task: async (i) => {
              const res = await client.get(pathOf(points[i % points.length]!));
              if (res.status !== 200) return `HTTP ${res.status}`;
            },
          }));
        }
      }
    } finally {
      for (const s of servers.values()) { await s.client.close(); await s.stop(); }
    }
    const results: VariantResult[] = variants.map((variant) => ({ variant, description: VARIANTS[variant], ...summarise(slices.get(variant)!) }));
    for (const r of results) {
      opts.log(`  ${r.variant.padEnd(34)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  serveur ${r.cpuMsPerRequest.server.toFixed(3)} ms CPU/req  postgres ${r.cpuMsPerRequest.postgres.toFixed(3)}  bench ${r.cpuMsPerRequest.bench.toFixed(3)}  erreurs ${r.errors}`);
    }
    return results;
  } finally {
    await monitor.end();
  }
}

export function diagnosisTable(results: VariantResult[]): string {
  const rows: (string | number)[][] = [['variant', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'PG CPU ms/req', 'client CPU ms/req', 'others busy', 'what it adds']];
  for (const r of results) {
    rows.push([r.variant, r.rps, round(r.p50, 2), round(r.p99, 2), round(r.cpuMsPerRequest.server, 3), round(r.cpuMsPerRequest.postgres, 3), round(r.cpuMsPerRequest.bench, 3), `${Math.round(r.othersBusy * 100)} %`, r.description]);
  }
  return table(rows);
}

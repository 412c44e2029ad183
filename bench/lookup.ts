/**
 * Lookup benchmark (issue 3): `GET /api/lookup` through the real app against a real PostgreSQL, side by side with the
 * raw SQL the lookup needs (the statement of `spotAt`, run directly on the database), on the demo data and on a
 * synthetic agglomeration of 500 000 parcels (bench/synthetic.ts).
 *
 * Targets: API ≥ 50 % of the raw throughput, API p99 < 20 ms (8 concurrent clients), no error; and the lookup cost
 * must not grow with the number of parcels (raw p50 on 500 000 parcels within 1.5× of the demo's).
 *
 * Scenarios, per dataset (the same 2 000 points, drawn once: 90 % inside random parcels, 10 % on the public domain):
 * - `raw 1 client`: one pg connection, back to back: the cost of one lookup alone;
 * - `raw`: 8 workers over a pg Pool of 8 running the statement one lookup needs (SPOT_AT, prepared, one point per
 *   query; the app sends it for a lone lookup, and SPOTS_AT for lookups arriving together): the baseline of the ratio;
 * - `raw via spotAt`: 8 workers calling the app's data layer, `spotAt`, on a database opened as the app does (its hot
 *   pool): concurrent lookups coalesced into SPOTS_AT statements, no HTTP (diagnostic: what the data layer does);
 * - `API`: 8 keep-alive HTTP clients (undici) against the real entrypoint, `server/src/main.ts`, in a child process
 *   with its default settings (one process) — the headline;
 * - `API 2 workers`: the same with GUP_WORKERS=2 (cluster mode, diagnostic);
 * - `API in-process`: the app in this process, sharing the load generator's event loop (diagnostic).
 * Each API server gets 5 s of unmeasured load first (--serverWarmup): the JIT's first seconds are not steady state.
 * The 8-client scenarios run in interleaved rounds (raw, …, API, raw, …, API…) so that other processes' load hits
 * them alike; each reports the CPU time per request of the load generator, the server (with its workers) and the
 * PostgreSQL backends (from /proc), and how busy the rest of the machine was. `--diagnose` adds the variants of
 * bench/lib/variants.ts.
 *
 * Standalone: `npx tsx bench/lookup.ts [--dataset=demo|500k|all] [--duration=10] [--warmup=2] [--concurrency=8]
 * [--rounds=3] [--quietWait=60] [--serverWarmup=5] [--quick] [--diagnose] [--json]`.
 * Needs DATABASE_URL or GUP_BENCH_DATABASE_URL (see bench/lib/db.ts); without, it says so and exits 0.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { hashPassword } from '../server/src/auth/passwords.js';
import { hotPool } from '../server/src/data/connection.js';
import { openDatabase } from '../server/src/data/db.js';
import { spotAt } from '../server/src/data/lookup.js';
import { upsertUser } from '../server/src/data/users.js';
import { loadDemoIfEmpty } from '../server/src/demo.js';
import { benchDatabaseUrls, ensureDatabase, redact } from './lib/db.js';
import { diagnose, diagnosisTable, type VariantResult } from './lib/diagnose.js';
import { planCost, type PlanCost } from './lib/explain.js';
import { httpClient, machineBusy, runSlice, summarise, waitForQuiet, type LoadResult, type SliceResult } from './lib/load.js';
import { samplePoints, type BenchPoint } from './lib/points.js';
import { freePort, login, startMain, startServer, type ServerMode } from './lib/server.js';
import { spotSql, type SpotSql } from './lib/spot-sql.js';
import { round, table } from './lib/stats.js';
import { ensureSynthetic, SYNTHETIC_TERRITORY_NAME, type SyntheticResult } from './synthetic.js';
import { argsOf } from './lib/args.js';

export type Dataset = 'demo' | '500k';

export interface LookupOptions {
  datasets?: Dataset[];
  /** Measured seconds per scenario (default 10). */
  durationS?: number;
  /** Warm-up seconds per scenario (default 2). */
  warmupS?: number;
  /** Concurrent clients (default 8). */
  concurrency?: number;
  /** Points drawn per dataset (default 2000, 10 % in the public domain). */
  points?: number;
  /** Also run the diagnostic scenarios (raw via spotAt, API 2 workers, API in-process); default true. */
  extras?: boolean;
  /** The 8-client scenarios are measured in this many interleaved rounds (default 3). */
  rounds?: number;
  /** Wait at most this long for the machine to be quiet before measuring a dataset (default 60 s; 0: don't wait). */
  quietWaitS?: number;
  /**
   * Load each freshly started API server this long before its measured rounds (default 5 s): V8 compiles the hot
   * path over the first seconds (measured: 2–3× the CPU per request in the first 3 s), in every worker; a server in
   * service has long been past that.
   */
  serverWarmupS?: number;
  /** Also measure the variants of the app (bench/lib/variants.ts) to see where the API's time goes, on the demo data; default false. */
  diagnose?: boolean;
  /** Databases to use (default: from the environment, see bench/lib/db.ts). */
  databaseUrls?: { demo: string; synthetic: string };
  log?: (message: string) => void;
}

export interface Scenario extends LoadResult {
  scenario: string;
  kind: 'api' | 'raw';
  concurrency: number;
  detail: string;
}

export interface Check {
  target: string;
  value: string;
  pass: boolean;
}

export interface DatasetResult {
  dataset: Dataset;
  database: string;
  parcels: number;
  points: { parcel: number; public: number };
  generation?: SyntheticResult;
  scenarios: Scenario[];
  /**
   * `ratio`: API req/s ÷ raw req/s (the target). `cpuRatio`: raw CPU per request ÷ API CPU per request (load
   * generator + server + PostgreSQL): the throughput ratio to expect where CPU is the only limit and nothing else runs.
   */
  headline: { api: Scenario; raw: Scenario; ratio: number; cpuRatio: number };
  /** Share of the machine's CPU busy (other processes) just before measuring. */
  machineBusyBefore: number | null;
  /** The lookup statement under EXPLAIN: pages touched, planning and execution time per lookup. */
  plan: PlanCost;
  checks: Check[];
  diagnosis?: VariantResult[];
}

export interface Result {
  bench: 'lookup';
  skipped?: string;
  startedAt: string;
  seconds: number;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; postgres?: string; postgis?: string };
  options: Required<Omit<LookupOptions, 'databaseUrls' | 'log'>>;
  datasets: DatasetResult[];
  growth?: {
    /** 8 clients (the raw scenario of each dataset). */
    demoRawP50: number; syntheticRawP50: number; ratio: number;
    /** 1 client, each dataset measured on its own (minutes apart). */
    demoSerialP50: number; syntheticSerialP50: number; serialRatio: number;
    /** 1 client, both datasets in alternating slices (same machine conditions). */
    interleavedSerial: { demoP50: number; syntheticP50: number; ratio: number; demoPgCpuMs: number; syntheticPgCpuMs: number; demo: LoadResult; synthetic: LoadResult };
    demoBuffers: number; syntheticBuffers: number; buffersRatio: number;
  };
  checks: Check[];
  pass: boolean;
}

const DEMO_LOGIN = { email: 'gup@demo.gup', password: 'demo-gup-2026' };
const SYNTHETIC_EMAIL = 'bench@synthetique.gup';
const API_RATIO_TARGET = 0.5;
const P99_TARGET_MS = 20;
const GROWTH_TARGET = 1.5;

/** One scenario, set up once and measured in several interleaved slices. */
interface Runner {
  scenario: string;
  kind: Scenario['kind'];
  concurrency: number;
  detail: string;
  task: (i: number) => Promise<string | void>;
  serverPid?: number;
  close(): Promise<void>;
}

/**
 * The raw statement with `workers` loops over a pg Pool of the same size, each query a single point: SPOT_AT as a
 * named prepared statement, with the session settings of the app's hot pool.
 */
async function rawRunner(scenario: string, url: string, sql: SpotSql, points: BenchPoint[], workers: number): Promise<Runner> {
  const pool = hotPool(url, workers, 0);
  await Promise.all(Array.from({ length: workers }, () => pool.query('SELECT 1')));
  return {
    scenario, kind: 'raw', concurrency: workers,
    detail: `${workers === 1 ? 'one pg connection' : `${workers} workers over a pg Pool of ${workers}`}, the lookup's statement (SPOT_AT, one point per query) as a named prepared statement (parsed and planned once per connection)`,
    task: async (i) => {
      const p = points[i % points.length]!;
      const { rows } = await pool.query({ name: 'gup_spot_at_bench', text: sql.text, values: sql.values(p.lon, p.lat) });
      if (!rows[0]?.commune) return `aucune commune en ${p.lon},${p.lat}`;
    },
    close: () => pool.end(),
  };
}

/** `spotAt` itself, the app's data layer, on a database opened as the app opens it (openDatabase: knex and the hot pool). */
async function spotAtRunner(url: string, points: BenchPoint[], workers: number): Promise<Runner> {
  const db = await openDatabase({ databaseUrl: url, poolMax: 2 });
  return {
    scenario: 'raw via spotAt', kind: 'raw', concurrency: workers,
    detail: `${workers} workers calling spotAt() (the app's data layer: the hot pool, concurrent lookups coalesced into one statement; no HTTP)`,
    task: async (i) => {
      const p = points[i % points.length]!;
      const spot = await spotAt(db, p.lon, p.lat);
      if (!spot.commune) return `aucune commune en ${p.lon},${p.lat}`;
    },
    close: () => db.close(),
  };
}

/** How the API scenarios run the app. */
type ApiMode = 'main' | 'main, 2 workers' | ServerMode;

const API_SCENARIOS: Record<ApiMode, { scenario: string; detail: (workers: number) => string }> = {
  main: { scenario: 'API', detail: (w) => `${w} keep-alive HTTP clients, GET /api/lookup, the real entrypoint (server/src/main.ts, default settings, LOG_LEVEL=warn) in a child process` },
  'main, 2 workers': { scenario: 'API 2 workers', detail: (w) => `${w} keep-alive HTTP clients, the real entrypoint with GUP_WORKERS=2 (cluster mode; diagnostic)` },
  child: { scenario: 'API createApp', detail: (w) => `${w} keep-alive HTTP clients, the app (createApp) in a child process (diagnostic)` },
  'in-process': { scenario: 'API in-process', detail: (w) => `${w} keep-alive HTTP clients, app in the load generator's process (diagnostic)` },
};

/** `GET /api/lookup` through the app (the real entrypoint, one child process, or in-process), `workers` keep-alive clients. */
async function apiRunner(url: string, mode: ApiMode, credentials: { email: string; password: string }, points: BenchPoint[], workers: number, warmupMs: number): Promise<Runner> {
  const server = mode === 'main' || mode === 'main, 2 workers'
    ? await startMain(url, await freePort(), { env: { GUP_DEMO: '1', ...(mode === 'main' ? {} : { GUP_WORKERS: '2' }) } })
    : await startServer(url, mode);
  try {
    const cookie = await login(server.baseUrl, credentials.email, credentials.password);
    const client = httpClient(server.baseUrl, { cookie, accept: 'application/json' }, workers);
    const pathOf = (p: BenchPoint) => `/api/lookup?lon=${p.lon.toFixed(7)}&lat=${p.lat.toFixed(7)}`;
    // one answer of each kind checked in full before the load
    for (const kind of ['parcel', 'public'] as const) {
      const p = points.find((x) => x.kind === kind);
      if (!p) continue;
      const res = await client.get(pathOf(p), true);
      const body = JSON.parse(res.body) as { parcel?: unknown; publicDomain?: boolean; services?: unknown[] };
      if (res.status !== 200 || !Array.isArray(body.services) || body.services.length === 0 || body.publicDomain !== (kind === 'public')) {
        throw new Error(`réponse inattendue pour un point ${kind} : ${res.status} ${res.body.slice(0, 300)}`);
      }
    }
    // past the JIT's first seconds, unmeasured
    const end = Date.now() + warmupMs;
    let i = 0;
    await Promise.all(Array.from({ length: workers }, async () => { while (Date.now() < end) await client.get(pathOf(points[i++ % points.length]!)); }));
    return {
      scenario: API_SCENARIOS[mode].scenario, kind: 'api', concurrency: workers, detail: API_SCENARIOS[mode].detail(workers),
      task: async (i) => {
        const res = await client.get(pathOf(points[i % points.length]!));
        if (res.status !== 200) return `HTTP ${res.status}`;
      },
      ...(server.pid ? { serverPid: server.pid } : {}),
      close: async () => { await client.close(); await server.stop(); },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

async function prepareDataset(dataset: Dataset, url: string, log: (m: string) => void): Promise<{ credentials: { email: string; password: string }; generation?: SyntheticResult }> {
  if (dataset === 'demo') {
    if (await ensureDatabase(url)) log(`Base ${redact(url)} créée.`);
    const db = await openDatabase({ databaseUrl: url, poolMax: 2 });
    try {
      if (await loadDemoIfEmpty(db, (m) => log(`  ${m}`))) log('Données de démonstration chargées.');
      const user = await db.knex('users').where({ email: DEMO_LOGIN.email }).first('id');
      if (!user) throw new Error(`${redact(url)} ne contient pas le compte ${DEMO_LOGIN.email} (base non vide mais sans la démo ?)`);
      return { credentials: DEMO_LOGIN };
    } finally {
      await db.close();
    }
  }
  const generation = await ensureSynthetic(url, (m) => log(m));
  const db = await openDatabase({ databaseUrl: url, poolMax: 2 });
  try {
    const t = (await db.knex('territory').first('name')) as { name: string } | undefined;
    if (t?.name !== SYNTHETIC_TERRITORY_NAME) throw new Error(`${redact(url)} ne contient pas le territoire synthétique`);
    // a bench account with a fresh random password on every run: no fixed credential anywhere
    const password = crypto.randomBytes(18).toString('base64url');
    await upsertUser(db.knex, { email: SYNTHETIC_EMAIL, name: 'Bench lookup', role: 'gup_officer', passwordHash: await hashPassword(password), organisationCode: 'agglo' });
    return { credentials: { email: SYNTHETIC_EMAIL, password }, generation };
  } finally {
    await db.close();
  }
}

async function benchDataset(dataset: Dataset, url: string, opts: Result['options'], sql: SpotSql, log: (m: string) => void): Promise<{ result: DatasetResult; points: BenchPoint[] }> {
  log(`\n== Lookup — ${dataset === 'demo' ? 'données de démonstration' : 'agglomération synthétique de 500 000 parcelles'} (${redact(url)})`);
  const { credentials, generation } = await prepareDataset(dataset, url, log);
  const db = await openDatabase({ databaseUrl: url, poolMax: 2 });
  let points: BenchPoint[];
  let parcels: number;
  try {
    parcels = Number(((await db.knex('parcels').count('* as n').first()) as { n: string }).n);
    points = await samplePoints(db.knex, opts.points);
  } finally {
    await db.close();
  }
  const nPublic = points.filter((p) => p.kind === 'public').length;
  log(`${parcels} parcelles ; ${points.length} points (${points.length - nPublic} dans une parcelle, ${nPublic} sur le domaine public)`);

  const warm = opts.warmupS * 1000;
  const dur = opts.durationS * 1000;
  const c = opts.concurrency;
  const monitor = new pg.Client({ connectionString: url });
  await monitor.connect();
  const postgresPids = async () => (await monitor.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  )).rows.map((r: { pid: number }) => r.pid);
  const scenarios: Scenario[] = [];
  const runners: Runner[] = [];
  let busyBefore: number | null = null;
  try {
    busyBefore = opts.quietWaitS > 0 ? await waitForQuiet(opts.quietWaitS * 1000, 0.25, log) : await machineBusy(1000);
    if (busyBefore !== null) log(`  CPU de la machine occupé avant les mesures : ${Math.round(busyBefore * 100)} %${busyBefore > 0.25 ? ' — ATTENTION : machine chargée par d\'autres processus, chiffres faussés' : ''}`);
    const record = (r: Runner, result: LoadResult) => {
      const s: Scenario = { scenario: r.scenario, kind: r.kind, concurrency: r.concurrency, detail: r.detail, ...result };
      scenarios.push(s);
      const cpu = s.cpuMsPerRequest;
      log(`  ${s.scenario.padEnd(16)} ${String(s.rps).padStart(8)} req/s  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  erreurs ${s.errors}` +
        `  CPU/req ${cpu.total.toFixed(2)} ms (bench ${cpu.bench.toFixed(2)}, serveur ${cpu.server.toFixed(2)}, postgres ${cpu.postgres.toFixed(2)})  autres ${Math.round(s.othersBusy * 100)} %` +
        `${s.errorSamples.length ? ` (${s.errorSamples.join(' ; ')})` : ''}`);
      return s;
    };

    // the cost of one lookup, alone
    const serial = await rawRunner('raw 1 client', url, sql, points, 1);
    runners.push(serial);
    record(serial, summarise([await runSlice({ concurrency: 1, warmupMs: Math.min(warm, 1000), durationMs: Math.min(dur, 3000), task: serial.task, cpu: { postgresPids } })]));

    // the 8-client scenarios, interleaved in rounds so that any background load hits them alike
    runners.push(await rawRunner('raw', url, sql, points, c));
    if (opts.extras) runners.push(await spotAtRunner(url, points, c));
    const serverWarm = opts.serverWarmupS * 1000;
    runners.push(await apiRunner(url, 'main', credentials, points, c, serverWarm));
    if (opts.extras) runners.push(await apiRunner(url, 'main, 2 workers', credentials, points, c, serverWarm));
    if (opts.extras) runners.push(await apiRunner(url, 'in-process', credentials, points, c, serverWarm));
    const eight = runners.slice(1);
    const slices = new Map<Runner, SliceResult[]>(eight.map((r) => [r, []]));
    const next = new Map<Runner, number>(eight.map((r) => [r, 0]));
    for (let round_ = 0; round_ < opts.rounds; round_++) {
      for (const r of eight) {
        const s = await runSlice({
          concurrency: r.concurrency, warmupMs: round_ === 0 ? warm : Math.min(warm, 500), durationMs: dur / opts.rounds, task: r.task,
          cpu: { postgresPids, ...(r.serverPid ? { serverPid: r.serverPid } : {}) }, startAt: next.get(r)!,
        });
        next.set(r, s.next);
        slices.get(r)!.push(s);
      }
    }
    for (const r of eight) record(r, summarise(slices.get(r)!));
  } finally {
    for (const r of runners) await r.close().catch(() => {});
    await monitor.end();
  }
  const raw = scenarios.find((s) => s.scenario === 'raw')!;
  const api = scenarios.find((s) => s.scenario === 'API')!;
  const plan = await planCost(url, sql, points);
  log(`  EXPLAIN : ${plan.buffersPerLookup} pages lues par lookup (${plan.readsPerLookup} hors cache), planification ${plan.planningMs} ms, exécution ${plan.executionMs} ms (moyennes sur ${plan.lookups} points)`);
  let diagnosis: VariantResult[] | undefined;
  if (opts.diagnose && (dataset === 'demo' || !opts.datasets.includes('demo'))) {
    log('  Diagnostic : variantes de l\'application (bench/lib/variants.ts)');
    diagnosis = await diagnose(url, credentials, points, { concurrency: c, warmupMs: Math.min(warm, 1000), durationMs: Math.min(dur, 6000), rounds: opts.rounds, log });
  }

  const ratio = round(api.rps / raw.rps, 3);
  const cpuRatio = round(raw.cpuMsPerRequest.total / api.cpuMsPerRequest.total, 3);
  log(`  API/raw : débit ${(ratio * 100).toFixed(1)} % ; d'après le CPU par requête (machine dédiée) ${(cpuRatio * 100).toFixed(1)} %`);
  const checks: Check[] = [
    { target: `${dataset}: API throughput ≥ ${API_RATIO_TARGET * 100} % of raw`, value: `${(ratio * 100).toFixed(1)} %`, pass: ratio >= API_RATIO_TARGET },
    { target: `${dataset}: API p99 < ${P99_TARGET_MS} ms`, value: `${api.p99.toFixed(2)} ms`, pass: api.p99 < P99_TARGET_MS },
    { target: `${dataset}: API errors = 0 (all 200)`, value: `${api.errors} / ${api.requests}`, pass: api.errors === 0 && api.requests > 0 },
  ];
  return {
    result: {
      dataset, database: redact(url), parcels, points: { parcel: points.length - nPublic, public: nPublic },
      ...(generation ? { generation } : {}), scenarios, headline: { api, raw, ratio, cpuRatio }, machineBusyBefore: busyBefore === null ? null : round(busyBefore, 3), plan, checks, ...(diagnosis ? { diagnosis } : {}),
    },
    points,
  };
}

/**
 * The cost of one lookup on both datasets, side by side: one client each, alternating short slices (demo, 500k,
 * demo, 500k…), so that both see the same machine. The cleanest answer to "does the cost grow with the parcels?".
 */
async function interleavedSerial(urls: Record<Dataset, string>, sql: SpotSql, points: Record<Dataset, BenchPoint[]>, rounds: number, sliceMs: number): Promise<Record<Dataset, LoadResult>> {
  const sets: Dataset[] = ['demo', '500k'];
  const runners = {} as Record<Dataset, Runner>;
  const monitors = {} as Record<Dataset, pg.Client>;
  const slices: Record<Dataset, SliceResult[]> = { demo: [], '500k': [] };
  try {
    for (const d of sets) {
      runners[d] = await rawRunner('raw 1 client', urls[d], sql, points[d], 1);
      monitors[d] = new pg.Client({ connectionString: urls[d] });
      await monitors[d].connect();
    }
    const next: Record<Dataset, number> = { demo: 0, '500k': 0 };
    for (let r = 0; r < rounds; r++) {
      for (const d of sets) {
        const monitor = monitors[d];
        const s = await runSlice({
          concurrency: 1, warmupMs: r === 0 ? 1000 : 200, durationMs: sliceMs, task: runners[d].task, startAt: next[d],
          cpu: { postgresPids: async () => (await monitor.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`)).rows.map((x: { pid: number }) => x.pid) },
        });
        next[d] = s.next;
        slices[d].push(s);
      }
    }
  } finally {
    for (const d of sets) {
      await runners[d]?.close().catch(() => {});
      await monitors[d]?.end().catch(() => {});
    }
  }
  return { demo: summarise(slices.demo), '500k': summarise(slices['500k']) };
}

/** Prints the results table and the checks. */
export function report(result: Result, log: (m: string) => void = console.log): void {
  if (result.skipped) { log(result.skipped); return; }
  const rows: (string | number)[][] = [['dataset', 'scenario', 'clients', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs raw', 'CPU ms/req', 'others busy']];
  for (const d of result.datasets) {
    for (const s of d.scenarios) {
      const ratio = s === d.headline.raw ? '(baseline)' : s.concurrency === d.headline.raw.concurrency ? `${(s.rps / d.headline.raw.rps * 100).toFixed(1)} %` : '';
      rows.push([`${d.dataset} (${d.parcels})`, s.scenario, s.concurrency, s.rps, round(s.p50, 2), round(s.p99, 2), s.errors, ratio,
        round(s.cpuMsPerRequest.total, 2), `${Math.round(s.othersBusy * 100)} %`]);
    }
  }
  log(`\nLookup — ${result.machine.cpus} CPU, Node ${result.machine.node}, ${result.machine.postgres ?? ''} / PostGIS ${result.machine.postgis ?? ''}`);
  log(table(rows));
  for (const d of result.datasets) {
    log(`${d.dataset} : API/raw ${(d.headline.ratio * 100).toFixed(1)} % du débit (${(d.headline.cpuRatio * 100).toFixed(1)} % d'après le CPU par requête)` +
      `${d.machineBusyBefore !== null ? ` ; machine occupée à ${Math.round(d.machineBusyBefore * 100)} % avant les mesures` : ''}` +
      ` ; EXPLAIN : ${d.plan.buffersPerLookup} pages/lookup, planification ${d.plan.planningMs} ms, exécution ${d.plan.executionMs} ms`);
  }
  if (result.growth) {
    const g = result.growth;
    log(`\nCoût en fonction du nombre de parcelles (démo → 500 000) : raw p50 8 clients ${g.demoRawP50} → ${g.syntheticRawP50} ms = ×${g.ratio} ; ` +
      `1 client en alternance ${g.interleavedSerial.demoP50} → ${g.interleavedSerial.syntheticP50} ms = ×${g.interleavedSerial.ratio} ` +
      `(CPU PostgreSQL ${g.interleavedSerial.demoPgCpuMs} → ${g.interleavedSerial.syntheticPgCpuMs} ms/lookup) ; pages lues par lookup ${g.demoBuffers} → ${g.syntheticBuffers} = ×${g.buffersRatio}`);
  }
  for (const d of result.datasets) if (d.diagnosis) log(`\nOù passe le temps de l'API (${d.dataset}, ${result.options.concurrency} clients, serveur dans un processus fils) :\n${diagnosisTable(d.diagnosis)}`);
  log('');
  for (const c of result.checks) log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target} : ${c.value}`);
}

export async function run(options: LookupOptions = {}): Promise<Result> {
  const started = Date.now();
  const log = options.log ?? ((m: string) => console.log(m));
  const opts: Result['options'] = {
    datasets: options.datasets ?? ['demo', '500k'],
    durationS: options.durationS ?? 10,
    warmupS: options.warmupS ?? 2,
    concurrency: options.concurrency ?? 8,
    points: options.points ?? 2000,
    extras: options.extras ?? true,
    rounds: options.rounds ?? 3,
    quietWaitS: options.quietWaitS ?? 60,
    serverWarmupS: options.serverWarmupS ?? 5,
    diagnose: options.diagnose ?? false,
  };
  const cpus = os.cpus();
  const machine: Result['machine'] = { cpus: cpus.length, cpuModel: cpus[0]?.model ?? '?', memoryGb: round(os.totalmem() / 2 ** 30, 1), node: process.versions.node };
  const base = { bench: 'lookup' as const, startedAt: new Date(started).toISOString(), machine, options: opts, datasets: [], checks: [], pass: true };
  const urls = options.databaseUrls ?? benchDatabaseUrls();
  if (!urls) {
    return {
      ...base, seconds: 0,
      skipped: 'Lookup bench ignoré : DATABASE_URL (ou GUP_BENCH_DATABASE_URL) vers un PostgreSQL + PostGIS réel est nécessaire ' +
        '(le PGlite intégré n\'a qu\'une connexion et n\'est pas ce que vise la cible). Ex. : DATABASE_URL=postgres://gup:gup@127.0.0.1:55432/gup_ci npm run bench ' +
        '(le bench prend le serveur et les identifiants de l\'URL et travaille dans ses propres bases gup_bench et gup_bench_500k).',
    };
  }
  const sql = await spotSql();
  const datasets: DatasetResult[] = [];
  const pointsOf = {} as Record<Dataset, BenchPoint[]>;
  for (const d of opts.datasets) {
    const { result, points } = await benchDataset(d, d === 'demo' ? urls.demo : urls.synthetic, opts, sql, log);
    datasets.push(result);
    pointsOf[d] = points;
  }

  const probe = new pg.Client({ connectionString: d0Url(opts, urls) });
  await probe.connect();
  const v = (await probe.query(`SELECT current_setting('server_version') AS pg, postgis_lib_version() AS postgis`)).rows[0] as { pg: string; postgis: string };
  await probe.end();
  machine.postgres = `PostgreSQL ${v.pg}`;
  machine.postgis = v.postgis;

  const checks = datasets.flatMap((d) => d.checks);
  const demo = datasets.find((d) => d.dataset === 'demo');
  const synth = datasets.find((d) => d.dataset === '500k');
  let growth: Result['growth'];
  if (demo && synth) {
    log('\n== Coût d\'un lookup, démo et 500 000 parcelles en alternance (1 client, 6 × 1,5 s chacun)');
    const side = await interleavedSerial({ demo: urls.demo, '500k': urls.synthetic }, sql, pointsOf, 6, 1500);
    log(`  démo : p50 ${side.demo.p50} ms, ${side.demo.rps} req/s, CPU PostgreSQL ${side.demo.cpuMsPerRequest.postgres} ms/lookup ; ` +
      `500k : p50 ${side['500k'].p50} ms, ${side['500k'].rps} req/s, CPU PostgreSQL ${side['500k'].cpuMsPerRequest.postgres} ms/lookup`);
    const serial = (d: DatasetResult) => d.scenarios.find((s) => s.scenario === 'raw 1 client')!.p50;
    growth = {
      interleavedSerial: {
        demoP50: side.demo.p50, syntheticP50: side['500k'].p50, ratio: round(side['500k'].p50 / side.demo.p50, 2),
        demoPgCpuMs: side.demo.cpuMsPerRequest.postgres, syntheticPgCpuMs: side['500k'].cpuMsPerRequest.postgres,
        demo: side.demo, synthetic: side['500k'],
      },
      demoRawP50: demo.headline.raw.p50, syntheticRawP50: synth.headline.raw.p50, ratio: round(synth.headline.raw.p50 / demo.headline.raw.p50, 2),
      demoSerialP50: serial(demo), syntheticSerialP50: serial(synth), serialRatio: round(serial(synth) / serial(demo), 2),
      demoBuffers: demo.plan.buffersPerLookup, syntheticBuffers: synth.plan.buffersPerLookup, buffersRatio: round(synth.plan.buffersPerLookup / demo.plan.buffersPerLookup, 2),
    };
    const g = growth;
    checks.push({
      target: `lookup cost does not grow with parcels: raw p50 (8 clients) ${synth.parcels} / ${demo.parcels} parcels ≤ ${GROWTH_TARGET}×`,
      value: `×${g.ratio} (${g.demoRawP50} → ${g.syntheticRawP50} ms; pages per lookup ${g.demoBuffers} → ${g.syntheticBuffers})`,
      pass: g.ratio <= GROWTH_TARGET,
    }, {
      target: `lookup cost does not grow with parcels: raw p50 (1 client, interleaved) ${synth.parcels} / ${demo.parcels} parcels ≤ ${GROWTH_TARGET}×`,
      value: `×${g.interleavedSerial.ratio} (${g.interleavedSerial.demoP50} → ${g.interleavedSerial.syntheticP50} ms; PostgreSQL CPU ${g.interleavedSerial.demoPgCpuMs} → ${g.interleavedSerial.syntheticPgCpuMs} ms/lookup)`,
      pass: g.interleavedSerial.ratio <= GROWTH_TARGET,
    });
  }
  return { ...base, seconds: round((Date.now() - started) / 1000, 1), datasets, ...(growth ? { growth } : {}), checks, pass: checks.every((c) => c.pass) };
}

const d0Url = (opts: Result['options'], urls: { demo: string; synthetic: string }) => (opts.datasets[0] === '500k' ? urls.synthetic : urls.demo);


if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const a = argsOf(process.argv.slice(2));
  const datasets: Dataset[] = a.dataset === 'demo' ? ['demo'] : a.dataset === '500k' ? ['500k'] : ['demo', '500k'];
  const result = await run({
    datasets,
    ...(a.duration ? { durationS: Number(a.duration) } : {}),
    ...(a.warmup ? { warmupS: Number(a.warmup) } : {}),
    ...(a.concurrency ? { concurrency: Number(a.concurrency) } : {}),
    ...(a.quick ? { extras: false } : {}),
    ...(a.rounds ? { rounds: Number(a.rounds) } : {}),
    ...(a.quietWait ? { quietWaitS: Number(a.quietWait) } : {}),
    ...(a.serverWarmup ? { serverWarmupS: Number(a.serverWarmup) } : {}),
    ...(a.diagnose ? { diagnose: true } : {}),
  });
  report(result);
  if (a.json) console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}

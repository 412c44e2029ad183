/**
 * Intake benchmark: `POST /api/reports` under load through the real server, against a real PostgreSQL.
 *
 * - `API`: the server runs as a child process (`tsx server/src/main.ts`, PORT, DATABASE_URL, GUP_DEMO=1,
 *   LOG_LEVEL=warn); it logs in as mairie.athis@demo.gup, then 16 keep-alive clients file reports back to back for
 *   20 s (a random point inside an Athis-Mons parcel, drawn beforehand in SQL, a category in turn, a unique
 *   Idempotency-Key each).
 * - `raw ceiling`: for the same duration, 16 pg connections write the same rows directly — report, its 'submitted'
 *   event, its follower and its outbox rows, atomically, with the very statement the app sends (`insertSubmission`),
 *   copied from reports the API made: what the database alone can take for the write.
 * - Zero lost: afterwards every id answered 201 is in the database with its event, follower and outbox rows, and no
 *   report exists twice (one row per key, no row without an answer).
 * - Crash safety: the same load on a fresh child, killed with SIGKILL at 8 s, restarted at once; clients whose request
 *   was cut retry with the same Idempotency-Key (what a careful client does); the load goes on a few seconds after the
 *   restart. Then every report that got an answer must be there, complete, once.
 *
 * Targets: API ≥ 300 reports/s, p99 < 100 ms, no error, nothing lost, nothing twice, crash scenario complete.
 * The bench database (`gup_bench_intake` on DATABASE_URL's server, created when missing) has its reports emptied at
 * the start of each run, so every run measures the same thing.
 *
 * Standalone: `DATABASE_URL=postgres://… npx tsx bench/intake.ts [--duration=20] [--concurrency=16] [--crashAt=8]
 * [--afterRestart=6] [--no-crash] [--no-raw] [--cpu-prof] [--json]`. Without DATABASE_URL it says so and exits 0.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { insertSubmission, REFERENCE_SLOT, type Submission } from '../server/src/data/reports.js';
import { databaseName, ensureDatabase, redact, withDatabase } from './lib/db.js';
import { jsonPoster, reportLoad, type Acknowledged, type IntakePoint, type LoadOutcome } from './lib/intake-load.js';
import { freePort, login, sleep, startMain } from './lib/server.js';
import { machineCpuMs, processCpuMs, processTreeCpuMs } from './lib/load.js';
import { latencyStats, round, table } from './lib/stats.js';
import { argsOf } from './lib/args.js';

export interface IntakeOptions {
  /** Measured seconds of the API and raw scenarios (default 20). */
  durationS?: number;
  /** Warm-up seconds before the API window (default 2). */
  warmupS?: number;
  /** Concurrent clients / connections (default 16). */
  concurrency?: number;
  /** Run the crash scenario (default true). */
  crash?: boolean;
  /** Seconds of load before the SIGKILL (default 8). */
  crashAtS?: number;
  /** Seconds of load after the restart (default 6). */
  afterRestartS?: number;
  /** Measure the raw insert ceiling (default true). */
  raw?: boolean;
  /** Write a V8 CPU profile of the server during the API scenario into this folder. */
  cpuProfileDir?: string;
  /** The bench database (default: `gup_bench_intake` on the server of GUP_BENCH_INTAKE_DATABASE_URL or DATABASE_URL). */
  databaseUrl?: string;
  log?: (message: string) => void;
}

export interface Throughput {
  scenario: string;
  clients: number;
  seconds: number;
  reports: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  errorSamples: string[];
  /** CPU ms per report: the server process and the PostgreSQL backends (null when not measured). */
  cpuMsPerReport?: { server: number; postgres: number; loadGenerator: number; machineBusy: number };
}

export interface Integrity {
  acknowledged: number;
  present: number;
  lost: number;
  /** Ids answered for two different keys. */
  sharedIds: number;
  /** Rows of this run's keys beyond the answered ones (a report stored without an answer, or twice). */
  extraRows: number;
  missingEvent: number;
  missingFollower: number;
  outboxMismatch: number;
}

export interface CrashResult {
  killedAtS: number;
  restartS: number;
  acknowledged: number;
  /** Requests cut by the kill (or refused while down) and retried with the same key. */
  retried: number;
  /** Of those, answered 200: committed before the kill, found again by the Idempotency-Key. */
  replayed: number;
  unanswered: number;
  integrity: Integrity;
  pass: boolean;
}

export interface Check { target: string; value: string; pass: boolean }

export interface Result {
  bench: 'intake';
  skipped?: string;
  startedAt: string;
  seconds: number;
  machine: { cpus: number; cpuModel: string; node: string; postgres?: string };
  database?: string;
  api?: Throughput;
  raw?: Throughput;
  integrity?: Integrity;
  crash?: CrashResult;
  checks: Check[];
  pass: boolean;
}

const LOGIN = { email: 'mairie.athis@demo.gup', password: 'demo-gup-2026' };
const ATHIS = '91027';
const TARGET_RPS = 300;
const TARGET_P99_MS = 100;

/** `gup_bench_intake` on the server of the given URL (never the database the URL itself names). */
export function intakeDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env.GUP_BENCH_INTAKE_DATABASE_URL?.trim();
  if (explicit) return explicit;
  const base = env.DATABASE_URL?.trim();
  return base ? withDatabase(base, 'gup_bench_intake') : null;
}

/** Points inside Athis-Mons parcels (one random point in each of 2000 parcels, seeded), within the commune. */
async function samplePoints(client: pg.Client): Promise<IntakePoint[]> {
  const { rows } = await client.query(
    `SELECT ST_X(pt) AS lon, ST_Y(pt) AS lat FROM (
       SELECT (ST_Dump(ST_GeneratePoints(p.geom, 1, 42))).geom AS pt
       FROM parcels p WHERE p.commune_insee = $1 AND ST_Area(p.geom::geography) > 30
       ORDER BY md5(p.idu) LIMIT 2500) s
     WHERE ST_Within(pt, (SELECT geom FROM communes WHERE insee = $1))
     LIMIT 2000`,
    [ATHIS],
  );
  if (rows.length < 500) throw new Error(`seulement ${rows.length} points tirés dans les parcelles d'Athis-Mons`);
  return rows.map((r: { lon: number; lat: number }) => ({ lon: Number(r.lon), lat: Number(r.lat) }));
}

/** Whether what the clients were told is what the database holds, for the keys of one run. */
async function checkIntegrity(client: pg.Client, acknowledged: Acknowledged[], keyPrefix: string): Promise<Integrity> {
  const ids = acknowledged.map((a) => a.id);
  const keys = acknowledged.map((a) => a.key);
  const { rows } = await client.query(
    `WITH acked AS (SELECT * FROM unnest($1::int[], $2::text[]) AS a(id, key))
     SELECT count(*)::int AS acknowledged,
            count(r.id) FILTER (WHERE r.idempotency_key = a.key)::int AS present,
            count(*) FILTER (WHERE r.id IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM report_events e WHERE e.report_id = a.id AND e.kind = 'transition' AND e.to_status = 'submitted'))::int AS "missingEvent",
            count(*) FILTER (WHERE r.id IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM report_followers f WHERE f.report_id = a.id AND f.user_id = r.created_by))::int AS "missingFollower",
            count(*) FILTER (WHERE r.id IS NOT NULL AND
              (SELECT count(*) FROM outbox o WHERE o.report_id = a.id) <>
              (SELECT count(*) FROM services s WHERE s.email IS NOT NULL AND (s.code = r.service_code OR s.code = ANY (r.also_notify))))::int AS "outboxMismatch"
     FROM acked a LEFT JOIN reports r ON r.id = a.id`,
    [ids, keys],
  );
  const rowsOfRun = Number((await client.query(`SELECT count(*)::int AS n FROM reports WHERE idempotency_key LIKE $1 || '-%'`, [keyPrefix])).rows[0].n);
  const r = rows[0] as Omit<Integrity, 'lost' | 'sharedIds' | 'extraRows'>;
  return {
    ...r,
    lost: r.acknowledged - r.present,
    sharedIds: ids.length - new Set(ids).size,
    extraRows: rowsOfRun - new Set(keys).size,
  };
}

const integrityOk = (i: Integrity) => i.lost === 0 && i.sharedIds === 0 && i.extraRows === 0 && i.missingEvent === 0 && i.missingFollower === 0 && i.outboxMismatch === 0;

function throughput(scenario: string, clients: number, load: { latencies: number[]; errors: number; errorSamples: string[]; windowS: number }): Throughput {
  const s = latencyStats(load.latencies);
  return {
    scenario, clients, seconds: round(load.windowS, 2), reports: load.latencies.length, perSecond: round(load.latencies.length / load.windowS, 1),
    p50: round(s.p50, 2), p90: round(s.p90, 2), p99: round(s.p99, 2), max: round(s.max, 2), errors: load.errors, errorSamples: load.errorSamples,
  };
}

/** PostgreSQL backends of the bench database (to account their CPU). */
async function backendPids(client: pg.Client): Promise<number[]> {
  const { rows } = await client.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`);
  return rows.map((r: { pid: number }) => r.pid);
}

/** The API scenario: warm-up, then the measured window, with the CPU of the server and of PostgreSQL. */
async function apiScenario(url: string, monitor: pg.Client, points: IntakePoint[], o: Required<Pick<IntakeOptions, 'durationS' | 'warmupS' | 'concurrency'>> & { cpuProfileDir?: string | undefined }, log: (m: string) => void) {
  const port = await freePort();
  const server = await startMain(url, port, o.cpuProfileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`] } : {});
  try {
    const cookie = await login(server.baseUrl, LOGIN.email, LOGIN.password);
    const client = jsonPoster(server.baseUrl, { cookie }, o.concurrency);
    const keyPrefix = `api-${Date.now()}`;
    const t0 = performance.now();
    const windowStart = t0 + o.warmupS * 1000;
    const end = windowStart + o.durationS * 1000;
    let cpu0: { server: number; pg: number[]; pids: number[]; machine: ReturnType<typeof machineCpuMs>; self: NodeJS.CpuUsage } | undefined;
    const sampler = (async () => {
      await sleep(o.warmupS * 1000);
      const pids = await backendPids(monitor);
      cpu0 = { server: processTreeCpuMs(server.pid), pids, pg: pids.map(processCpuMs), machine: machineCpuMs(), self: process.cpuUsage() };
    })();
    const load = await reportLoad({ poster: () => client, concurrency: o.concurrency, points, keyPrefix, windowStart: () => windowStart, until: () => end });
    await sampler;
    const machine = machineCpuMs();
    const self = cpu0 ? process.cpuUsage(cpu0.self) : null;
    const result = throughput('API: POST /api/reports (server child)', o.concurrency, load);
    if (cpu0) {
      const n = Math.max(1, result.reports);
      const pgMs = cpu0.pids.reduce((s, p, i) => { const now = processCpuMs(p); return s + (now > 0 ? now - cpu0!.pg[i]! : 0); }, 0);
      result.cpuMsPerReport = {
        server: round((processTreeCpuMs(server.pid) - cpu0.server) / n, 3),
        postgres: round(pgMs / n, 3),
        loadGenerator: round((self!.user + self!.system) / 1000 / n, 3),
        machineBusy: machine && cpu0.machine ? round((machine.busy - cpu0.machine.busy) / (machine.total - cpu0.machine.total), 3) : NaN,
      };
    }
    client.close();
    log(`  API : ${result.perSecond} signalements/s, p50 ${result.p50} ms, p99 ${result.p99} ms, erreurs ${result.errors}${result.errorSamples.length ? ` (${result.errorSamples.join(' ; ')})` : ''}` +
      (result.cpuMsPerReport ? `, CPU/signalement : serveur ${result.cpuMsPerReport.server} ms, PostgreSQL ${result.cpuMsPerReport.postgres} ms (${cpu0?.pids.length ?? 0} connexions), ` +
        `générateur de charge ${result.cpuMsPerReport.loadGenerator} ms ; machine occupée à ${Math.round(result.cpuMsPerReport.machineBusy * 100)} %` : ''));
    return { result, load, keyPrefix };
  } finally {
    await server.stop();
    const errors = server.output().trim();
    if (errors) log(`  (sortie du serveur : ${errors.slice(-1500)})`);
  }
}

/** Row templates for the raw ceiling: reports the API just made, with their first event and outbox rows. */
async function templates(client: pg.Client, keyPrefix: string): Promise<Submission[]> {
  const { rows } = await client.query(
    `SELECT r.category_code, r.description, r.urgent, r.urgency_criterion, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, r.commune_insee, r.parcel_idu,
            r.owners, r.qpv_code, r.subsector_id, r.service_code, r.routing, r.unresolved, r.also_notify, r.ack_due_at, r.resolve_due_at,
            r.delay_basis, r.created_by,
            r.reference, (SELECT json_agg(json_build_object('to', o.to_address, 'subject', o.subject, 'body', o.body) ORDER BY o.id) FROM outbox o WHERE o.report_id = r.id) AS mails,
            (SELECT e.details FROM report_events e WHERE e.report_id = r.id ORDER BY e.id LIMIT 1) AS details
     FROM reports r WHERE r.idempotency_key LIKE $1 || '-%' ORDER BY md5(r.reference) LIMIT 500`,
    [keyPrefix],
  );
  if (!rows.length) throw new Error('aucun signalement de l\'API à copier pour le plafond brut');
  return rows.map((r: any): Submission => ({
    report: {
      categoryCode: r.category_code, description: r.description, urgent: r.urgent, urgencyCriterion: r.urgency_criterion, status: 'submitted',
      lon: Number(r.lon), lat: Number(r.lat), communeInsee: r.commune_insee, parcelIdu: r.parcel_idu, owners: r.owners, qpvCode: r.qpv_code,
      subsectorId: r.subsector_id, serviceCode: r.service_code, routing: r.routing, unresolved: r.unresolved, alsoNotify: r.also_notify,
      ackDueAt: r.ack_due_at, resolveDueAt: r.resolve_due_at, delayBasis: r.delay_basis, createdBy: r.created_by, idempotencyKey: KEY_SLOT, source: 'web',
    },
    event: { kind: 'transition', fromStatus: null, toStatus: 'submitted', comment: null, details: r.details, userId: r.created_by },
    mails: ((r.mails ?? []) as Submission['mails']).map((m) => ({ to: m.to, subject: m.subject.split(r.reference).join(REFERENCE_SLOT), body: m.body.split(r.reference).join(REFERENCE_SLOT) })),
    photo: null,
    duplicates: { radiusM: 30, windowDays: 14, scope: { kind: 'commune', insee: r.commune_insee } }, // the demo territory's window, seen by the commune user who filed it
  }));
}

const KEY_SLOT = '<idempotency-key>';

/**
 * The statement the app sends to save a report (`insertSubmission` in server/src/data/reports.ts), captured through a
 * knex stand-in and compiled to the pg driver's `$n` form — so the raw ceiling runs the very write of the API,
 * whatever it becomes — with the place of the Idempotency-Key among its values.
 */
async function submissionStatement(s: Submission): Promise<{ text: string; values: unknown[]; keyAt: number }> {
  let captured: { sql: string; bindings: Knex.RawBinding[] } | undefined;
  const recorder = { raw: (sql: string, bindings: Knex.RawBinding[]) => { captured = { sql, bindings }; return Promise.resolve({ rows: [{ saved: null, duplicates: null }] }); } } as unknown as Knex;
  await insertSubmission(recorder, s);
  const compiler = knexFactory({ client: 'pg' });
  try {
    const native = compiler.raw(captured!.sql, captured!.bindings).toSQL().toNative();
    const values = native.bindings as unknown[];
    return { text: native.sql, values, keyAt: values.indexOf(KEY_SLOT) };
  } finally {
    await compiler.destroy();
  }
}

/** The raw ceiling: `concurrency` pg connections sending the app's save statement directly (one per report). */
async function rawScenario(url: string, tpl: Submission[], o: { durationS: number; concurrency: number }, log: (m: string) => void): Promise<Throughput> {
  const statements = await Promise.all(tpl.map(submissionStatement));
  const clients = await Promise.all(Array.from({ length: o.concurrency }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  const latencies: number[] = [];
  const samples = new Set<string>();
  let errors = 0;
  let seq = 0;
  const prefix = `raw-${Date.now()}`;
  const start = performance.now();
  const end = start + o.durationS * 1000;
  let lastEnd = start;
  const worker = async (c: pg.Client) => {
    while (performance.now() < end) {
      const t = performance.now();
      const i = seq++;
      const st = statements[i % statements.length]!;
      const values = st.values.slice();
      values[st.keyAt] = `${prefix}-${i}`;
      try {
        const { rows } = await c.query({ text: st.text, values });
        if (!rows[0]?.saved) throw new Error('rien d\'enregistré');
        latencies.push(performance.now() - t);
      } catch (err) {
        errors++;
        if (samples.size < 5) samples.add(err instanceof Error ? err.message : String(err));
      }
      lastEnd = performance.now();
    }
  };
  try {
    await Promise.all(clients.map(worker));
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  const result = throughput('raw ceiling: the app\'s save statement over pg', o.concurrency, { latencies, errors, errorSamples: [...samples], windowS: (lastEnd - start) / 1000 });
  log(`  plafond brut : ${result.perSecond} signalements/s, p50 ${result.p50} ms, p99 ${result.p99} ms, erreurs ${errors}`);
  return result;
}

/** Load, SIGKILL of the server in the middle, restart, more load; then everything answered must be there, once. */
async function crashScenario(url: string, monitor: pg.Client, points: IntakePoint[], o: { concurrency: number; crashAtS: number; afterRestartS: number }, log: (m: string) => void): Promise<CrashResult> {
  const port = await freePort();
  let server = await startMain(url, port);
  const cookie = await login(server.baseUrl, LOGIN.email, LOGIN.password);
  const client = jsonPoster(server.baseUrl, { cookie }, o.concurrency);
  const keyPrefix = `crash-${Date.now()}`;
  let stopAt = Infinity;
  const t0 = performance.now();
  let killedAtS = 0;
  let restartS = 0;
  const controller = (async () => {
    try {
      await sleep(o.crashAtS * 1000);
      await server.kill();
      killedAtS = (performance.now() - t0) / 1000;
      log(`  SIGKILL du serveur (pid ${server.pid}) à ${killedAtS.toFixed(1)} s ; redémarrage…`);
      const restarting = performance.now();
      server = await startMain(url, port);
      restartS = (performance.now() - restarting) / 1000;
      log(`  serveur relancé en ${restartS.toFixed(1)} s (pid ${server.pid}) ; charge encore ${o.afterRestartS} s`);
      await sleep(o.afterRestartS * 1000);
    } finally {
      stopAt = performance.now(); // the load stops even when the restart fails
    }
  })();
  let load: LoadOutcome;
  try {
    [load] = await Promise.all([
      reportLoad({ poster: () => client, concurrency: o.concurrency, points, keyPrefix, windowStart: () => Infinity, until: () => stopAt, retryNetworkErrors: true, giveUpAfterMs: 120_000 }),
      controller,
    ]);
  } finally {
    client.close();
    await server.stop();
  }
  const integrity = await checkIntegrity(monitor, load.acknowledged, keyPrefix);
  const retried = load.acknowledged.filter((a) => a.retries > 0);
  const result: CrashResult = {
    killedAtS: round(killedAtS, 1), restartS: round(restartS, 1), acknowledged: load.acknowledged.length, retried: retried.length,
    replayed: retried.filter((a) => a.status === 200).length, unanswered: load.unanswered.length, integrity,
    pass: integrityOk(integrity) && load.unanswered.length === 0 && load.acknowledged.length > 0,
  };
  log(`  crash : ${result.acknowledged} signalements acquittés, ${result.retried} rejoués après coupure (${result.replayed} déjà enregistrés avant le kill), ` +
    `perdus ${integrity.lost}, en double ${integrity.extraRows + integrity.sharedIds}, incomplets ${integrity.missingEvent + integrity.missingFollower + integrity.outboxMismatch}`);
  return result;
}

/**
 * Reports per second the machine would take if the scenario had it to itself: its cores divided by the CPU time one
 * report costs (server, PostgreSQL and load generator together). An estimate: it ignores contention and idle waits.
 */
export function capacityEstimate(api: Throughput, cpus: number): { cpuMs: number; perSecond: number } | null {
  const c = api.cpuMsPerReport;
  if (!c) return null;
  const cpuMs = c.server + c.postgres + c.loadGenerator;
  return cpuMs > 0 ? { cpuMs: round(cpuMs, 2), perSecond: Math.round((cpus * 1000) / cpuMs) } : null;
}

/** Prints the table and the checks. */
export function report(result: Result, log: (m: string) => void = console.log): void {
  if (result.skipped) { log(result.skipped); return; }
  const rows: (string | number)[][] = [['scenario', 'clients', 's', 'reports', 'reports/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'CPU ms/report (server / pg / load gen.)']];
  for (const t of [result.api, result.raw]) {
    if (!t) continue;
    rows.push([t.scenario, t.clients, t.seconds, t.reports, t.perSecond, t.p50, t.p99, t.max, t.errors,
      t.cpuMsPerReport ? `${t.cpuMsPerReport.server} / ${t.cpuMsPerReport.postgres} / ${t.cpuMsPerReport.loadGenerator} (machine ${Math.round(t.cpuMsPerReport.machineBusy * 100)} % busy)` : '']);
  }
  log(`\nIntake — ${result.machine.cpus} CPU, Node ${result.machine.node}, ${result.machine.postgres ?? ''}, ${result.database ?? ''}`);
  log(table(rows));
  if (result.api && result.raw) log(`API / plafond brut : ${(result.api.perSecond / result.raw.perSecond * 100).toFixed(1)} %`);
  const cap = result.api ? capacityEstimate(result.api, result.machine.cpus) : null;
  if (cap) {
    log(`Estimation si la machine était à nous seuls : ${result.machine.cpus} CPU / ${cap.cpuMs} ms CPU par signalement (serveur + PostgreSQL + générateur) ≈ ${cap.perSecond} signalements/s ` +
      `(machine occupée à ${Math.round(result.api!.cpuMsPerReport!.machineBusy * 100)} % pendant la mesure, dont une part par d'autres processus)`);
  }
  if (result.crash) {
    const c = result.crash;
    log(`Crash : SIGKILL à ${c.killedAtS} s, redémarrage ${c.restartS} s ; ${c.acknowledged} acquittés, ${c.retried} rejoués (${c.replayed} déjà enregistrés), ` +
      `sans réponse ${c.unanswered}, perdus ${c.integrity.lost}, en double ${c.integrity.extraRows + c.integrity.sharedIds}`);
  }
  log('');
  for (const c of result.checks) log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target} : ${c.value}`);
}

export async function run(options: IntakeOptions = {}): Promise<Result> {
  const started = Date.now();
  const log = options.log ?? ((m: string) => console.log(m));
  const o = {
    durationS: options.durationS ?? 20, warmupS: options.warmupS ?? 2, concurrency: options.concurrency ?? 16,
    crash: options.crash ?? true, crashAtS: options.crashAtS ?? 8, afterRestartS: options.afterRestartS ?? 6, raw: options.raw ?? true,
    cpuProfileDir: options.cpuProfileDir,
  };
  const cpus = os.cpus();
  const base: Result = { bench: 'intake', startedAt: new Date(started).toISOString(), seconds: 0, machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? '?', node: process.versions.node }, checks: [], pass: false };
  const url = options.databaseUrl ?? intakeDatabaseUrl();
  if (!url) {
    return { ...base, skipped: 'Bench intake ignoré : DATABASE_URL (ou GUP_BENCH_INTAKE_DATABASE_URL) vers un PostgreSQL + PostGIS réel est nécessaire. Ex. : DATABASE_URL=postgres://gup:gup@127.0.0.1:55432/gup_ci npx tsx bench/intake.ts' };
  }
  if (!/bench/i.test(databaseName(url))) throw new Error(`La base du bench doit être dédiée (nom contenant « bench ») : ${redact(url)}`);
  log(`\n== Intake (POST /api/reports) — ${redact(url)}`);
  if (await ensureDatabase(url)) log('Base créée ; le premier démarrage du serveur charge la démo.');

  // first start: migrations and demo data; then empty the reports so that every run starts alike
  const port = await freePort();
  const boot = await startMain(url, port);
  await boot.stop();
  const monitor = new pg.Client({ connectionString: url });
  await monitor.connect();
  try {
    await monitor.query('TRUNCATE reports, report_events, report_followers, report_photos, outbox RESTART IDENTITY CASCADE');
    await monitor.query('VACUUM ANALYZE reports');
    base.machine.postgres = `PostgreSQL ${(await monitor.query(`SELECT current_setting('server_version') AS v`)).rows[0].v}`;
    const points = await samplePoints(monitor);
    log(`${points.length} points dans des parcelles d'Athis-Mons ; ${o.concurrency} clients, ${o.durationS} s (+ ${o.warmupS} s de chauffe)`);

    const api = await apiScenario(url, monitor, points, o, log);
    const integrity = await checkIntegrity(monitor, api.load.acknowledged, api.keyPrefix);
    log(`  intégrité : ${integrity.acknowledged} acquittés, ${integrity.present} présents, perdus ${integrity.lost}, en double ${integrity.extraRows + integrity.sharedIds}`);
    const raw = o.raw ? await rawScenario(url, await templates(monitor, api.keyPrefix), o, log) : undefined;
    const crash = o.crash ? await crashScenario(url, monitor, points, o, log) : undefined;

    const checks: Check[] = [
      { target: `API throughput ≥ ${TARGET_RPS} reports/s (${o.concurrency} clients)`, value: `${api.result.perSecond}/s`, pass: api.result.perSecond >= TARGET_RPS },
      { target: `API p99 < ${TARGET_P99_MS} ms`, value: `${api.result.p99} ms`, pass: api.result.p99 < TARGET_P99_MS },
      { target: 'API errors = 0', value: `${api.result.errors} / ${api.result.reports + api.result.errors}`, pass: api.result.errors === 0 && api.result.reports > 0 },
      { target: 'lost = 0 (every 201 is in the database)', value: `${integrity.lost} / ${integrity.acknowledged}`, pass: integrity.lost === 0 && integrity.acknowledged > 0 },
      { target: 'none twice (one row per key, one key per id)', value: `${integrity.extraRows + integrity.sharedIds}`, pass: integrity.extraRows === 0 && integrity.sharedIds === 0 },
      { target: 'complete (submitted event, follower, outbox rows)', value: `${integrity.missingEvent + integrity.missingFollower + integrity.outboxMismatch} incomplete`, pass: integrityOk(integrity) },
    ];
    if (crash) {
      checks.push({
        target: `crash (SIGKILL at ${o.crashAtS} s): every answered report there, complete, once`,
        value: `${crash.acknowledged} answered, lost ${crash.integrity.lost}, twice ${crash.integrity.extraRows + crash.integrity.sharedIds}, incomplete ${crash.integrity.missingEvent + crash.integrity.missingFollower + crash.integrity.outboxMismatch}, unanswered ${crash.unanswered}`,
        pass: crash.pass,
      });
    }
    return {
      ...base, seconds: round((Date.now() - started) / 1000, 1), database: redact(url), api: api.result, ...(raw ? { raw } : {}), integrity,
      ...(crash ? { crash } : {}), checks, pass: checks.every((c) => c.pass),
    };
  } finally {
    await monitor.end();
  }
}


if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const a = argsOf(process.argv.slice(2));
  const result = await run({
    ...(a.duration ? { durationS: Number(a.duration) } : {}),
    ...(a.warmup ? { warmupS: Number(a.warmup) } : {}),
    ...(a.concurrency ? { concurrency: Number(a.concurrency) } : {}),
    ...(a.crashAt ? { crashAtS: Number(a.crashAt) } : {}),
    ...(a.afterRestart ? { afterRestartS: Number(a.afterRestart) } : {}),
    ...(a['no-crash'] ? { crash: false } : {}),
    ...(a['no-raw'] ? { raw: false } : {}),
    ...(a['cpu-prof'] ? { cpuProfileDir: path.resolve(a['cpu-prof'] === 'true' ? 'bench/results/prof' : a['cpu-prof']) } : {}),
  });
  report(result);
  if (a.json) console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}

/**
 * Statistics benchmark (issue 12): every dashboard query — `GET /api/stats` for each `groupBy` over the last twelve
 * months, and `GET /api/stats/hotspots` (90 days) — with 4 concurrent HTTP clients through the real server (a child
 * process), p95 against a target of 300 ms, beside the same SQL run raw (the statement the data layer sends, captured
 * from knex, on 4 pg connections), at 10 000, 100 000 and 1 000 000 reports.
 *
 * The reports are generated in SQL (`generate_series`) into their own database (`gup_bench_stats` on DATABASE_URL's
 * server, the demo territory loaded once), at the pace of a large agglomeration: 100 000 reports a year, the newest
 * now, so that 10 000 reports are five weeks of history, 100 000 one year and 1 000 000 ten years. A twelve-month
 * dashboard then reads ~10 000, ~100 000 and ~100 000 reports: what must not grow is the cost of a dashboard as the
 * history grows (FixMyStreet #1799). For transparency the bench also times, at the largest size, a three-year
 * dashboard (the longest period the API allows: ~300 000 reports).
 *
 * Standalone: `DATABASE_URL=postgres://… npx tsx bench/stats.ts [--duration=4] [--sizes=10000,100000,1000000] [--json]`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import pg from 'pg';
import { hotspots, statsBy } from '../server/src/data/stats.js';
import { openDatabase } from '../server/src/data/db.js';
import { loadDemoIfEmpty } from '../server/src/demo.js';
import { SCOPE_ALL } from '../server/src/domain/access.js';
import { STATS_DIMENSIONS } from '../server/src/domain/stats.js';
import { todayInParis } from '../server/src/services/stats.js';
import { argsOf } from './lib/args.js';
import { ensureDatabase, redact, withDatabase } from './lib/db.js';
import { login, startServer } from './lib/server.js';
import { round, table } from './lib/stats.js';

export interface StatsBenchOptions {
  durationS?: number;
  sizes?: number[];
  concurrency?: number;
  databaseUrl?: string;
  log?: (m: string) => void;
}

export interface QueryFigure {
  size: number;
  query: string;
  periodReports: number;
  httpP50: number;
  httpP95: number;
  rawP50: number;
  rawP95: number;
  ratio: number;
  requests: number;
}

export interface StatsBenchResult {
  database: string;
  concurrency: number;
  durationS: number;
  figures: QueryFigure[];
  longPeriod: QueryFigure | null;
  checks: { target: string; value: string; pass: boolean }[];
}

const PER_YEAR = 100_000;
const TARGET_MS = 300;

/** Adds reports numbered [from, to) (n-th newest: n × one year / PER_YEAR ago), spread over the demo territory. */
async function growTo(knex: Knex, from: number, to: number): Promise<void> {
  const step = 20_000;
  for (let a = from; a < to; a += step) {
    const b = Math.min(to, a + step);
    await knex.raw(
      `WITH cfg AS (
         SELECT (SELECT array_agg(code ORDER BY code) FROM categories) AS cats,
                (SELECT array_agg(code ORDER BY code) FROM services) AS svcs,
                (SELECT array_agg(insee ORDER BY insee) FROM communes WHERE in_territory) AS communes,
                (SELECT min(id) FROM users) AS author,
                (SELECT ST_Extent(geom) FROM communes WHERE in_territory) AS box),
       g AS (
         SELECT i, now() - make_interval(secs => i * (365.0 * 86400 / ${PER_YEAR})) AS created,
                (abs(hashint4(i)) % 1000) / 1000.0 AS u1, (abs(hashint4(i + 7919)) % 1000) / 1000.0 AS u2,
                (abs(hashint4(i + 104729)) % 1000) / 1000.0 AS u3
         FROM generate_series(?::int, ?::int - 1) i)
       INSERT INTO reports (reference, category_code, description, status, geom, commune_insee, qpv_code, service_code, routing, created_by,
         created_at, updated_at, ack_due_at, resolve_due_at, ack_at, resolved_at, finished_at, urgent, urgency_not_justified, transfer_count,
         reopened_count, satisfaction, source, synthetic)
       SELECT 'BENCH-' || i, cats[1 + i % array_length(cats, 1)], 'bench',
              CASE WHEN u1 < 0.03 THEN 'rejected' WHEN u1 < 0.07 THEN 'duplicate' WHEN created > now() - interval '3 days' THEN 'acknowledged' ELSE 'closed' END,
              ST_SetSRID(ST_MakePoint(ST_XMin(box) + u2 * (ST_XMax(box) - ST_XMin(box)), ST_YMin(box) + u3 * (ST_YMax(box) - ST_YMin(box))), 4326),
              communes[1 + i % array_length(communes, 1)], CASE WHEN u2 < 0.3 THEN 'QP091028' END, svcs[1 + (i / 7) % array_length(svcs, 1)],
              '{}'::jsonb, author, created, created, created + interval '24 hours', created + interval '72 hours',
              created + make_interval(hours => (u3 * 30)::int), CASE WHEN created > now() - interval '3 days' THEN NULL ELSE created + make_interval(hours => (u1 * 100)::int + 1) END,
              CASE WHEN created > now() - interval '3 days' THEN NULL ELSE created + make_interval(hours => (u1 * 100)::int + 1) END,
              u2 < 0.06, u2 < 0.015, CASE WHEN u3 < 0.07 THEN 1 ELSE 0 END, CASE WHEN u3 > 0.97 THEN 1 ELSE 0 END,
              CASE WHEN u1 > 0.5 THEN 1 + (i % 5) END, CASE WHEN u3 < 0.15 THEN 'open311' ELSE 'web' END, true
       FROM g, cfg`,
      [a, b],
    );
  }
  // the steady state autovacuum keeps: the roll-up's month rows are rewritten by every batch (dead versions), and a
  // measure taken while autovacuum catches up measures autovacuum
  await knex.raw('VACUUM (ANALYZE) reports, stats_rollup');
}

/** Runs `fn` from `concurrency` loops for `ms`, returning each call's milliseconds. */
async function load(concurrency: number, ms: number, fn: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
  }));
  return samples;
}

/**
 * The statement the data layer sends for one dashboard query (captured from knex's query event, the `WITH …` one: not
 * the transaction's `SET LOCAL statement_timeout` or `COMMIT`), in pg's $n form.
 */
async function capture(knex: Knex, run: () => Promise<unknown>): Promise<{ text: string; values: unknown[] }> {
  let last: { sql: string; bindings: unknown[] } | null = null;
  const listener = (q: { sql: string; bindings: unknown[] }) => { if (/^\s*WITH\b/i.test(q.sql)) last = q; };
  knex.on('query', listener);
  try { await run(); } finally { knex.off('query', listener); }
  const q = last as { sql: string; bindings: unknown[] } | null;
  if (!q) throw new Error('aucune requête capturée');
  const text = /\$\d/.test(q.sql) ? q.sql : (knex.client as unknown as { positionBindings(s: string): string }).positionBindings(q.sql);
  return { text, values: q.bindings };
}

export async function run(opts: StatsBenchOptions = {}): Promise<StatsBenchResult | null> {
  const log = opts.log ?? console.log;
  const base = opts.databaseUrl ?? process.env.DATABASE_URL?.trim();
  if (!base) { log('bench stats : DATABASE_URL absent, rien à mesurer'); return null; }
  const url = withDatabase(base, 'gup_bench_stats');
  const durationMs = (opts.durationS ?? 4) * 1000;
  const concurrency = opts.concurrency ?? 4;
  const sizes = opts.sizes ?? [10_000, 100_000, 1_000_000];
  await ensureDatabase(url);
  log(`bench stats : ${redact(url)}`);
  const db = await openDatabase({ databaseUrl: url });
  await loadDemoIfEmpty(db, (m) => log(`  ${m}`));
  const knex = db.knex;
  // every run measures the same reports: start empty (TRUNCATE: a DELETE would check reports.duplicate_of row by row)
  await knex.raw('TRUNCATE reports, report_events, report_followers, report_photos, action_items, diagnostic_observations, diagnostic_photos, outbox, stats_period_facts, stats_periods');
  const server = await startServer(url, 'child');
  const cookie = await login(server.baseUrl, 'gup@demo.gup', 'demo-gup-2026');
  // the server's connections run with JIT off (data/db.ts); the raw statements too, or the ratio compares LLVM compilation
  const rawPool = new pg.Pool({ connectionString: url, max: concurrency, options: '-c jit=off' });
  const figures: QueryFigure[] = [];
  let longPeriod: QueryFigure | null = null;
  const to = todayInParis();
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - 364 * 86_400_000).toISOString().slice(0, 10);

  const measure = async (size: number, name: string, path: string, sql: { text: string; values: unknown[] }, periodReports: number): Promise<QueryFigure> => {
    const get = async () => {
      const res = await fetch(`${server.baseUrl}${path}`, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`${path} → ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    await load(concurrency, 500, get); // warm-up: plans, caches
    const http = await load(concurrency, durationMs, get);
    const raw = await load(concurrency, durationMs, async () => { await rawPool.query(sql); });
    const figure = {
      size, query: name, periodReports, requests: http.length,
      httpP50: round(percentile(http, 0.5), 1), httpP95: round(percentile(http, 0.95), 1),
      rawP50: round(percentile(raw, 0.5), 1), rawP95: round(percentile(raw, 0.95), 1),
      ratio: round(percentile(http, 0.95) / percentile(raw, 0.95), 2),
    };
    log(`  ${size} · ${name} : HTTP p95 ${figure.httpP95} ms, SQL brut p95 ${figure.rawP95} ms (×${figure.ratio})`);
    return figure;
  };

  try {
    let have = 0;
    for (const size of sizes) {
      log(`  génération : ${have} → ${size} signalements…`);
      const t = performance.now();
      await growTo(knex, have, size);
      have = size;
      log(`  (${Math.round(performance.now() - t)} ms)`);
      const { rows } = await knex.raw(`SELECT count(*)::int AS n FROM reports WHERE created_at >= (?::date)::timestamp AT TIME ZONE 'Europe/Paris'`, [from]);
      const inPeriod = rows[0].n as number;
      for (const groupBy of STATS_DIMENSIONS) {
        const sql = await capture(knex, () => statsBy(knex, SCOPE_ALL, { from, to }, groupBy, {}, { kind: 'live' }));
        figures.push(await measure(size, `stats groupBy=${groupBy}`, `/api/stats?from=${from}&to=${to}&groupBy=${groupBy}`, sql, inPeriod));
      }
      const hotFrom = new Date(Date.parse(`${to}T00:00:00Z`) - 89 * 86_400_000).toISOString().slice(0, 10);
      const hotSql = await capture(knex, () => hotspots(knex, SCOPE_ALL, { from: hotFrom, to }, 5, {}));
      const inHot = (await knex.raw(`SELECT count(*)::int AS n FROM reports WHERE created_at >= (?::date)::timestamp AT TIME ZONE 'Europe/Paris'`, [hotFrom])).rows[0].n as number;
      figures.push(await measure(size, 'hotspots (90 j)', `/api/stats/hotspots?to=${to}&minReports=5`, hotSql, inHot));
    }
    // the longest period the API allows, at the largest size: a diagnostic, not a target
    const longFrom = new Date(Date.parse(`${to}T00:00:00Z`) - (3 * 365) * 86_400_000).toISOString().slice(0, 10);
    const longSql = await capture(knex, () => statsBy(knex, SCOPE_ALL, { from: longFrom, to }, 'month', {}, { kind: 'live' }));
    const inLong = (await knex.raw(`SELECT count(*)::int AS n FROM reports WHERE created_at >= (?::date)::timestamp AT TIME ZONE 'Europe/Paris'`, [longFrom])).rows[0].n as number;
    longPeriod = await measure(have, 'stats groupBy=month, 3 ans', `/api/stats?from=${longFrom}&to=${to}&groupBy=month`, longSql, inLong);
  } finally {
    await rawPool.end();
    await server.stop();
    await db.close();
  }

  const largest = Math.max(...sizes);
  const atLargest = figures.filter((f) => f.size === largest);
  const worst = atLargest.reduce((w, f) => (f.httpP95 > w.httpP95 ? f : w), atLargest[0]!);
  const bySize = (size: number) => figures.filter((f) => f.size === size).reduce((s, f) => s + f.httpP95, 0);
  const checks = [
    { target: `stats: every dashboard query p95 ≤ ${TARGET_MS} ms, ${concurrency} clients, ${largest} reports`, value: `worst ${worst.query} ${worst.httpP95} ms`, pass: atLargest.every((f) => f.httpP95 <= TARGET_MS) },
    ...(sizes.length > 1 ? [{
      target: `stats: cost from ${sizes.at(-2)} to ${largest} reports (sum of p95)`,
      value: `×${round(bySize(largest) / bySize(sizes.at(-2)!), 2)}`,
      pass: bySize(largest) / bySize(sizes.at(-2)!) < 1.5,
    }] : []),
  ];
  return { database: redact(url), concurrency, durationS: durationMs / 1000, figures, longPeriod, checks };
}

/** Nearest-rank percentile of latencies in milliseconds. */
function percentile(samples: number[], q: number): number {
  const sorted = Float64Array.from(samples).sort();
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : Number.NaN;
}

export function report(r: StatsBenchResult | null): void {
  if (!r) return;
  console.log(table([
    ['reports', 'query', 'reports in period', 'HTTP p50', 'HTTP p95', 'raw p50', 'raw p95', 'HTTP/raw p95'],
    ...[...r.figures, ...(r.longPeriod ? [r.longPeriod] : [])].map((f) => [f.size, f.query, f.periodReports, f.httpP50, f.httpP95, f.rawP50, f.rawP95, f.ratio]),
  ]));
  for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target} : ${c.value}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const a = argsOf(process.argv.slice(2));
  const result = await run({
    ...(a.duration ? { durationS: Number(a.duration) } : {}),
    ...(a.sizes ? { sizes: a.sizes.split(',').map(Number) } : {}),
  });
  if (a.json) console.log(JSON.stringify(result, null, 2));
  else report(result);
  process.exit(0);
}

/**
 * `npm run bench`: the benchmarks of issue 3, one after the other — the lookup (demo data and 500 000 synthetic
 * parcels, bench/lookup.ts), then the tiles when bench/tiles.ts is there, then the report intake (bench/intake.ts),
 * the live preview, and the statistics of issue 12 (bench/stats.ts: dashboards at 10 000 to 1 000 000 reports),
 * then the start-up on the embedded database (bench/start.ts, issue 11; alone: `npm run bench -- start`) —
 * with a summary of every target
 * (PASS/FAIL), written to bench/results/latest.json.
 *
 * Benchmarks are not tests: the exit code is 0 even when a target is missed (FAIL is printed), non-zero only when the
 * bench itself breaks. Needs DATABASE_URL (or GUP_BENCH_DATABASE_URL) to a real PostgreSQL + PostGIS.
 * Options are passed to the lookup bench: --duration=10 --warmup=2 --concurrency=8 --rounds=3 --quick --diagnose
 * --dataset=demo|500k|all --quietWait=60 --serverWarmup=5.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { report as reportIntake, run as runIntake, type Result as IntakeResult } from './intake.js';
import { report as reportOgc, run as runOgc, type OgcBenchResult } from './ogcapi.js';
import { benchDatabaseUrls } from './lib/db.js';
import { report as reportPreview, run as runPreview, type PreviewBenchResult } from './preview-browser.js';
import { report, run as runLookup, type Check, type Dataset, type LookupOptions, type Result as LookupResult } from './lookup.js';
import { report as reportStats, run as runStats, type StatsBenchResult } from './stats.js';
import { argsOf } from './lib/args.js';
import { report as reportStart, run as runStart, type Result as StartResult } from './start.js';

const here = import.meta.dirname;
const resultsFile = path.join(here, 'results', 'latest.json');


function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

interface TilesOutcome { ran: boolean; result?: unknown; error?: string; checks: Check[] }

/**
 * The tiles bench (bench/tiles.ts, another module), when it exists: its exported `run()`, on the same demo bench
 * database as the lookup (it reads DATABASE_URL, set for the call). Its targets (documented there: HTTP/raw ≤ 1.25×,
 * ETag hit < 2 ms) are summarised from its rows, unless it gives its own `checks`.
 */
async function runTiles(demoUrl: string | undefined): Promise<TilesOutcome> {
  if (!fs.existsSync(path.join(here, 'tiles.ts'))) {
    console.log('\n(bench/tiles.ts absent : pas de bench des tuiles)');
    return { ran: false, checks: [] };
  }
  console.log('\n== Tuiles (bench/tiles.ts)');
  const saved = process.env.DATABASE_URL;
  if (demoUrl) process.env.DATABASE_URL = demoUrl;
  try {
    const mod = (await import(pathToFileURL(path.join(here, 'tiles.ts')).href)) as { run?: () => Promise<unknown> };
    if (typeof mod.run !== 'function') throw new Error('bench/tiles.ts n\'exporte pas run()');
    const result = await mod.run();
    const own = (result as { checks?: unknown } | null)?.checks;
    let checks: Check[] = [];
    if (Array.isArray(own)) {
      checks = own.filter((c): c is Record<string, unknown> => !!c && typeof c === 'object' && 'pass' in c)
        .map((c) => ({ target: `tiles: ${String(c.target ?? '')}`, value: String(c.value ?? ''), pass: !!c.pass }));
    } else if (Array.isArray(result)) {
      console.table(result);
      for (const row of result as Record<string, unknown>[]) {
        const name = String(row.tile ?? '?');
        if (typeof row.ratio === 'number') checks.push({ target: `tiles: ${name} HTTP/raw ≤ 1.25×`, value: `×${row.ratio}`, pass: row.ratio <= 1.25 });
        if (typeof row.etagHitMedianMs === 'number') checks.push({ target: `tiles: ${name} ETag hit p50 < 2 ms`, value: `${row.etagHitMedianMs} ms`, pass: row.etagHitMedianMs < 2 });
      }
    }
    return { ran: result !== null && result !== undefined, result, checks };
  } catch (err) {
    const message = err instanceof Error ? err.stack ?? err.message : String(err);
    console.log(`Bench des tuiles en erreur : ${message}`);
    return { ran: true, error: message, checks: [{ target: 'tiles: bench ran', value: 'error', pass: false }] };
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

const a = argsOf(process.argv.slice(2));

// `npm run bench -- start`: the start-up bench alone (embedded database, no DATABASE_URL needed)
const startOptions = { ...(a.startRounds ? { rounds: Number(a.startRounds) } : {}), ...(a.restarts ? { restarts: Number(a.restarts) } : {}), ...(a['no-slow'] ? { slowPath: false } : {}) };
if (process.argv.slice(2).includes('start')) {
  const result = await runStart(startOptions);
  reportStart(result);
  for (const c of result.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target} : ${c.value}`);
  const file = path.join(here, 'results', 'start.json');
  fs.writeFileSync(file, `${JSON.stringify({ generatedAt: new Date().toISOString(), git: { commit: git('rev-parse', 'HEAD') }, command: 'npm run bench -- start', start: result }, null, 2)}\n`);
  console.log(`Résultats : ${path.relative(process.cwd(), file)}`);
  process.exit(0);
}
const datasets: Dataset[] | undefined = a.dataset === 'demo' ? ['demo'] : a.dataset === '500k' ? ['500k'] : undefined;
const options: LookupOptions = {
  ...(datasets ? { datasets } : {}),
  ...(a.duration ? { durationS: Number(a.duration) } : {}),
  ...(a.warmup ? { warmupS: Number(a.warmup) } : {}),
  ...(a.concurrency ? { concurrency: Number(a.concurrency) } : {}),
  ...(a.rounds ? { rounds: Number(a.rounds) } : {}),
  ...(a.quietWait ? { quietWaitS: Number(a.quietWait) } : {}),
  ...(a.serverWarmup ? { serverWarmupS: Number(a.serverWarmup) } : {}),
  ...(a.quick ? { extras: false } : {}),
  ...(a.diagnose ? { diagnose: true } : {}),
};

const started = Date.now();
let lookup: LookupResult;
try {
  lookup = await runLookup(options);
} catch (err) {
  console.error('Le bench lookup a échoué :', err);
  process.exit(1);
}
report(lookup);
const tiles = await runTiles(lookup.skipped ? undefined : benchDatabaseUrls()?.demo);

// report intake (bench/intake.ts): POST /api/reports under load, zero lost, SIGKILL crash scenario
let intake: IntakeResult | { error: string };
try {
  intake = await runIntake();
  reportIntake(intake);
} catch (err) {
  const message = err instanceof Error ? err.stack ?? err.message : String(err);
  console.log(`Bench intake en erreur : ${message}`);
  intake = { error: message };
}
const intakeChecks = 'error' in intake
  ? [{ target: 'intake: bench ran', value: 'error', pass: false }]
  : intake.checks.map((c) => ({ ...c, target: `intake: ${c.target}` }));

// live 60 % preview (bench/preview-browser.ts): previewDelegation in Chromium for ~300 parcels, vs naive Turf and PostGIS
let preview: PreviewBenchResult | { error: string };
try {
  preview = await runPreview();
  reportPreview(preview);
} catch (err) {
  preview = { error: err instanceof Error ? err.stack ?? err.message : String(err) };
  console.log(`Bench preview-browser en erreur : ${preview.error}`);
}
const previewChecks = 'error' in preview ? [{ target: 'preview: bench ran', value: 'error', pass: false }] : preview.checks;

// OGC API – Features (bench/ogcapi.ts, issue 15): ogr2ogr reading every parcel through /ogcapi vs straight from PostgreSQL
let ogc: OgcBenchResult | { error: string };
try {
  console.log('\n== OGC API – Features (bench/ogcapi.ts)');
  ogc = await runOgc();
  reportOgc(ogc);
} catch (err) {
  ogc = { error: err instanceof Error ? err.stack ?? err.message : String(err) };
  console.log(`Bench OGC API en erreur : ${ogc.error}`);
}
const ogcChecks = 'error' in ogc ? [{ target: 'ogcapi: bench ran', value: 'error', pass: false }] : ogc.checks;

// statistics (bench/stats.ts, issue 12): every dashboard query at 10 000, 100 000 and 1 000 000 reports, HTTP vs raw SQL
let stats: StatsBenchResult | null | { error: string };
try {
  console.log('\n== Statistiques (bench/stats.ts)');
  stats = await runStats();
  reportStats(stats);
} catch (err) {
  stats = { error: err instanceof Error ? err.stack ?? err.message : String(err) };
  console.log(`Bench stats en erreur : ${stats.error}`);
}
const statsChecks = stats === null ? [] : 'error' in stats ? [{ target: 'stats: bench ran', value: 'error', pass: false }] : stats.checks;

// start-up on the embedded database (bench/start.ts): first start on a fresh clone, restart
let start: StartResult | { error: string };
try {
  start = await runStart(startOptions);
  reportStart(start);
} catch (err) {
  start = { error: err instanceof Error ? err.stack ?? err.message : String(err) };
  console.log(`Bench start en erreur : ${start.error}`);
}
const startChecks = 'error' in start ? [{ target: 'start: bench ran', value: 'error', pass: false }] : start.checks;

const checks = [...lookup.checks, ...tiles.checks, ...intakeChecks, ...previewChecks, ...ogcChecks, ...statsChecks, ...startChecks];
console.log('\n==== Résumé des cibles (issue 3)');
if (lookup.skipped) console.log('lookup : ignoré (pas de base PostgreSQL, voir plus haut)');
for (const c of checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target} : ${c.value}`);
const failed = checks.filter((c) => !c.pass).length;
console.log(failed ? `\n${failed} cible(s) manquée(s) sur ${checks.length} — FAIL (code de sortie 0 : un bench n'est pas un test)` : checks.length ? `\nToutes les cibles atteintes (${checks.length}) — PASS` : '\nAucune mesure.');

if (!lookup.skipped || (tiles.ran && !tiles.error)) {
  const out = {
    generatedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    git: { commit: git('rev-parse', 'HEAD'), dirty: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '' },
    command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    pass: failed === 0 && checks.length > 0,
    checks,
    lookup,
    tiles: tiles.error ? { error: tiles.error } : tiles.ran ? tiles.result : { skipped: fs.existsSync(path.join(here, 'tiles.ts')) ? 'no database' : 'bench/tiles.ts absent' },
    intake,
    preview,
    ogc,
    stats,
    start,
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`Résultats : ${path.relative(process.cwd(), resultsFile)}`);
}
process.exit(0);

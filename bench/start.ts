/**
 * Start-up bench (issue 11 §4): how long a newcomer waits for `/api/health` on the embedded database.
 *
 * A fresh clone is simulated by a temporary copy of the working tree (the files git tracks or would track: no data/,
 * no client/dist) whose node_modules links every installed package of this checkout but has its own
 * node_modules/.cache (so the install step really builds the demo snapshot there). Then, timed:
 *   1. the install step: `npm run postinstall` (scripts/prepare.ts: client build, demo database snapshot);
 *   2. first start: `npm start` until GET /api/health answers 200 (data/ empty → copied from the snapshot);
 *   3. restart: `npm start` again on the same data/ (client unchanged, database there), `restarts` times;
 * rounds 2… remove data/, client/dist and server/dist and run the install step again (the snapshot is then current: client only).
 * Once, for reference, the slow path: a first start without the snapshot (created, migrated, imported at start).
 * Targets: first start < 15 s, restart < 5 s (medians; every measure is printed).
 *
 * No database server needed: `npm run bench -- start` runs this scenario alone (results in bench/results/start.json);
 * `npm run bench` runs it after the others. Options: --startRounds=3 --restarts=2 --no-slow.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Check } from './lookup.js';
import { freePort, startMain } from './lib/server.js';

const repoRoot = path.resolve(import.meta.dirname, '..');

export interface StartOptions {
  rounds?: number;
  restarts?: number;
  /** Also time a first start without the snapshot (the slow path, ~20–40 s). */
  slowPath?: boolean;
}

export interface Result {
  /** Seconds of the install step, per round (round 1 builds the snapshot, the next ones find it current). */
  installS: number[];
  firstStartS: number[];
  restartS: number[];
  /** First start without the snapshot (migrations + import at start), when measured. */
  slowFirstStartS: number | null;
  slowFirstStartCpuS: number | null;
  snapshotMB: number;
  cores: number;
  /** CPU seconds the start's processes used until /api/health answered (first starts, then restarts). */
  firstStartCpuS: number[];
  restartCpuS: number[];
  /** 1-minute load average before each round: the machine is shared. */
  loadBefore: number[];
  checks: Check[];
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) * 100) / 100;
};

/** A copy of the working tree as a fresh clone has it, with this checkout's installed packages linked in. */
function freshCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-bench-start-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0').filter((f) => f && fs.existsSync(path.join(repoRoot, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(dir, f));
  }
  for (const workspace of ['', 'server', 'client']) {
    const from = path.join(repoRoot, workspace, 'node_modules');
    if (!fs.existsSync(from)) continue;
    const to = path.join(dir, workspace, 'node_modules');
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from)) {
      if (entry === '.cache' || entry === '@gup') continue; // its own cache; its own workspace links
      fs.symlinkSync(path.join(from, entry), path.join(to, entry));
    }
  }
  fs.mkdirSync(path.join(dir, 'node_modules', '@gup'));
  for (const w of ['server', 'client']) fs.symlinkSync(path.join('..', '..', w), path.join(dir, 'node_modules', '@gup', w));
  return dir;
}

/** Runs `npm run <script>` in `cwd`; resolves with its duration in ms, rejects with its output when it fails. */
function npmRun(cwd: string, script: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn('npm', ['run', '--silent', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`npm run ${script} : code ${code}\n${out}`))));
  });
}

/** CPU seconds used so far by the processes of a process group (npm, its shell, the server, esbuild), from /proc. */
function groupCpuS(pgid: number): number {
  const pids = execFileSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter(Boolean);
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' '); // after "pid (name) "
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]); // utime stime cutime cstime
    } catch { /* gone meanwhile */ }
  }
  return Math.round(ticks / 10) / 10; // USER_HZ = 100 on Linux
}

/**
 * `npm start` in `cwd` (embedded database in its data/) until /api/health answers; the wall time it took and the CPU
 * time its processes used by then (what does not depend on the machine's other tenants); the server is stopped.
 */
async function timedStart(cwd: string): Promise<{ s: number; cpuS: number }> {
  const port = await freePort();
  const started = performance.now();
  const env = { GUP_DEMO: '', GUP_DATA_DIR: path.join(cwd, 'data') }; // the defaults a newcomer has
  const server = await startMain(null, port, { cwd, command: ['npm', 'start', '--silent'], pollMs: 50, env });
  const s = seconds(performance.now() - started);
  const cpuS = groupCpuS(server.pid);
  await server.stop();
  return { s, cpuS };
}

export async function run(opts: StartOptions = {}): Promise<Result> {
  const rounds = opts.rounds ?? 3;
  const restarts = opts.restarts ?? 2;
  const copy = freshCopy();
  console.log(`Copie de travail fraîche : ${copy}`);
  const result: Result = { installS: [], firstStartS: [], restartS: [], firstStartCpuS: [], restartCpuS: [], slowFirstStartS: null, slowFirstStartCpuS: null, snapshotMB: 0, cores: os.availableParallelism(), loadBefore: [], checks: [] };
  try {
    for (let r = 1; r <= rounds; r++) {
      result.loadBefore.push(Math.round(os.loadavg()[0]! * 10) / 10);
      if (r > 1) for (const d of ['data', 'client/dist', 'server/dist']) fs.rmSync(path.join(copy, d), { recursive: true, force: true });
      const install = seconds(await npmRun(copy, 'postinstall'));
      result.installS.push(install);
      const first = await timedStart(copy);
      result.firstStartS.push(first.s);
      result.firstStartCpuS.push(first.cpuS);
      const again: string[] = [];
      for (let i = 0; i < restarts; i++) {
        const { s, cpuS } = await timedStart(copy);
        result.restartS.push(s);
        result.restartCpuS.push(cpuS);
        again.push(`${s} s (CPU ${cpuS} s)`);
      }
      console.log(`manche ${r} (charge ${result.loadBefore.at(-1)}) : installation ${install} s, premier démarrage ${first.s} s (CPU ${first.cpuS} s), redémarrages ${again.join(' / ')}`);
    }
    const cache = path.join(copy, 'node_modules', '.cache', 'gup');
    const snapshot = fs.readdirSync(cache).find((f) => f.endsWith('.tar.gz'));
    result.snapshotMB = snapshot ? Math.round(fs.statSync(path.join(cache, snapshot)).size / 1e5) / 10 : 0;
    if (opts.slowPath !== false && snapshot) {
      // the fallback: no snapshot (install step skipped or failed) → created, migrated and imported at start
      fs.renameSync(path.join(cache, snapshot), path.join(cache, `${snapshot}.aside`));
      fs.rmSync(path.join(copy, 'data'), { recursive: true, force: true });
      const slow = await timedStart(copy);
      result.slowFirstStartS = slow.s;
      result.slowFirstStartCpuS = slow.cpuS;
      console.log(`premier démarrage sans instantané (chemin lent) : ${slow.s} s (CPU ${slow.cpuS} s)`);
    }
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
  const firstMedian = median(result.firstStartS);
  const restartMedian = median(result.restartS);
  result.checks = [
    { target: 'start: first start on a fresh clone < 15 s to /api/health (median)', value: `${firstMedian} s (max ${Math.max(...result.firstStartS)} s; CPU ${median(result.firstStartCpuS)} s; install step ${result.installS.join(' / ')} s; load ${result.loadBefore.join(' / ')})`, pass: firstMedian < 15 },
    { target: 'start: restart < 5 s to /api/health (median)', value: `${restartMedian} s (max ${Math.max(...result.restartS)} s; CPU ${median(result.restartCpuS)} s)`, pass: restartMedian < 5 },
  ];
  return result;
}

export function report(r: Result): void {
  console.log(`\n== Démarrage (embarqué, ${r.cores} cœurs, charge 1 min avant chaque manche : ${r.loadBefore.join(' / ')})`);
  console.log(`installation (postinstall) : ${r.installS.join(' / ')} s — instantané de la base de démonstration ${r.snapshotMB} Mo`);
  console.log(`premier démarrage : ${r.firstStartS.join(' / ')} s (médiane ${median(r.firstStartS)} s, cible < 15 s) ; CPU ${r.firstStartCpuS.join(' / ')} s`);
  console.log(`redémarrage : ${r.restartS.join(' / ')} s (médiane ${median(r.restartS)} s, cible < 5 s) ; CPU ${r.restartCpuS.join(' / ')} s`);
  if (r.slowFirstStartS !== null) console.log(`sans instantané (chemin lent) : ${r.slowFirstStartS} s (CPU ${r.slowFirstStartCpuS} s)`);
}

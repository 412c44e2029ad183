import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { latencyStats, round, type Latencies } from './stats.js';

/** Clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK; 100 on Linux x86-64). */
const CLK_TCK = 100;

/** CPU time (ms) used so far by a process, from /proc (0 when unreadable: another OS, or a process gone). */
export function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime + stime
  } catch {
    return 0;
  }
}

/** The process and all its descendants (the cluster's workers), from /proc; [pid] when /proc is unreadable. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(entry));
      } catch { /* gone meanwhile */ }
    }
  } catch {
    return [pid];
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** CPU time (ms) used so far by a process and its descendants (a server and its workers). */
export function processTreeCpuMs(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + processCpuMs(p), 0);
}

/** Busy and total CPU time of the whole machine so far (ms, all cores), from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } | null {
  try {
    const [, ...v] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const n = v.map(Number);
    const idle = n[3]! + n[4]!;
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: ((total - idle) * 1000) / CLK_TCK, total: (total * 1000) / CLK_TCK };
  } catch {
    return null;
  }
}

/** Share of the machine's CPU busy over `ms` (0–1), or null when /proc/stat is unreadable. */
export async function machineBusy(ms = 1000): Promise<number | null> {
  const a = machineCpuMs();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineCpuMs();
  return a && b && b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : null;
}

/**
 * Waits until the machine is quiet (less than `threshold` of its CPU busy over a second, with nothing of ours
 * running), at most `maxWaitMs`. Returns the last busy share seen: other people's load skews every number.
 */
export async function waitForQuiet(maxWaitMs: number, threshold = 0.25, log?: (m: string) => void): Promise<number | null> {
  const until = Date.now() + maxWaitMs;
  let busy = await machineBusy(1000);
  let said = false;
  while (busy !== null && busy > threshold && Date.now() < until) {
    if (!said && log) log(`  machine occupée par d'autres processus (${Math.round(busy * 100)} % CPU) : attente (≤ ${Math.round(maxWaitMs / 1000)} s)…`);
    said = true;
    busy = await machineBusy(2000);
  }
  return busy;
}

/** Where the CPU of a scenario goes: processes to account, besides this one. */
export interface CpuSources {
  /** The server's process, when it runs in a child (its workers' CPU is counted with it). */
  serverPid?: number;
  /** PostgreSQL backends serving the scenario (listed when the measured window opens). */
  postgresPids: () => Promise<number[]>;
}

export interface SliceResult {
  latencies: number[];
  errors: number;
  errorSamples: string[];
  seconds: number;
  cpu: { bench: number; server: number; postgres: number; machineBusy: number; machineTotal: number };
}

export interface SliceOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** One unit of work; `i` picks the next point. Throws or returns an error text on failure. */
  task: (i: number) => Promise<string | void>;
  cpu: CpuSources;
  /** Where the sequence numbers start (so that successive slices go on through the points). */
  startAt?: number;
}

/**
 * Closed-loop load for one slice: `concurrency` workers run `task` back to back through the warm-up, then the
 * measured window; every request started inside the window is timed (ms). CPU time of this process, of the server's
 * and of the PostgreSQL backends is read when the window opens and when it closes.
 */
export async function runSlice(opts: SliceOptions): Promise<SliceResult & { next: number }> {
  let seq = opts.startAt ?? 0;
  const warmEnd = performance.now() + opts.warmupMs;
  let windowStart = Infinity;
  let end = Infinity;
  const latencies: number[] = [];
  let errors = 0;
  const samples = new Set<string>();
  let pgPids: number[] = [];
  let at0 = { self: process.cpuUsage(), server: 0, postgres: [] as number[], machine: machineCpuMs() };
  const opener = (async () => {
    await new Promise((r) => setTimeout(r, opts.warmupMs));
    pgPids = await opts.cpu.postgresPids();
    at0 = {
      self: process.cpuUsage(),
      server: opts.cpu.serverPid ? processTreeCpuMs(opts.cpu.serverPid) : 0,
      postgres: pgPids.map(processCpuMs),
      machine: machineCpuMs(),
    };
    windowStart = performance.now();
    end = windowStart + opts.durationMs;
  })();
  const worker = async () => {
    for (;;) {
      const start = performance.now();
      if (start >= end) return;
      if (start >= warmEnd && windowStart === Infinity) {
        // let the opener run (a task that never waits on I/O would otherwise starve its timer)
        await new Promise((r) => setImmediate(r));
        continue;
      }
      let failure: string | void;
      try {
        failure = await opts.task(seq++);
      } catch (err) {
        failure = err instanceof Error ? err.message : String(err);
      }
      if (start < windowStart) continue;
      if (failure) {
        errors++;
        if (samples.size < 5) samples.add(failure);
      } else latencies.push(performance.now() - start);
    }
  };
  await Promise.all([opener, ...Array.from({ length: opts.concurrency }, worker)]);
  const self = process.cpuUsage(at0.self);
  const machine = machineCpuMs();
  return {
    latencies,
    errors,
    errorSamples: [...samples],
    seconds: (performance.now() - windowStart) / 1000,
    cpu: {
      bench: (self.user + self.system) / 1000,
      server: opts.cpu.serverPid ? processTreeCpuMs(opts.cpu.serverPid) - at0.server : 0,
      // a backend gone meanwhile (pool reaping) is left out rather than counted negative
      postgres: pgPids.reduce((s, p, i) => { const now = processCpuMs(p); return s + (now > 0 ? now - at0.postgres[i]! : 0); }, 0),
      machineBusy: machine && at0.machine ? machine.busy - at0.machine.busy : 0,
      machineTotal: machine && at0.machine ? machine.total - at0.machine.total : 0,
    },
    next: seq,
  };
}

export interface LoadResult extends Latencies {
  requests: number;
  errors: number;
  /** Up to 5 distinct error messages. */
  errorSamples: string[];
  durationS: number;
  rps: number;
  /** CPU milliseconds per successful request: this process (load generator, pg client or in-process server), the server's child process, the PostgreSQL backends. */
  cpuMsPerRequest: { bench: number; server: number; postgres: number; total: number };
  /** Share of the whole machine's CPU that was busy during the measured windows (ours and everybody else's). */
  machineBusy: number;
  /** Estimated share of the machine's CPU used by other processes (busy minus what we accounted for). */
  othersBusy: number;
}

/** Adds slices up (the same scenario measured in several interleaved rounds). */
export function summarise(slices: SliceResult[]): LoadResult {
  const latencies = slices.flatMap((s) => s.latencies);
  const errors = slices.reduce((a, s) => a + s.errors, 0);
  const seconds = slices.reduce((a, s) => a + s.seconds, 0);
  const sum = (k: keyof SliceResult['cpu']) => slices.reduce((a, s) => a + s.cpu[k], 0);
  const ok = Math.max(1, latencies.length);
  const stats = latencyStats(latencies);
  const ours = sum('bench') + sum('server') + sum('postgres');
  const total = sum('machineTotal');
  return {
    ...stats,
    mean: round(stats.mean, 3), p50: round(stats.p50, 3), p90: round(stats.p90, 3), p99: round(stats.p99, 3), max: round(stats.max, 3),
    requests: latencies.length + errors,
    errors,
    errorSamples: [...new Set(slices.flatMap((s) => s.errorSamples))].slice(0, 5),
    durationS: round(seconds, 3),
    rps: round(latencies.length / seconds, 1),
    cpuMsPerRequest: {
      bench: round(sum('bench') / ok, 3), server: round(sum('server') / ok, 3), postgres: round(sum('postgres') / ok, 3), total: round(ours / ok, 3),
    },
    machineBusy: total ? round(sum('machineBusy') / total, 3) : NaN,
    othersBusy: total ? round(Math.max(0, sum('machineBusy') - ours) / total, 3) : NaN,
  };
}

/**
 * A keep-alive HTTP GET client for the load: resolves with the status code once the body is fully read.
 * undici's Pool (one request per connection at a time, no pipelining): it spends about 40 % less CPU per request
 * than node:http's Agent (measured 0.28 vs 0.46 ms on the 2-core machine), CPU the load generator would otherwise take
 * from the server it measures on the same machine. When the body is not wanted, the request goes through undici's
 * `dispatch` with a handler (the body's chunks are dropped as they come) rather than `request`, which builds a
 * readable stream per answer: ~0.025 ms less per request (0.105–0.124 against 0.123–0.153 ms, A/B interleaved).
 */
export function httpClient(baseUrl: string, headers: Record<string, string>, connections: number) {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  const origin = new URL(baseUrl).origin;
  const status = (path: string) => new Promise<number>((resolve, reject) => {
    let code = 0;
    pool.dispatch({ origin, path, method: 'GET', headers }, {
      onConnect() {},
      onHeaders(statusCode: number) { code = statusCode; return true; },
      onData() { return true; },
      onComplete() { resolve(code); },
      onError(err: Error) { reject(err); },
    });
  });
  const get = async (path: string, keepBody = false): Promise<{ status: number; body: string }> => {
    if (!keepBody) return { status: await status(path), body: '' };
    const res = await pool.request({ path, method: 'GET', headers });
    return { status: res.statusCode, body: await res.body.text() };
  };
  return { get, close: () => pool.close() };
}

/** Latency statistics and the printed tables of the benchmarks. */

export interface Latencies {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of latencies in milliseconds (sorted copy; fine for a few hundred thousand samples). */
export function latencyStats(samples: ArrayLike<number>): Latencies {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: n, mean: sum / n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[n - 1]! };
}

export const round = (v: number, digits = 2): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/** A plain text table: first row is the header; numbers are right-aligned. */
export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isFinite(c) ? String(c) : '–') : c)));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], src: (string | number)[]) =>
    r.map((c, i) => (typeof src[i] === 'number' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ');
  const out = [line(cells[0]!, rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (let i = 1; i < cells.length; i++) out.push(line(cells[i]!, rows[i]!));
  return out.join('\n');
}

/** Deterministic PRNG (mulberry32), so that every run draws the same points in the same order (the demo activity's). */
export { prng } from '../../server/src/domain/demo-activity.js';

export function shuffle<T>(items: T[], random: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

import pg from 'pg';
import type { BenchPoint } from './points.js';
import type { SpotSql } from './spot-sql.js';
import { round } from './stats.js';

export interface PlanCost {
  lookups: number;
  /** Shared buffers touched per lookup (hit + read): what the lookup reads, free of timing noise. */
  buffersPerLookup: number;
  /** Of which read from outside PostgreSQL's cache. */
  readsPerLookup: number;
  /** Mean planning and execution time reported by EXPLAIN ANALYZE (TIMING OFF), ms. */
  planningMs: number;
  executionMs: number;
}

/**
 * The lookup statement under EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) for the first `n` points: the pages it touches
 * per lookup (a measure of its cost that does not depend on the machine's load) and PostgreSQL's own planning and
 * execution times.
 */
export async function planCost(url: string, sql: SpotSql, points: BenchPoint[], n = 300): Promise<PlanCost> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const sample = points.slice(0, n);
    let buffers = 0;
    let reads = 0;
    let planning = 0;
    let execution = 0;
    for (const p of sample) {
      const { rows } = await client.query({ text: `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) ${sql.text}`, values: sql.values(p.lon, p.lat) });
      const e = (rows[0] as Record<string, { Plan: Record<string, number>; 'Planning Time': number; 'Execution Time': number }[]>)['QUERY PLAN']![0]!;
      buffers += (e.Plan['Shared Hit Blocks'] ?? 0) + (e.Plan['Shared Read Blocks'] ?? 0);
      reads += e.Plan['Shared Read Blocks'] ?? 0;
      planning += e['Planning Time'];
      execution += e['Execution Time'];
    }
    const k = Math.max(1, sample.length);
    return { lookups: sample.length, buffersPerLookup: round(buffers / k, 1), readsPerLookup: round(reads / k, 2), planningMs: round(planning / k, 3), executionMs: round(execution / k, 3) };
  } finally {
    await client.end();
  }
}

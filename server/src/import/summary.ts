import type { UpsertedRows } from '../data/imports.js';

/** What one imported file changed. */
export interface FileSummary {
  file: string;
  kind: string;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
  note?: string;
  ms?: number;
}

/** Counts of an upsert that RETURNING (xmax = 0) AS inserted. */
export function upsertCounts(rows: UpsertedRows, read: number): Pick<FileSummary, 'inserted' | 'updated' | 'unchanged'> {
  const inserted = rows.filter((r) => r.inserted).length;
  const updated = rows.length - inserted;
  return { inserted, updated, unchanged: read - inserted - updated };
}

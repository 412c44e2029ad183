import type { UpsertedRows } from '../data/imports.js';
import type { ImportFileSummary as FileSummary } from '../domain/admin-api.js';

/** What one imported file changed: the administration API's type (domain/admin-api.ts), declared once. */
export type { FileSummary };

/** Counts of an upsert that RETURNING (xmax = 0) AS inserted. */
export function upsertCounts(rows: UpsertedRows, read: number): Pick<FileSummary, 'inserted' | 'updated' | 'unchanged'> {
  const inserted = rows.filter((r) => r.inserted).length;
  const updated = rows.length - inserted;
  return { inserted, updated, unchanged: read - inserted - updated };
}

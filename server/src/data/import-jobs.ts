import type { ImportHistoryEntry, ImportJob } from '../domain/admin-api.js';
import type { Knex } from 'knex';

export type { ImportJob };

const JOB_COLUMNS = ['j.id', 'j.user_id as userId', 'u.name as userName', 'j.status', 'j.files', 'j.current_file as currentFile', 'j.summaries', 'j.error',
  'j.started_at as startedAt', 'j.finished_at as finishedAt'];
const parsed = (j: ImportJob): ImportJob => ({
  ...j,
  files: typeof j.files === 'string' ? JSON.parse(j.files) : j.files,
  summaries: typeof j.summaries === 'string' ? JSON.parse(j.summaries) : j.summaries,
});

export async function insertImportJob(knex: Knex, j: { userId: number; files: { name: string; bytes: number }[] }): Promise<number> {
  const [row] = await knex('import_jobs').insert({ user_id: j.userId, files: JSON.stringify(j.files) }).returning('id');
  return (row as { id: number }).id;
}

export async function updateImportJob(knex: Knex, id: number, c: { status?: ImportJob['status']; currentFile?: string | null; summaries?: unknown[]; error?: string | null }): Promise<void> {
  const row: Record<string, unknown> = {};
  if (c.status) row.status = c.status;
  if (c.status && c.status !== 'running') row.finished_at = knex.fn.now();
  if (c.currentFile !== undefined) row.current_file = c.currentFile;
  if (c.summaries) row.summaries = JSON.stringify(c.summaries);
  if (c.error !== undefined) row.error = c.error;
  await knex('import_jobs').where({ id }).update(row);
}

export async function importJob(knex: Knex, id: number): Promise<ImportJob | undefined> {
  const j = (await knex('import_jobs as j').leftJoin('users as u', 'u.id', 'j.user_id').where('j.id', id).first(...JOB_COLUMNS)) as ImportJob | undefined;
  return j && parsed(j);
}

export async function listImportJobs(knex: Knex, limit: number): Promise<ImportJob[]> {
  const rows = (await knex('import_jobs as j').leftJoin('users as u', 'u.id', 'j.user_id').select(...JOB_COLUMNS).orderBy('j.id', 'desc').limit(limit)) as ImportJob[];
  return rows.map(parsed);
}


/** The per-file history of every import (command line, browser, configuration editor), newest first. */
export async function importHistory(knex: Knex, limit: number): Promise<ImportHistoryEntry[]> {
  const rows = await knex('imports').select('id', 'kind', 'file_name as fileName', 'sha256', 'summary', 'imported_at as importedAt').orderBy('id', 'desc').limit(limit);
  return rows.map((r: { summary: unknown }) => ({ ...r, summary: typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary })) as never;
}

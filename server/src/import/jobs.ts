import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Database } from '../data/db.js';
import { importJob, insertImportJob, updateImportJob, type ImportJob } from '../data/import-jobs.js';
import { invalidateTerritory } from '../data/territory.js';
import { audit } from '../data/users.js';
import { ImportError, importPaths, type FileSummary } from './index.js';

/**
 * Starts an import of uploaded files (already in `dir`) with the same `importPaths` as `npm run import`, all files in
 * one transaction (a failure writes nothing of the upload), in the background: the job row tells its progress (file being imported, summaries so far) and its end. Afterwards the folder
 * is removed, the territory cache emptied (a new configuration takes effect at once), `onEnd` called, and only then
 * the job is marked done or failed — so whoever sees it ended may start another. Audited.
 */
export async function startImportJob(db: Database, log: Logger, actorId: number, dir: string, files: { name: string; bytes: number }[], onEnd: () => void): Promise<ImportJob> {
  const id = await insertImportJob(db.knex, { userId: actorId, files });
  const summaries: FileSummary[] = [];
  // progress writes in order, the last one before the end
  let progress = Promise.resolve();
  const report = (c: Parameters<typeof updateImportJob>[2]) => { progress = progress.then(() => updateImportJob(db.knex, id, c)).catch(() => {}); };
  void (async () => {
    let end: Parameters<typeof updateImportJob>[2];
    try {
      await importPaths(db.knex, files.map((f) => path.join(dir, f.name)), {
        onStart: (file) => report({ currentFile: file }),
        onFile: (s) => { summaries.push(s); report({ summaries: [...summaries] }); },
        allOrNothing: true,
      });
      end = { status: 'done', currentFile: null, summaries };
      await audit(db.knex, { userId: actorId, action: 'import.run', entity: 'import_job', entityId: String(id), details: { before: null, after: { files, summaries } } });
    } catch (err) {
      const message = err instanceof ImportError ? err.message : 'erreur interne (voir le journal du serveur)';
      if (!(err instanceof ImportError)) log.error({ err, job: id }, 'import job failed');
      // one transaction for the upload: the files read before the failing one are undone too
      const undone = summaries.length ? ` — import annulé : ${summaries.map((s) => s.file).join(', ')} non enregistré(s)` : '';
      end = { status: 'failed', summaries: [], error: `${message}${undone}` };
      await audit(db.knex, { userId: actorId, action: 'import.failed', entity: 'import_job', entityId: String(id), details: { before: null, after: { files, error: end.error } } }).catch(() => {});
    }
    invalidateTerritory(db);
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
    await progress;
    onEnd();
    await updateImportJob(db.knex, id, end).catch((err: unknown) => log.error({ err, job: id }, 'import job status not saved'));
  })();
  return (await importJob(db.knex, id))!;
}

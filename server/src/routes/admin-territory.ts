import fs from 'node:fs';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { currentUser } from '../auth/middleware.js';
import { importHistory, importJob, listImportJobs } from '../data/import-jobs.js';
import type { AppContext } from '../http/context.js';
import { AppError, notFound, validationError } from '../http/errors.js';
import { importUpload } from '../http/import-upload.js';
import { parseId } from '../http/input.js';
import { currentConfig, previewConfig, saveConfig } from '../import/config-edit.js';
import { startImportJob } from '../import/jobs.js';

const configBody = z.object({ config: z.record(z.string(), z.unknown(), { error: 'objet « config » attendu' }) }).strict();
const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/**
 * /api/admin/config (the territory configuration: read, effect before saving, save) and /api/admin/imports (upload
 * the files of `npm run import`, poll the job, history). Both write through the import's code, nowhere else.
 */
export function adminTerritoryRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;

  router.get('/config', async (_req, res) => {
    const config = await currentConfig(knex);
    if (!config) throw new AppError(404, 'not_configured', 'Aucune configuration importée');
    res.json({ config });
  });

  router.post('/config/preview', async (req, res) => {
    const parsed = configBody.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Configuration attendue');
    res.json({ effect: await previewConfig(knex, parsed.data.config) });
  });

  router.put('/config', async (req, res) => {
    const parsed = configBody.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Configuration attendue');
    res.json({ effect: await saveConfig(ctx.db, currentUser(req).id, parsed.data.config) });
  });

  router.get('/imports', async (req, res) => {
    const parsed = historyQuery.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Filtres invalides');
    const [jobs, files] = await Promise.all([listImportJobs(knex, parsed.data.limit), importHistory(knex, parsed.data.limit)]);
    res.json({ jobs, files });
  });

  router.get('/imports/:id', async (req, res) => {
    const job = await importJob(knex, parseId(req.params.id, 'id', "Identifiant d'import invalide"));
    if (!job) throw notFound('Import');
    res.json({ job });
  });

  // one browser import at a time in this process: another upload is a 409 while one runs (before its bytes are read)
  let running = false;
  const busy = () => new AppError(409, 'import_running', 'Un import est déjà en cours : attendez sa fin', [{ field: 'files', message: 'import en cours' }]);
  const oneAtATime: RequestHandler = (_req, _res, next) => next(running ? busy() : undefined);
  router.post('/imports', oneAtATime, importUpload, async (req, res) => {
    if (running) { // another upload started while this one was being received
      fs.rmSync(req.importDir!, { recursive: true, force: true });
      throw busy();
    }
    running = true;
    try {
      const files = (req.files as Express.Multer.File[]).map((f) => ({ name: f.originalname, bytes: f.size }));
      const job = await startImportJob(ctx.db, ctx.log, currentUser(req).id, req.importDir!, files, () => { running = false; });
      res.status(202).json({ job });
    } catch (err) {
      running = false;
      throw err;
    }
  });

  return router;
}

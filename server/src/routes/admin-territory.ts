import fs from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { importHistory, importJob, listImportJobs } from '../data/import-jobs.js';
import type { AppContext } from '../http/context.js';
import { AppError, notFound } from '../http/errors.js';
import { importUpload } from '../http/import-upload.js';
import { idParam } from '../http/input.js';
import { ADMINS, rawRoute, route } from '../http/route.js';
import { currentConfig, previewConfig, saveConfig } from '../import/config-edit.js';
import { startImportJob } from '../import/jobs.js';

const configBody = z.object({ config: z.record(z.string(), z.unknown(), { error: 'objet « config » attendu' }) }).strict();
const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/**
 * /api/admin/config (the territory configuration: read, effect before saving, save) and /api/admin/imports (upload
 * the files of `npm run import`, poll the job, history). Both write through the import's code, nowhere else. Admins.
 */
export function adminTerritoryRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  const access = ADMINS;

  // one browser import at a time in this process: another upload is a 409 while one runs (before its bytes are read)
  let running = false;
  const busy = () => new AppError(409, 'import_running', 'Un import est déjà en cours : attendez sa fin', [{ field: 'files', message: 'import en cours' }]);
  const oneAtATime: RequestHandler = (_req, _res, next) => next(running ? busy() : undefined);

  return [
    route({
      method: 'GET', path: '/api/admin/config', access,
      handle: async () => {
        const config = await currentConfig(knex);
        if (!config) throw new AppError(404, 'not_configured', 'Aucune configuration importée');
        return { config };
      },
    }),
    route({
      method: 'POST', path: '/api/admin/config/preview', access, body: configBody, invalid: 'Configuration attendue',
      handle: async ({ body }) => ({ effect: await previewConfig(knex, body.config) }),
    }),
    route({
      method: 'PUT', path: '/api/admin/config', access, body: configBody, invalid: 'Configuration attendue',
      handle: async ({ body }, { user }) => ({ effect: await saveConfig(ctx.db, user.id, body.config) }),
    }),
    route({
      method: 'GET', path: '/api/admin/imports', access, query: historyQuery, invalid: 'Filtres invalides',
      handle: async ({ query: { limit } }) => {
        const [jobs, files] = await Promise.all([listImportJobs(knex, limit), importHistory(knex, limit)]);
        return { jobs, files };
      },
    }),
    route({
      method: 'GET', path: '/api/admin/imports/:id', access, params: z.object({ id: idParam }), invalid: "Identifiant d'import invalide",
      handle: async ({ params: { id } }) => {
        const job = await importJob(knex, id);
        if (!job) throw notFound('Import');
        return { job };
      },
    }),
    // escape hatch: a streamed multipart upload written to a directory (http/import-upload.ts)
    rawRoute({
      method: 'POST', path: '/api/admin/imports', access, raw: true, before: [oneAtATime, importUpload],
      handle: async (req, res, { user }) => {
        if (running) { // another upload started while this one was being received
          fs.rmSync(req.importDir!, { recursive: true, force: true });
          throw busy();
        }
        running = true;
        try {
          const files = (req.files as Express.Multer.File[]).map((f) => ({ name: f.originalname, bytes: f.size }));
          const job = await startImportJob(ctx.db, ctx.log, user.id, req.importDir!, files, () => { running = false; });
          res.status(202).json({ job });
        } catch (err) {
          running = false;
          throw err;
        }
      },
    }),
  ];
}

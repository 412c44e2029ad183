import express, { Router } from 'express';
import { z } from 'zod';
import { currentUser, requireRole } from '../auth/middleware.js';
import { CONVENTION_STATUSES } from '../domain/conventions.js';
import type { AppContext } from '../http/context.js';
import { AppError, validationError } from '../http/errors.js';
import { parseId } from '../http/input.js';
import { CONVENTION_DOCUMENT_MAX_BYTES, getConvention, getConventionDocument, putConvention, putConventionDocument } from '../services/conventions.js';

const code = z.string().trim().min(1).max(64);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ attendue').refine((d) => { const t = new Date(`${d}T00:00:00Z`); return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d; }, 'date inexistante').nullable();
const conventionSchema = z.object({
  title: z.string().trim().min(1, 'intitulé obligatoire').max(300),
  parties: z.array(code).max(20).default([]),
  status: z.enum(CONVENTION_STATUSES),
  validFrom: day.default(null),
  validTo: day.default(null),
  obligations: z.array(z.object({
    theme: code,
    task: z.string().trim().min(1, 'tâche obligatoire').max(300),
    service: code,
    frequency: z.string().trim().min(1, 'fréquence obligatoire').max(100),
    delayHours: z.number().int('délai en heures entières').min(1).max(8760),
  })).max(100).default([]),
});

/**
 * `GET/PUT /api/subsectors/:id/convention` (DESIGN 3.8) and its signed document
 * (`GET/PUT …/convention/document`, the PDF as the body, `Content-Type: application/pdf`).
 * Read: whoever sees the sub-sectors (every signed-in user); write: planner, admin.
 */
export function conventionsRouter(ctx: AppContext): Router {
  const router = Router({ mergeParams: true });
  const write = requireRole('planner', 'admin');
  const subsectorId = (params: Record<string, unknown>) => parseId(params.id, 'id', 'Identifiant de sous-secteur invalide');

  router.get('/', async (req, res) => {
    res.json({ convention: await getConvention(ctx.db, subsectorId(req.params)) });
  });

  router.put('/', write, async (req, res) => {
    const id = subsectorId(req.params);
    const parsed = conventionSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Convention invalide');
    res.json({ convention: await putConvention(ctx.db, currentUser(req), id, parsed.data) });
  });

  router.get('/document', async (req, res) => {
    const doc = await getConventionDocument(ctx.db, subsectorId(req.params));
    res.attachment(doc.name).set('Content-Type', 'application/pdf'); // an uploaded file is downloaded, never rendered in our origin
    res.set('Cache-Control', 'private, no-store');
    res.send(doc.data);
  });

  router.put('/document', write, express.raw({ type: () => true, limit: CONVENTION_DOCUMENT_MAX_BYTES }), async (req, res) => {
    const id = subsectorId(req.params);
    if (!Buffer.isBuffer(req.body)) throw new AppError(400, 'invalid_input', 'Le corps de la requête doit être le PDF', [{ field: 'document', message: 'fichier PDF attendu' }]);
    const name = typeof req.query.name === 'string' ? req.query.name : undefined;
    res.json({ convention: await putConventionDocument(ctx.db, currentUser(req), id, name, req.body) });
  });

  return router;
}

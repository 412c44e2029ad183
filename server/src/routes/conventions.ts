import express from 'express';
import { z } from 'zod';
import { CONVENTION_STATUSES } from '../domain/conventions.js';
import type { AppContext } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { idParam, parseId } from '../http/input.js';
import { rawRoute, Reply, route } from '../http/route.js';
import { SUBSECTOR_EDITORS } from './subsectors.js';
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
export function conventionsRoutes(ctx: AppContext) {
  const write = SUBSECTOR_EDITORS;
  const params = z.object({ id: idParam });
  const invalid = 'Identifiant de sous-secteur invalide';
  return [
    route({
      method: 'GET', path: '/api/subsectors/:id/convention', access: 'signed-in', params, invalid,
      handle: async ({ params: { id } }) => ({ convention: await getConvention(ctx.db, id) }),
    }),
    route({
      method: 'PUT', path: '/api/subsectors/:id/convention', access: write, params, body: conventionSchema, invalid: { params: invalid, body: 'Convention invalide' },
      handle: async ({ params: { id }, body }, { user }) => ({ convention: await putConvention(ctx.db, user, id, body) }),
    }),
    route({
      method: 'GET', path: '/api/subsectors/:id/convention/document', access: 'signed-in', params, invalid,
      handle: async ({ params: { id } }) => {
        const doc = await getConventionDocument(ctx.db, id);
        // an uploaded file is downloaded, never rendered in our origin
        return Reply.download(doc.data, 'application/pdf', doc.name, { 'cache-control': 'private, no-store' });
      },
    }),
    // escape hatch: the PDF is the raw request body (read after the session and role check)
    rawRoute({
      method: 'PUT', path: '/api/subsectors/:id/convention/document', access: write, raw: true,
      before: [express.raw({ type: () => true, limit: CONVENTION_DOCUMENT_MAX_BYTES })],
      handle: async (req, res, { user }) => {
        const id = parseId(req.params.id, 'id', invalid);
        if (!Buffer.isBuffer(req.body)) throw new AppError(400, 'invalid_input', 'Le corps de la requête doit être le PDF', [{ field: 'document', message: 'fichier PDF attendu' }]);
        const name = typeof req.query.name === 'string' ? req.query.name : undefined; // cleaned by the service (documentFileName)
        res.json({ convention: await putConventionDocument(ctx.db, user, id, name, req.body) });
      },
    }),
  ];
}

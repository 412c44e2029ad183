import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { validationError } from '../http/errors.js';
import { pointQuerySchema } from '../http/geo.js';
import { lookup } from '../services/lookup.js';

const querySchema = z.intersection(pointQuerySchema, z.object({ theme: z.string().trim().min(1).max(64).optional() }));

export function lookupRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Coordonnées invalides');
    const { lon, lat, theme } = parsed.data;
    res.json(await lookup(ctx.db.knex, lon, lat, theme));
  });
  return router;
}

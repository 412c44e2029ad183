import { Router } from 'express';
import { z } from 'zod';
import { communesByName, parcelsById, parcelsByReference, plainText, qpvByCodeOrName, type SearchResult } from '../data/search.js';
import { IDU_PATTERN } from '../domain/idu.js';
import type { AppContext } from '../http/context.js';
import { validationError } from '../http/errors.js';

const querySchema = z.object({ q: z.string().trim().min(2, 'au moins 2 caractères').max(100) });
/** "AB 123", "ab123", "0A 20 athis" — section (1–2 chars), plan number, optional commune name. */
const REFERENCE = /^0?([a-z]{1,2})\s*(\d{1,4})(?:\s+(.+))?$/i;
const LIMIT = 10;

export function searchRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;
  router.get('/', async (req, res) => {
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Recherche invalide');
    const q = parsed.data.q;
    const upper = q.toUpperCase().replace(/\s+/g, '');
    let results: SearchResult[];
    if (IDU_PATTERN.test(upper)) {
      results = await parcelsById(knex, upper);
    } else {
      const ref = REFERENCE.exec(q);
      const text = plainText(q);
      const [parcels, communes, qpv] = await Promise.all([
        ref ? parcelsByReference(knex, ref[1]!.toUpperCase().padStart(2, '0'), ref[2]!.padStart(4, '0'), ref[3] ? plainText(ref[3]) : null, LIMIT) : [],
        communesByName(knex, text, LIMIT),
        qpvByCodeOrName(knex, text, LIMIT),
      ]);
      results = [...parcels, ...qpv, ...communes].slice(0, LIMIT);
    }
    res.json({ results });
  });
  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import { currentUser } from '../auth/middleware.js';
import { listTokens } from '../data/tokens.js';
import type { CreatedApiToken } from '../domain/tokens.js';
import type { AppContext } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { parseId } from '../http/input.js';
import { createApiToken, revokeApiToken } from '../services/tokens.js';

/** The longest a token may live: two years (desktop GIS projects outlive a default of one). */
export const MAX_TOKEN_DAYS = 730;
const createSchema = z.object({
  label: z.string().trim().min(1, 'libellé obligatoire').max(100, 'libellé : 100 caractères au plus'),
  expiresInDays: z.number().int('durée en jours : entier attendu').min(1).max(MAX_TOKEN_DAYS).nullable().optional(),
}).strict();

/**
 * Personal API tokens of the signed-in user (DESIGN 3.9): `GET` lists them (never the secret), `POST {label,
 * expiresInDays?}` creates one and shows its secret once (365 days unless told; null for no expiry), `DELETE /:id`
 * revokes one of one's own. Mounted behind requireSession. Creating a token needs a signed-in session: a token cannot
 * make tokens (a leaked token must not be able to outlive its revocation).
 */
export function tokensRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;

  router.get('/', async (req, res) => {
    res.json({ tokens: await listTokens(knex, currentUser(req).id) });
  });

  router.post('/', async (req, res) => {
    const user = currentUser(req);
    if (req.apiTokenId !== undefined) throw new AppError(403, 'session_required', 'Un jeton d\'accès ne peut pas créer de jeton : connectez-vous à GUP');
    const body = createSchema.parse(req.body ?? {});
    const days = body.expiresInDays === undefined ? 365 : body.expiresInDays;
    const { token, info } = await createApiToken(knex, user.id, body.label, days);
    const created: CreatedApiToken = { ...info, token };
    res.status(201).json(created);
  });

  router.delete('/:id', async (req, res) => {
    await revokeApiToken(knex, currentUser(req).id, parseId(req.params.id, 'id', 'Identifiant de jeton invalide'));
    res.status(204).end();
  });

  return router;
}

import { z } from 'zod';
import { listTokens } from '../data/tokens.js';
import type { CreatedApiToken } from '../domain/tokens.js';
import type { AppContext } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { idParam } from '../http/input.js';
import { Reply, route } from '../http/route.js';
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
 * revokes one of one's own. Every signed-in role. Creating a token needs a signed-in session: a token cannot make
 * tokens (a leaked token must not be able to outlive its revocation).
 */
export function tokensRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  return [
    route({
      method: 'GET', path: '/api/auth/tokens', access: 'signed-in',
      handle: async (_input, { user }) => ({ tokens: await listTokens(knex, user.id) }),
    }),
    route({
      method: 'POST', path: '/api/auth/tokens', access: 'signed-in', status: 201,
      handle: async ({ body: raw }, { user, tokenId }) => {
        if (tokenId !== null) throw new AppError(403, 'session_required', 'Un jeton d\'accès ne peut pas créer de jeton : connectez-vous à GUP');
        const body = createSchema.parse(raw ?? {});
        const days = body.expiresInDays === undefined ? 365 : body.expiresInDays;
        const { token, info } = await createApiToken(knex, user.id, body.label, days);
        const created: CreatedApiToken = { ...info, token };
        return created;
      },
    }),
    route({
      method: 'DELETE', path: '/api/auth/tokens/:id', access: 'signed-in', params: z.object({ id: idParam }), invalid: 'Identifiant de jeton invalide',
      handle: async ({ params: { id } }, { user }) => {
        await revokeApiToken(knex, user.id, id);
        return Reply.empty();
      },
    }),
  ];
}

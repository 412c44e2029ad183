import type { Knex } from 'knex';
import { newApiToken } from '../auth/tokens.js';
import { countTokens, deleteExpiredTokens, deleteToken, insertToken } from '../data/tokens.js';
import type { ApiTokenInfo } from '../domain/tokens.js';
import { audit, hashToken } from '../data/users.js';
import { AppError, notFound } from '../http/errors.js';

/** Tokens one user may hold at once (desktop GIS on a few machines, scripts). */
export const MAX_TOKENS_PER_USER = 20;

/**
 * Creates a personal API token for a user: returns the secret (to show once) and what is kept of it.
 * Steps: check the user's count → make the secret → store its hash → audit.
 */
export async function createApiToken(knex: Knex, userId: number, label: string, expiresInDays: number | null): Promise<{ token: string; info: ApiTokenInfo }> {
  await deleteExpiredTokens(knex);
  if ((await countTokens(knex, userId)) >= MAX_TOKENS_PER_USER) {
    throw new AppError(409, 'too_many_tokens', `Au plus ${MAX_TOKENS_PER_USER} jetons d'accès par compte : révoquez-en un d'abord`);
  }
  const token = newApiToken();
  const expiresAt = expiresInDays === null ? null : new Date(Date.now() + expiresInDays * 86_400_000);
  const info = await insertToken(knex, { userId, label, tokenHash: hashToken(token), expiresAt });
  await audit(knex, { userId, action: 'api_token.create', entity: 'api_token', entityId: String(info.id), details: { label } });
  return { token, info };
}

/** Revokes one of the user's own tokens (another user's id is "not found", not "forbidden": ids reveal nothing). */
export async function revokeApiToken(knex: Knex, userId: number, id: number): Promise<void> {
  if (!(await deleteToken(knex, userId, id))) throw notFound('Jeton d\'accès', [{ field: 'id', message: `aucun jeton ${id} parmi les vôtres` }]);
  await audit(knex, { userId, action: 'api_token.revoke', entity: 'api_token', entityId: String(id) });
}

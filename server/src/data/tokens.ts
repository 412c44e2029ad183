import type { Knex } from 'knex';
import type { Role } from '../domain/territory.js';
import type { ApiTokenInfo } from '../domain/tokens.js';
import type { SessionUser } from './users.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

interface TokenRow { id: number; label: string; created_at: Date; last_used_at: Date | null; expires_at: Date | null }
const toInfo = (r: TokenRow): ApiTokenInfo => ({
  id: r.id, label: r.label, createdAt: iso(r.created_at)!, lastUsedAt: iso(r.last_used_at), expiresAt: iso(r.expires_at),
});

/** Stores a new token of a user (its hash only). */
export async function insertToken(knex: Knex, t: { userId: number; label: string; tokenHash: string; expiresAt: Date | null }): Promise<ApiTokenInfo> {
  const [row] = await knex('api_tokens')
    .insert({ user_id: t.userId, label: t.label, token_hash: t.tokenHash, expires_at: t.expiresAt })
    .returning(['id', 'label', 'created_at', 'last_used_at', 'expires_at']);
  return toInfo(row as TokenRow);
}

/** A user's tokens that still open the API (expired ones are left out), newest first. */
export async function listTokens(knex: Knex, userId: number): Promise<ApiTokenInfo[]> {
  const rows = (await knex('api_tokens')
    .where({ user_id: userId })
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .orderBy('id', 'desc')
    .select('id', 'label', 'created_at', 'last_used_at', 'expires_at')) as TokenRow[];
  return rows.map(toInfo);
}

/** How many tokens a user holds that still open the API. */
export async function countTokens(knex: Knex, userId: number): Promise<number> {
  const row = (await knex('api_tokens')
    .where({ user_id: userId })
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .count<{ n: string | number }[]>({ n: '*' })
    .first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/** Deletes one of a user's tokens; false when the user holds no token of that id. */
export async function deleteToken(knex: Knex, userId: number, id: number): Promise<boolean> {
  const rows = (await knex('api_tokens').where({ id, user_id: userId }).delete().returning('id')) as unknown[];
  return rows.length > 0;
}

/** Deletes the expired tokens (housekeeping, on creation). */
export async function deleteExpiredTokens(knex: Knex): Promise<void> {
  await knex('api_tokens').where('expires_at', '<=', knex.fn.now()).delete();
}

/**
 * The owner of a valid token (not expired, owner active), with the owner's role and scope as they are now, and the
 * token's id; null otherwise. Marks the token used (at most once a minute, in the same statement).
 */
export async function findTokenUser(knex: Knex, tokenHash: string): Promise<{ user: SessionUser; tokenId: number } | null> {
  const { rows } = (await knex.raw(
    `WITH hit AS (
       SELECT t.id AS token_id, u.id, u.email, u.name, u.role, u.commune_insee, u.service_code, u.organisation_code
         FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = ? AND u.active AND (t.expires_at IS NULL OR t.expires_at > now())
     ), touched AS (
       UPDATE api_tokens SET last_used_at = now()
        WHERE id = (SELECT token_id FROM hit) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
     )
     SELECT * FROM hit`,
    [tokenHash],
  )) as { rows: { token_id: number; id: number; email: string; name: string; role: Role; commune_insee: string | null; service_code: string | null; organisation_code: string | null }[] };
  const r = rows[0];
  if (!r) return null;
  return {
    tokenId: r.token_id,
    user: { id: r.id, email: r.email, name: r.name, role: r.role, communeInsee: r.commune_insee, serviceCode: r.service_code, organisationCode: r.organisation_code },
  };
}

import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { normalizeEmail } from '../domain/email.js';
import { dropPendingLinks } from './accounts.js';
import type { SessionUser } from '../domain/api.js';
import type { Role } from '../domain/territory.js';

export type { SessionUser };

/** A signed-in user as the rest of the server sees it. */
interface UserRow {
  id: number; email: string; name: string; role: Role; commune_insee: string | null; service_code: string | null;
  organisation_code: string | null; password_hash: string; active: boolean;
}

const toUser = (r: UserRow): SessionUser => ({
  id: r.id, email: r.email, name: r.name, role: r.role, communeInsee: r.commune_insee, serviceCode: r.service_code, organisationCode: r.organisation_code,
});

/** The active account of an e-mail address, compared in its normalised spelling (normalizeEmail). */
export async function findUserForLogin(knex: Knex, email: string): Promise<(SessionUser & { passwordHash: string }) | null> {
  const row = (await knex('users').whereRaw('lower(email) = ?', [normalizeEmail(email)]).andWhere({ active: true }).first()) as UserRow | undefined;
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
}

export interface NewUser {
  email: string; name: string; role: Role; passwordHash: string; communeInsee?: string | null; serviceCode?: string | null;
  organisationCode?: string | null; demo?: boolean;
}

/** Creates a user, or updates it when the e-mail exists (returns its id); its password set here, a link still waiting is dropped. */
export async function upsertUser(knex: Knex, u: NewUser): Promise<number> {
  const row = {
    email: normalizeEmail(u.email), name: u.name, role: u.role, password_hash: u.passwordHash, commune_insee: u.communeInsee ?? null,
    service_code: u.serviceCode ?? null, organisation_code: u.organisationCode ?? null, demo: u.demo ?? false, active: true,
  };
  const [res] = await knex('users').insert(row).onConflict('email').merge().returning('id');
  const id = (res as { id: number }).id;
  await dropPendingLinks(knex, id);
  return id;
}

/** The stored form of a secret we only compare (session and API tokens): SHA-256, hex. */
export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/**
 * Opens a session; returns the opaque token for the cookie (only its hash is stored). `oidcIdToken`: the identity
 * provider's ID token of a single sign-on, kept for the logout at the provider.
 */
export async function createSession(knex: Knex, userId: number, hours: number, oidcIdToken: string | null = null): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  await knex('sessions').insert({ token_hash: hashToken(token), user_id: userId, expires_at: expiresAt, oidc_id_token: oidcIdToken });
  await knex('sessions').where('expires_at', '<', new Date()).delete();
  return { token, expiresAt };
}

export async function findSessionUser(knex: Knex, token: string): Promise<SessionUser | null> {
  const row = (await knex('sessions as s')
    .join('users as u', 'u.id', 's.user_id')
    .where('s.token_hash', hashToken(token))
    .andWhere('s.expires_at', '>', new Date())
    .andWhere('u.active', true)
    .first('u.*')) as UserRow | undefined;
  return row ? toUser(row) : null;
}

/** Ends a session; returns the identity provider's ID token when it was opened by single sign-on. */
export async function deleteSession(knex: Knex, token: string): Promise<string | null> {
  const rows = (await knex('sessions').where('token_hash', hashToken(token)).delete().returning(['oidc_id_token'])) as { oidc_id_token: string | null }[];
  return rows[0]?.oidc_id_token ?? null;
}

export async function audit(knex: Knex, entry: { userId?: number | null; action: string; entity?: string; entityId?: string; details?: unknown }): Promise<void> {
  await knex('audit_log').insert({
    user_id: entry.userId ?? null, action: entry.action, entity: entry.entity ?? null, entity_id: entry.entityId ?? null,
    details: entry.details === undefined ? null : JSON.stringify(entry.details),
  });
}

/** Whether any account exists. */
export async function hasAnyUser(knex: Knex): Promise<boolean> {
  return !!(await knex('users').first('id'));
}

/** Re-enables the demo accounts disabled by an earlier start outside demo mode; returns how many. */
export async function enableDemoAccounts(knex: Knex): Promise<number> {
  return knex('users').where({ demo: true, active: false }).update({ active: true });
}

/** Disables the active demo accounts and ends their sessions, in one transaction; returns how many. */
export async function disableDemoAccounts(knex: Knex): Promise<number> {
  return knex.transaction(async (trx) => {
    const ids = (await trx('users').where({ demo: true, active: true }).pluck('id')) as number[];
    if (ids.length === 0) return 0;
    await trx('users').whereIn('id', ids).update({ active: false });
    await trx('sessions').whereIn('user_id', ids).delete();
    return ids.length;
  });
}

import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AdminAccount } from '../domain/admin-api.js';
import type { Role } from '../domain/territory.js';

/** Accounts as the administration sees them (never the password hash). */
export type AccountRow = AdminAccount;

const ACCOUNT_COLUMNS = ['u.id', 'u.email', 'u.name', 'u.role', 'u.commune_insee as communeInsee', 'u.service_code as serviceCode',
  'u.organisation_code as organisationCode', 'u.active', 'u.demo', 'u.created_at as createdAt'];
const LAST_LOGIN = `(SELECT max(a.at) FROM audit_log a WHERE a.user_id = u.id AND a.action = 'login') AS "lastLoginAt"`;

/** Accounts, active first, by name (the Open311 service accounts included: their keys are managed beside). */
export async function listAccounts(knex: Knex): Promise<AccountRow[]> {
  return (await knex('users as u').select(...ACCOUNT_COLUMNS, knex.raw(LAST_LOGIN)).orderBy([{ column: 'u.active', order: 'desc' }, { column: 'u.name' }, { column: 'u.id' }])) as AccountRow[];
}

export async function accountById(knex: Knex, id: number): Promise<AccountRow | undefined> {
  return (await knex('users as u').where('u.id', id).first(...ACCOUNT_COLUMNS, knex.raw(LAST_LOGIN))) as AccountRow | undefined;
}

export async function emailTaken(knex: Knex, email: string): Promise<boolean> {
  return !!(await knex('users').where({ email }).first('id'));
}

export interface AccountInsert {
  email: string; name: string; role: Role; passwordHash: string; communeInsee: string | null; serviceCode: string | null; organisationCode: string | null;
}

export async function insertAccount(knex: Knex, a: AccountInsert): Promise<number> {
  const [row] = await knex('users').insert({
    email: a.email, name: a.name, role: a.role, password_hash: a.passwordHash, commune_insee: a.communeInsee, service_code: a.serviceCode,
    organisation_code: a.organisationCode, active: true,
  }).returning('id');
  return (row as { id: number }).id;
}

export interface AccountChange {
  name?: string; role?: Role; communeInsee?: string | null; serviceCode?: string | null; organisationCode?: string | null; active?: boolean;
}

/** Changes an account; a deactivated account's sessions end in the same transaction (the session cache is emptied by the write). */
export async function updateAccount(knex: Knex, id: number, c: AccountChange): Promise<void> {
  const row: Record<string, unknown> = {};
  if (c.name !== undefined) row.name = c.name;
  if (c.role !== undefined) row.role = c.role;
  if (c.communeInsee !== undefined) row.commune_insee = c.communeInsee;
  if (c.serviceCode !== undefined) row.service_code = c.serviceCode;
  if (c.organisationCode !== undefined) row.organisation_code = c.organisationCode;
  if (c.active !== undefined) row.active = c.active;
  if (Object.keys(row).length) await knex('users').where({ id }).update(row);
  if (c.active === false) {
    await knex('sessions').where({ user_id: id }).delete();
    await dropPendingLinks(knex, id); // a link sent before must not reopen the account once reactivated
  }
}

/** Ends every session of an account (after a password change, a role change). */
export async function endSessions(knex: Knex, userId: number): Promise<void> {
  await knex('sessions').where({ user_id: userId }).delete();
}

/** What the scope of an account is checked against: the territory's communes, the services with their organisations. */
export async function scopeReferences(knex: Knex): Promise<{ communes: Set<string>; services: Map<string, string>; organisations: Set<string> }> {
  const [communes, services, organisations] = await Promise.all([
    knex('communes').where({ in_territory: true }).pluck('insee') as Promise<string[]>,
    knex('services').select('code', 'organisation_code') as Promise<{ code: string; organisation_code: string }[]>,
    knex('organisations').pluck('code') as Promise<string[]>,
  ]);
  return { communes: new Set(communes), services: new Map(services.map((s) => [s.code, s.organisation_code])), organisations: new Set(organisations) };
}

// ---- one-time links to set a password -------------------------------------------------------

export type PasswordTokenPurpose = 'invitation' | 'reset';
const hashToken = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Drops the one-time links of an account not used yet: when a newer one is sent, when its password is set another way
 * (`npm run user:create`), when it is deactivated. A link stands for "the password as the administrator left it".
 */
export async function dropPendingLinks(knex: Knex, userId: number): Promise<void> {
  await knex('password_tokens').where({ user_id: userId }).whereNull('used_at').delete();
}

/** A new one-time token for an account (earlier unused ones of the account are dropped); returns the token in clear. */
export async function createPasswordToken(knex: Knex, t: { userId: number; purpose: PasswordTokenPurpose; createdBy: number | null; hours: number }): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + t.hours * 3600_000);
  await dropPendingLinks(knex, t.userId);
  await knex('password_tokens').insert({ token_hash: hashToken(token), user_id: t.userId, purpose: t.purpose, created_by: t.createdBy, expires_at: expiresAt });
  return { token, expiresAt };
}

/**
 * Spends a token: marks it used and returns its account, in one statement (two requests with the same token cannot
 * both succeed); null when unknown, used, expired or its account deactivated.
 */
export async function consumePasswordToken(knex: Knex, token: string): Promise<{ userId: number; purpose: PasswordTokenPurpose } | null> {
  const { rows } = await knex.raw(
    `UPDATE password_tokens t SET used_at = now()
     FROM users u
     WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > now() AND u.id = t.user_id AND u.active
     RETURNING t.user_id AS "userId", t.purpose`,
    [hashToken(token)],
  );
  return (rows[0] as { userId: number; purpose: PasswordTokenPurpose } | undefined) ?? null;
}

export async function setPasswordHash(knex: Knex, userId: number, passwordHash: string): Promise<void> {
  await knex('users').where({ id: userId }).update({ password_hash: passwordHash });
}

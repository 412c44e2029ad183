import type { Knex } from 'knex';
import { hashPassword } from '../auth/passwords.js';
import {
  accountById, consumePasswordToken, createPasswordToken, emailTaken, endSessions, insertAccount, scopeReferences, setPasswordHash,
  updateAccount, type AccountRow, type PasswordTokenPurpose,
} from '../data/accounts.js';
import { queueMail } from '../data/reports.js';
import { audit } from '../data/users.js';
import { checkAccountScope, PASSWORD_MIN_LENGTH, passwordProblem, type AccountScope } from '../domain/accounts.js';
import { normalizeEmail } from '../domain/email.js';
import type { Role } from '../domain/territory.js';
import { AppError, notFound } from '../http/errors.js';
import crypto from 'node:crypto';

/** How long a one-time link stays valid. */
export const LINK_HOURS: Record<PasswordTokenPurpose, number> = { invitation: 7 * 24, reset: 24 };
export { PASSWORD_MIN_LENGTH };

/** The page a one-time link opens; the token travels in the fragment, so it never reaches a server log. */
export const passwordLink = (publicUrl: string, token: string) => `${publicUrl.replace(/\/$/, '')}/mot-de-passe#jeton=${token}`;

const invalid = (field: string, message: string) => new AppError(422, 'invalid_input', `${field} : ${message}`, [{ field, message }]);

/** The scope of a role, checked by the one domain rule (checkAccountScope), or a 422 naming the field. */
async function scopeFor(knex: Knex, role: Role, input: Partial<AccountScope>): Promise<AccountScope> {
  const check = checkAccountScope(role, input, await scopeReferences(knex));
  if (!check.valid) throw invalid(check.field, check.reason);
  return check.scope;
}

function linkMail(purpose: PasswordTokenPurpose, a: { name: string; email: string }, link: string, hours: number) {
  const validity = hours >= 48 ? `${Math.round(hours / 24)} jours` : `${hours} heures`;
  return purpose === 'invitation'
    ? { subject: '[GUP] Votre compte GUP', body: `Bonjour ${a.name},\n\nun compte GUP vient d'être ouvert pour vous (${a.email}).\nChoisissez votre mot de passe en ouvrant ce lien, valable ${validity} et une seule fois :\n\n${link}\n\nSi vous n'attendiez pas ce message, ignorez-le.\n` }
    : { subject: '[GUP] Nouveau mot de passe', body: `Bonjour ${a.name},\n\nun administrateur a demandé la réinitialisation de votre mot de passe GUP (${a.email}).\nChoisissez-en un nouveau en ouvrant ce lien, valable ${validity} et une seule fois :\n\n${link}\n\nVotre ancien mot de passe ne fonctionne plus.\n` };
}

/** Sends a one-time link (queued in the outbox with the change that causes it). */
async function sendLink(trx: Knex.Transaction, a: { id: number; name: string; email: string }, purpose: PasswordTokenPurpose, actorId: number, publicUrl: string) {
  const hours = LINK_HOURS[purpose];
  const { token, expiresAt } = await createPasswordToken(trx, { userId: a.id, purpose, createdBy: actorId, hours });
  await queueMail(trx, { to: a.email, ...linkMail(purpose, a, passwordLink(publicUrl, token), hours), reportId: null });
  return expiresAt;
}

export interface NewAccount extends Partial<AccountScope> { email: string; name: string; role: Role }

/**
 * Creates an account: e-mail normalised and unique, scope consistent with the role; no password is set — the person
 * receives a one-time link to choose one. Audited.
 */
export async function createAccount(knex: Knex, actorId: number, input: NewAccount, publicUrl: string): Promise<AccountRow> {
  const email = normalizeEmail(input.email);
  return knex.transaction(async (trx) => {
    const scope = await scopeFor(trx, input.role, input);
    if (await emailTaken(trx, email)) throw new AppError(409, 'conflict', `Un compte existe déjà pour ${email}`, [{ field: 'email', message: 'adresse déjà utilisée' }]);
    // unusable until the person sets one through the link
    const passwordHash = await hashPassword(crypto.randomBytes(32).toString('base64url'));
    const id = await insertAccount(trx, { email, name: input.name.trim(), role: input.role, passwordHash, ...scope });
    const after = (await accountById(trx, id))!;
    await sendLink(trx, after, 'invitation', actorId, publicUrl);
    await audit(trx, { userId: actorId, action: 'user.create', entity: 'user', entityId: String(id), details: { before: null, after: publicFields(after) } });
    return after;
  });
}

export interface AccountUpdate extends Partial<AccountScope> { name?: string; role?: Role; active?: boolean }

/**
 * Changes an account's name, role and scope (checked together by the domain rule), or (de)activates it: a
 * deactivated account's sessions end at once, and so do those of an account whose role or scope changed. An admin
 * cannot deactivate or demote their own account (nobody would be left to undo it). Audited with before and after.
 */
export async function changeAccount(knex: Knex, actorId: number, id: number, input: AccountUpdate): Promise<AccountRow> {
  return knex.transaction(async (trx) => {
    const before = await accountById(trx, id);
    if (!before) throw notFound(`Compte ${id}`);
    if (id === actorId && (input.active === false || (input.role && input.role !== 'admin'))) {
      throw new AppError(409, 'conflict', 'Vous ne pouvez pas désactiver votre propre compte ni retirer votre rôle administrateur', [{ field: input.active === false ? 'active' : 'role', message: 'votre propre compte' }]);
    }
    const role = input.role ?? before.role;
    const scopeTouched = input.role !== undefined || input.communeInsee !== undefined || input.serviceCode !== undefined || input.organisationCode !== undefined;
    // a new role starts from no commune nor service (what the old role needed, the new one may forbid), unless given
    const roleChanged = role !== before.role;
    const given = <T>(value: T | undefined, old: T, reset: boolean): T | null => (value !== undefined ? value : reset ? null : old);
    const scope = scopeTouched
      ? await scopeFor(trx, role, {
        communeInsee: given(input.communeInsee, before.communeInsee, roleChanged),
        serviceCode: given(input.serviceCode, before.serviceCode, roleChanged),
        organisationCode: given(input.organisationCode, before.organisationCode, roleChanged && (role === 'service_agent' || before.role === 'service_agent')), // a service's organisation goes with it
      })
      : {};
    await updateAccount(trx, id, { ...(input.name !== undefined ? { name: input.name.trim() } : {}), role, ...scope, ...(input.active !== undefined ? { active: input.active } : {}) });
    const after = (await accountById(trx, id))!;
    if (after.role !== before.role || after.communeInsee !== before.communeInsee || after.serviceCode !== before.serviceCode) await endSessions(trx, id);
    const action = input.active === false && before.active ? 'user.deactivate' : input.active === true && !before.active ? 'user.activate' : 'user.update';
    await audit(trx, { userId: actorId, action, entity: 'user', entityId: String(id), details: { before: publicFields(before), after: publicFields(after) } });
    return after;
  });
}

/**
 * Resets a password: the current one stops working at once (replaced by an unusable one, sessions ended), and the
 * person receives a one-time link to choose a new one. Audited (never the token).
 */
export async function resetPassword(knex: Knex, actorId: number, id: number, publicUrl: string): Promise<{ expiresAt: Date }> {
  return knex.transaction(async (trx) => {
    const account = await accountById(trx, id);
    if (!account) throw notFound(`Compte ${id}`);
    if (!account.active) throw new AppError(409, 'conflict', 'Compte désactivé : réactivez-le d\'abord', [{ field: 'id', message: 'compte désactivé' }]);
    await setPasswordHash(trx, id, await hashPassword(crypto.randomBytes(32).toString('base64url')));
    await endSessions(trx, id);
    const expiresAt = await sendLink(trx, account, 'reset', actorId, publicUrl);
    await audit(trx, { userId: actorId, action: 'user.password_reset', entity: 'user', entityId: String(id), details: { before: null, after: { email: account.email, linkExpiresAt: expiresAt.toISOString() } } });
    return { expiresAt };
  });
}

/** Sets the password of a one-time link (used once, not expired); the account's other sessions end. */
export async function setPasswordWithToken(knex: Knex, token: string, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw invalid('password', problem);
  const passwordHash = await hashPassword(password);
  await knex.transaction(async (trx) => {
    const spent = await consumePasswordToken(trx, token);
    if (!spent) throw new AppError(410, 'link_expired', 'Lien invalide, déjà utilisé ou expiré : demandez-en un nouveau à un administrateur', [{ field: 'token', message: 'invalide, utilisé ou expiré' }]);
    await setPasswordHash(trx, spent.userId, passwordHash);
    await endSessions(trx, spent.userId);
    await audit(trx, { userId: spent.userId, action: 'user.password_set', entity: 'user', entityId: String(spent.userId), details: { purpose: spent.purpose } });
  });
}

/** What the audit log keeps of an account (no password, no dates that change by themselves). */
function publicFields(a: AccountRow) {
  return { email: a.email, name: a.name, role: a.role, communeInsee: a.communeInsee, serviceCode: a.serviceCode, organisationCode: a.organisationCode, active: a.active };
}

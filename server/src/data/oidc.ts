import type { Knex } from 'knex';

/** A sign-in in progress at the identity provider: what the callback must find again. */
export interface OidcLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Keeps a sign-in in progress, found by the hash of the browser's binding cookie, until `expiresAt`. */
export async function insertOidcLogin(knex: Knex, bindingHash: string, login: OidcLogin, expiresAt: Date): Promise<void> {
  await knex('oidc_logins').where('expires_at', '<=', knex.fn.now()).delete();
  await knex('oidc_logins').insert({ binding_hash: bindingHash, state: login.state, nonce: login.nonce, code_verifier: login.codeVerifier, expires_at: expiresAt });
}

/** Takes a sign-in in progress (once: it is deleted), or null when unknown or expired. */
export async function takeOidcLogin(knex: Knex, bindingHash: string): Promise<OidcLogin | null> {
  const rows = (await knex('oidc_logins').where({ binding_hash: bindingHash }).delete().returning(['state', 'nonce', 'code_verifier', 'expires_at'])) as
    { state: string; nonce: string; code_verifier: string; expires_at: Date }[];
  const r = rows[0];
  if (!r || new Date(r.expires_at).getTime() <= Date.now()) return null;
  return { state: r.state, nonce: r.nonce, codeVerifier: r.code_verifier };
}

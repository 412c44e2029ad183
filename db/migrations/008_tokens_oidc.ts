import type { Knex } from 'knex';

/**
 * Issue 15: personal API tokens (desktop GIS, `Authorization: Bearer`) and single sign-on (OpenID Connect).
 * - api_tokens: only the SHA-256 of a token is stored (hex); revoking deletes the row.
 * - oidc_logins: a sign-in in progress (state, nonce, PKCE verifier), found by the SHA-256 of the browser's short-lived
 *   `gup_oidc` cookie, used once, ten minutes at most.
 * - sessions.oidc_id_token: the provider's ID token of a session opened through it (logout at the provider).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('label').notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true });
    t.index('user_id');
  });
  await knex.schema.createTable('oidc_logins', (t) => {
    t.string('binding_hash', 64).primary();
    t.text('state').notNullable();
    t.text('nonce').notNullable();
    t.text('code_verifier').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.text('oidc_id_token');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropColumn('oidc_id_token');
  });
  await knex.schema.dropTableIfExists('oidc_logins');
  await knex.schema.dropTableIfExists('api_tokens');
}

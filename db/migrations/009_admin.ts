import type { Knex } from 'knex';

/**
 * Administration in the browser (issue 14 §1):
 * - `password_tokens`: one-time links to set a password (invitation of a new account, reset by an admin). Only the
 *   token's SHA-256 is stored; a token is used once (`used_at`) and expires.
 * - `import_jobs`: an import started from the browser (files uploaded, then the same `importPaths` as `npm run import`),
 *   polled for its progress; its per-file history stays in `imports`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('password_tokens', (t) => {
    t.string('token_hash', 64).primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('purpose').notNullable(); // invitation | reset
    t.integer('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index('user_id');
  });
  await knex.schema.createTable('import_jobs', (t) => {
    t.increments('id');
    t.integer('user_id');
    t.text('status').notNullable().defaultTo('running'); // running | done | failed
    t.jsonb('files').notNullable(); // [{ name, bytes }]
    t.text('current_file');
    t.jsonb('summaries').notNullable().defaultTo('[]');
    t.text('error');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });
  await knex.schema.alterTable('audit_log', (t) => {
    t.index(['at'], 'audit_log_at_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropIndex(['at'], 'audit_log_at_idx');
  });
  await knex.schema.dropTableIfExists('import_jobs');
  await knex.schema.dropTableIfExists('password_tokens');
}

import type { Knex } from 'knex';

/**
 * Delivery of the outbox (server/src/services/mailer.ts): attempts, the last error and when to try again.
 * status: pending (to send, or kept while no SMTP server is configured) | sent | failed (given up, see last_error).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('next_attempt_at', { useTz: true });
  });
  // the sender's queue: pending rows in order, whatever the size of the history
  await knex.raw(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE status = 'pending'`);
  await knex.raw('CREATE INDEX outbox_report_idx ON outbox (report_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS outbox_report_idx');
  await knex.raw('DROP INDEX IF EXISTS outbox_pending_idx');
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumns('attempts', 'last_error', 'next_attempt_at');
  });
}

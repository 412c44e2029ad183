import type { Knex } from 'knex';

/** Reports: copies to other services, the delay basis, the channel, and API keys for the communes' software (Open311). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reports', (t) => {
    t.specificType('also_notify', 'text[]').notNullable().defaultTo('{}');
    t.text('delay_basis');
    t.text('source').notNullable().defaultTo('web'); // web | open311
    t.index(['category_code', 'created_at']);
  });
  await knex.schema.createTable('open311_keys', (t) => {
    t.increments('id');
    t.string('key_hash', 64).notNullable().unique();
    t.string('commune_insee', 5).notNullable();
    t.integer('user_id').notNullable().references('users.id'); // the account reports are filed under
    t.text('label').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('open311_keys');
  await knex.schema.alterTable('reports', (t) => {
    t.dropIndex(['category_code', 'created_at']);
    t.dropColumns('also_notify', 'delay_basis', 'source');
  });
}

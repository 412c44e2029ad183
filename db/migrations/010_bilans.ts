import type { Knex } from 'knex';

/**
 * Issue 12 item 7: the free-text section of a commune in the annual review (bilan), per year. The commune (or an
 * officer) writes a draft; an officer validates it, which copies the draft as the validated text shown to every reader.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bilan_texts', (t) => {
    t.integer('year').notNullable();
    t.string('commune_insee', 5).notNullable().references('communes.insee').onDelete('CASCADE');
    t.text('draft').notNullable();
    t.integer('draft_by').references('users.id').onDelete('SET NULL');
    t.timestamp('draft_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('validated');
    t.integer('validated_by').references('users.id').onDelete('SET NULL');
    t.timestamp('validated_at', { useTz: true });
    t.primary(['year', 'commune_insee']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('bilan_texts');
}

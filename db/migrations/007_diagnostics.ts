import type { Knex } from 'knex';

/**
 * Walking diagnoses (DESIGN 3.6): sessions, their observations (idempotent by the client's UUID) and photos, and the
 * action plan. Reports made from an observation keep `source = 'diagnosis'` and are linked from the observation.
 */
export async function up(knex: Knex): Promise<void> {
  // reports.source (003) is free text: 'diagnosis' joins 'web' and 'open311' (REPORT_SOURCES in domain/reports.ts)
  await knex.schema.createTable('diagnostics', (t) => {
    t.increments('id');
    t.text('title').notNullable();
    t.string('commune_insee', 5).notNullable().references('communes.insee');
    t.text('qpv_code');
    t.integer('subsector_id');
    t.date('held_on').notNullable();
    t.text('slot');
    t.specificType('geom', 'geometry(Geometry,4326)').notNullable(); // route (LineString) or area (Polygon, MultiPolygon)
    t.jsonb('participants').notNullable().defaultTo('[]');
    t.text('status').notNullable().defaultTo('planned'); // planned | in_progress | triage | closed
    t.text('decisions');
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index('geom', 'diagnostics_geom_gist', 'gist');
    t.index(['commune_insee', 'held_on']);
  });
  await knex.schema.createTable('action_items', (t) => {
    t.increments('id');
    t.text('title').notNullable();
    t.text('description');
    t.string('commune_insee', 5).notNullable().references('communes.insee');
    t.text('qpv_code');
    t.text('origin').notNullable(); // diagnosis | committee | report
    t.integer('diagnostic_id').references('diagnostics.id');
    t.integer('report_id').references('reports.id');
    t.text('owner_organisation');
    t.text('owner_service');
    t.date('due_on');
    t.text('status').notNullable().defaultTo('planned'); // planned | in_progress | done | dropped
    t.text('evidence');
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['commune_insee', 'status']);
  });
  await knex.schema.createTable('diagnostic_observations', (t) => {
    t.increments('id');
    t.integer('diagnostic_id').notNullable().references('diagnostics.id').onDelete('CASCADE');
    t.uuid('uuid').notNullable().unique(); // made on the device: a replayed sync finds it
    t.specificType('geom', 'geometry(Point,4326)').notNullable();
    t.text('criterion').notNullable();
    t.text('kind').notNullable(); // dysfunction | positive | proposal
    t.text('severity'); // urgent | to_schedule | to_monitor
    t.text('text').notNullable().defaultTo('');
    t.integer('author_id').notNullable().references('users.id');
    t.timestamp('captured_at', { useTz: true }).notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.jsonb('suggestion'); // the service the lookup (3.1) suggests: { service, reason } or null
    t.text('outcome').notNullable().defaultTo('pending'); // pending | report | action | dismissed | merged
    t.text('outcome_reason');
    t.integer('report_id').references('reports.id');
    t.integer('action_id').references('action_items.id');
    t.integer('merged_into').references('diagnostic_observations.id');
    t.integer('triaged_by').references('users.id');
    t.timestamp('triaged_at', { useTz: true });
    t.index('geom', 'diagnostic_observations_geom_gist', 'gist');
    t.index(['diagnostic_id']);
  });
  await knex.schema.alterTable('action_items', (t) => {
    t.integer('observation_id').references('diagnostic_observations.id');
  });
  await knex.schema.createTable('diagnostic_photos', (t) => {
    t.increments('id');
    t.integer('observation_id').notNullable().references('diagnostic_observations.id').onDelete('CASCADE');
    t.uuid('uuid').notNullable().unique();
    t.text('mime').notNullable();
    t.binary('data').notNullable();
    t.binary('thumbnail').notNullable();
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('diagnostic_photos');
  await knex.schema.alterTable('action_items', (t) => t.dropColumn('observation_id'));
  await knex.schema.dropTableIfExists('diagnostic_observations');
  await knex.schema.dropTableIfExists('action_items');
  await knex.schema.dropTableIfExists('diagnostics');
}

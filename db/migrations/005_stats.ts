import type { Knex } from 'knex';

/**
 * Statistics (issue 12, DESIGN 3.5): what the indicators need, kept on the report by the transition code
 * (`applyAction`, server/src/services/reports.ts) and backfilled here from the timeline; the Lambert-93 100 m cell of
 * each report (hotspots); closed periods with the per-report facts frozen at closing (`stats_period_facts`, the same
 * columns as the live facts of server/src/data/stats.ts, so that one aggregation reads both).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reports', (t) => {
    // first taken into account by the service it is routed to (acknowledge, start or resolve); a transfer resets it
    // (new service, new clock), a reopening keeps it
    t.timestamp('ack_at', { useTz: true });
    // when it last left the open statuses (resolved, rejected, merged as duplicate); null while open
    t.timestamp('finished_at', { useTz: true });
    t.integer('transfer_count').notNullable().defaultTo(0);
    t.integer('reopened_count').notNullable().defaultTo(0);
    t.smallint('satisfaction'); // the commune's optional 1–5 rating when it closes the report
    t.text('satisfaction_comment');
    t.boolean('synthetic').notNullable().defaultTo(false); // demo activity (server/src/demo-activity.ts)
  });
  await knex.raw('ALTER TABLE reports ADD CONSTRAINT reports_satisfaction_range CHECK (satisfaction BETWEEN 1 AND 5)');
  // the 100 m Lambert-93 cell (EPSG:2154) of the report, for hotspots: computed once at insert, never per query
  await knex.raw(`ALTER TABLE reports
    ADD COLUMN cell_x integer GENERATED ALWAYS AS (floor(ST_X(ST_Transform(geom, 2154)) / 100)::integer) STORED,
    ADD COLUMN cell_y integer GENERATED ALWAYS AS (floor(ST_Y(ST_Transform(geom, 2154)) / 100)::integer) STORED`);
  await knex.raw('CREATE INDEX reports_created_at_idx ON reports (created_at)');

  // backfill from the timeline
  await knex.raw(`UPDATE reports r SET
      ack_at = COALESCE(r.acknowledged_at, (SELECT min(e.at) FROM report_events e WHERE e.report_id = r.id AND e.to_status IN ('acknowledged', 'in_progress', 'resolved'))),
      finished_at = CASE WHEN r.status IN ('resolved', 'closed') THEN r.resolved_at WHEN r.status IN ('rejected', 'duplicate') THEN r.updated_at END,
      transfer_count = (SELECT count(*) FROM report_events e WHERE e.report_id = r.id AND e.to_status = 'transferred'),
      reopened_count = (SELECT count(*) FROM report_events e WHERE e.report_id = r.id AND e.from_status IN ('resolved', 'closed') AND e.to_status = 'submitted')`);

  await knex.schema.createTable('stats_periods', (t) => {
    t.increments('id');
    t.text('label').notNullable();
    t.date('from_date').notNullable(); // inclusive, Paris time
    t.date('to_date').notNullable(); // inclusive, Paris time
    t.integer('closed_by').notNullable().references('users.id');
    t.timestamp('closed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['from_date', 'to_date']);
  });
  await knex.schema.createTable('stats_period_facts', (t) => {
    t.integer('period_id').notNullable().references('stats_periods.id').onDelete('CASCADE');
    t.integer('report_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.string('commune_insee', 5).notNullable();
    t.text('sector_code');
    t.text('qpv_code');
    t.integer('subsector_id');
    t.text('organisation_code').notNullable();
    t.text('service_code').notNullable();
    t.specificType('also_notify', 'text[]').notNullable();
    t.text('theme_code').notNullable();
    t.text('category_code').notNullable();
    t.boolean('urgent').notNullable();
    t.boolean('urgency_not_justified').notNullable();
    t.text('source').notNullable();
    t.boolean('synthetic').notNullable();
    t.text('status').notNullable();
    t.timestamp('ack_due_at', { useTz: true }).notNullable();
    t.timestamp('resolve_due_at', { useTz: true }).notNullable();
    t.timestamp('ack_at', { useTz: true });
    t.timestamp('resolved_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.integer('transfer_count').notNullable();
    t.integer('reopened_count').notNullable();
    t.smallint('satisfaction');
    t.primary(['period_id', 'report_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('stats_period_facts');
  await knex.schema.dropTableIfExists('stats_periods');
  await knex.raw('DROP INDEX IF EXISTS reports_created_at_idx');
  await knex.raw('ALTER TABLE reports DROP CONSTRAINT IF EXISTS reports_satisfaction_range');
  await knex.schema.alterTable('reports', (t) => {
    t.dropColumns('ack_at', 'finished_at', 'transfer_count', 'reopened_count', 'satisfaction', 'satisfaction_comment', 'synthetic', 'cell_x', 'cell_y');
  });
}

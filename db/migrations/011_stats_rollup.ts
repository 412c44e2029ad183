import type { Knex } from 'knex';
import { rebuildStatsRollup, rollupSchemaSql } from '../../server/src/data/stats-rollup.js';

/**
 * Issue 12's target at 1 000 000 reports: the statistics roll-up (`stats_rollup`, per Paris day and per Paris month ×
 * the dimension keys), kept exact by statement-level triggers on `reports`, and the partial index of the reports still
 * pending; filled here from the existing reports. The definitions live in server/src/data/stats-rollup.ts.
 */
export async function up(knex: Knex): Promise<void> {
  for (const sql of rollupSchemaSql()) await knex.raw(sql);
  await rebuildStatsRollup(knex);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['insert', 'update', 'delete', 'truncate']) await knex.raw(`DROP TRIGGER IF EXISTS stats_rollup_${t} ON reports`);
  for (const f of ['stats_rollup_apply()', 'stats_rollup_truncate()', 'stats_hours_merge(integer[], integer[], integer[])']) await knex.raw(`DROP FUNCTION IF EXISTS ${f}`);
  for (const i of ['reports_stats_pending_idx', 'reports_finished_at_idx']) await knex.raw(`DROP INDEX IF EXISTS ${i}`);
  await knex.schema.dropTableIfExists('stats_rollup');
}

/**
 * The statistics roll-up (migration 011, which holds its definitions): rebuilding it from the reports, and comparing
 * it with such a rebuild.
 */
import type { Knex } from 'knex';
import { fromReportsSql, ROLLUP_COLUMNS, ROLLUP_HOURS, ROLLUP_KEYS, ROLLUP_MEASURES } from '../../../db/migrations/011_stats_rollup.js';

export { COUNTED, DELAY_HOURS, PENDING_PREDICATE, ROLLUP_HOURS, ROLLUP_MEASURES } from '../../../db/migrations/011_stats_rollup.js';

type Db = Knex | Knex.Transaction;

const KEYS = ROLLUP_KEYS.join(', ');
const NAMES = ROLLUP_MEASURES.map((m) => m.name);

/**
 * Rebuilds the roll-up from the reports for whole months covering the Paris days [from, to] (every day when absent):
 * after a bulk load done with the triggers disabled, or to repair. The months are widened so that the month rows
 * stay whole.
 *
 * Safe beside live writers: it first locks `reports` against writes (reads go on), waiting for the transactions
 * writing reports now to end. Without it, a writer's trigger could hold roll-up rows the rebuild is deleting while
 * waiting for rows the rebuild already deleted (a deadlock), or commit between the rebuild's delete and insert.
 */
export async function rebuildStatsRollup(db: Knex, range?: { from: string; to: string }): Promise<void> {
  const months = range
    ? { from: `${range.from.slice(0, 7)}-01`, to: (await db.raw(`SELECT to_char((date_trunc('month', ?::date) + interval '1 month - 1 day')::date, 'YYYY-MM-DD') AS d`, [range.to])).rows[0].d as string }
    : undefined;
  await db.transaction(async (trx) => {
    await trx.raw('LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE');
    if (months) await trx.raw('DELETE FROM stats_rollup WHERE day BETWEEN date_trunc(\'month\', ?::date)::date AND ?::date', [months.from, months.to]);
    else await trx.raw('TRUNCATE stats_rollup');
    const src = fromReportsSql(months);
    await trx.raw(`INSERT INTO stats_rollup (${ROLLUP_COLUMNS}) ${src.sql}`, src.bindings);
  });
}

/** The rows where the stored roll-up and a fresh rebuild from the reports differ (empty when the roll-up is exact). */
export async function rollupDrift(db: Db): Promise<Record<string, unknown>[]> {
  const src = fromReportsSql();
  const cols = `grain, day, ${KEYS}, ${NAMES.join(', ')}, ${ROLLUP_HOURS.map((x) => x.name).join(', ')}`;
  const { rows } = await db.raw(
    `(SELECT 'stored' AS side, ${cols} FROM stats_rollup EXCEPT ALL SELECT 'stored', ${cols} FROM (${src.sql}) b)
     UNION ALL
     (SELECT 'rebuilt', ${cols} FROM (${src.sql}) b EXCEPT ALL SELECT 'rebuilt', ${cols} FROM stats_rollup)`,
    [...src.bindings, ...src.bindings],
  );
  return rows;
}

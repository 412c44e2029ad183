import type { Knex } from 'knex';

/**
 * Issue 12's target at 1 000 000 reports: the statistics roll-up (`stats_rollup`), the time-independent counts of
 * DESIGN 3.5 and the delays' histograms summed per Paris day and per Paris month × the report's dimension keys, so
 * that a twelve-month dashboard sums a few thousand rows instead of aggregating 100 000 reports. The keys carry
 * `commune_insee`, `service_code` and `also_notify`, so the caller's `scopePredicate` applies to the roll-up unchanged
 * (services in copy included).
 *
 * Kept exact by the database itself: statement-level triggers on `reports` (INSERT, UPDATE, DELETE with their
 * transition tables, TRUNCATE) add the new rows' contributions and subtract the old ones, in the writer's statement and
 * transaction — the intake, every transition, transfers, merges, reopenings, ratings, service reassignment, the demo
 * activity's bulk insert, the bench's generator and tests' fixtures alike, with the same SQL on both engines.
 * What depends on the evaluation time (late while pending, backlog, overdue) is not rolled up: it is read from the
 * reports still pending (the partial index below), see server/src/data/stats.ts.
 *
 * The definitions below are this migration's: server/src/data/stats-rollup.ts and stats.ts read them from here (one
 * definition of each measure). Changing one means a new migration that re-creates the trigger function and rebuilds.
 */
/** The dimension keys of a roll-up row (beside its grain and day). */
export const ROLLUP_KEYS = ['commune_insee', 'service_code', 'also_notify', 'category_code', 'qpv_code', 'subsector_id', 'urgent', 'source', 'synthetic'] as const;

/** A report is counted in the delays unless rejected or merged (DESIGN 3.5). */
export const COUNTED = (a: string) => `(${a}.status NOT IN ('rejected', 'duplicate'))`;

/**
 * The time-independent measures: each one a per-report integer, summed. The one definition used by the roll-up's
 * triggers, its rebuild, and the frozen periods' aggregation (data/stats.ts).
 */
export const ROLLUP_MEASURES: readonly { name: string; expr: (a: string) => string }[] = [
  { name: 'received', expr: () => '1' },
  { name: 'ack_on_time', expr: (a) => `(${COUNTED(a)} AND ${a}.ack_at <= ${a}.ack_due_at IS TRUE)::int` },
  { name: 'ack_done', expr: (a) => `(${COUNTED(a)} AND ${a}.ack_at IS NOT NULL)::int` },
  { name: 'resolved_on_time', expr: (a) => `(${COUNTED(a)} AND ${a}.resolved_at <= ${a}.resolve_due_at IS TRUE)::int` },
  { name: 'resolved_done', expr: (a) => `(${COUNTED(a)} AND ${a}.resolved_at IS NOT NULL)::int` },
  { name: 'transfers', expr: (a) => `${a}.transfer_count` },
  { name: 'transferred', expr: (a) => `(${a}.transfer_count > 0)::int` },
  { name: 'rejected', expr: (a) => `(${a}.status = 'rejected')::int` },
  { name: 'duplicates', expr: (a) => `(${a}.status = 'duplicate')::int` },
  { name: 'reopened', expr: (a) => `(${a}.reopened_count > 0)::int` },
  { name: 'urgent_count', expr: (a) => `${a}.urgent::int` },
  { name: 'not_justified_count', expr: (a) => `${a}.urgency_not_justified::int` },
  { name: 'satisfaction_sum', expr: (a) => `COALESCE(${a}.satisfaction, 0)::int` },
  { name: 'satisfaction_count', expr: (a) => `(${a}.satisfaction IS NOT NULL)::int` },
];

/**
 * Hours from reception to acknowledgement / resolution of a counted report, rounded to the hour (null otherwise): the
 * delays' percentiles are computed from these (data/stats.ts).
 */
export const DELAY_HOURS = (a: string, at: 'ack_at' | 'resolved_at') =>
  `CASE WHEN ${COUNTED(a)} THEN round(extract(epoch FROM ${a}.${at} - ${a}.created_at) / 3600)::int END`;
/** The roll-up's delay histograms: each a sorted multiset of hours (one element per report). */
export const ROLLUP_HOURS = [{ name: 'ack_hours', at: 'ack_at' }, { name: 'resolve_hours', at: 'resolved_at' }] as const;

const KEYS = ROLLUP_KEYS.join(', ');
const NAMES = ROLLUP_MEASURES.map((m) => m.name);
/** The report's Paris day. */
const PARIS_DAY = (a: string) => `(${a}.created_at AT TIME ZONE 'Europe/Paris')::date`;

/**
 * The signed contributions of `source` (rows of reports with a `sign` column, aliased `d`) per grain, day and keys:
 * `d` = Paris day, `m` = first day of the Paris month. Groups whose every sum is zero (an update that moved nothing)
 * are left out.
 */
function contributions(source: string): string {
  const sums = ROLLUP_MEASURES.map((m) => `sum(d.sign * ${m.expr('d')})::int AS ${m.name}`).join(',\n      ');
  const hours = (sign: number, at: string) => {
    const h = DELAY_HOURS('d', at as 'ack_at');
    return `COALESCE(array_agg(${h} ORDER BY ${h}) FILTER (WHERE d.sign = ${sign} AND ${h} IS NOT NULL), '{}')`;
  };
  const histograms = ROLLUP_HOURS.map((x) => `${hours(1, x.at)} AS ${x.name}, ${hours(-1, x.at)} AS ${x.name}_gone`).join(', ');
  return `SELECT g.grain, CASE WHEN g.grain = 'd' THEN ${PARIS_DAY('d')} ELSE date_trunc('month', ${PARIS_DAY('d')})::date END AS day,
      ${ROLLUP_KEYS.map((k) => `d.${k}`).join(', ')},
      ${sums}, ${histograms}
    FROM (${source}) d CROSS JOIN (VALUES ('d'), ('m')) g(grain)
    GROUP BY 1, 2, ${ROLLUP_KEYS.map((_, i) => i + 3).join(', ')}
    HAVING ${[...ROLLUP_MEASURES.map((m) => `sum(d.sign * ${m.expr('d')}) <> 0`), ...ROLLUP_HOURS.map((x) => `${hours(1, x.at)} <> ${hours(-1, x.at)}`)].join(' OR ')}`;
}

const HOUR_COLUMNS = ROLLUP_HOURS.flatMap((x) => [x.name, `${x.name}_gone`]).join(', ');
/** The columns a rebuild inserts, in the order of `fromReportsSql`'s select list. */
export const ROLLUP_COLUMNS = `grain, day, ${KEYS}, ${NAMES.join(', ')}, ${HOUR_COLUMNS}`;
/** Adds the contributions of `source` to the roll-up, then drops the groups left empty (none when only adding). */
const applySql = (source: string, prune = true) => `
  INSERT INTO stats_rollup AS t (grain, day, ${KEYS}, ${NAMES.join(', ')}, ${HOUR_COLUMNS})
  ${contributions(source)}
  ON CONFLICT (grain, day, ${KEYS}) DO UPDATE SET ${NAMES.map((n) => `${n} = t.${n} + excluded.${n}`).join(', ')},
    ${ROLLUP_HOURS.map((x) => `${x.name} = stats_hours_merge(t.${x.name}, excluded.${x.name}, excluded.${x.name}_gone)`).join(', ')};
  ${prune ? 'DELETE FROM stats_rollup WHERE received = 0;' : ''}`;

/** The report columns the contributions read. */
const READ = ['created_at', ...ROLLUP_KEYS, 'status', 'ack_at', 'ack_due_at', 'resolved_at', 'resolve_due_at', 'transfer_count', 'reopened_count', 'urgency_not_justified', 'satisfaction']
  .filter((c, i, all) => all.indexOf(c) === i);
const pick = (sign: number, rel: string) => `SELECT ${sign} AS sign, ${READ.map((c) => `x.${c}`).join(', ')} FROM ${rel} x`;

/**
 * The statements creating the roll-up (table, indexes, triggers) — run by migration 011. Every key and measure is
 * NOT NULL but `qpv_code` and `subsector_id`, hence the unique index `NULLS NOT DISTINCT` (PostgreSQL ≥ 15).
 */
export function rollupSchemaSql(): string[] {
  return [
    `CREATE TABLE stats_rollup (
      grain text NOT NULL CHECK (grain IN ('d', 'm')),
      day date NOT NULL,
      commune_insee varchar(5) NOT NULL, service_code text NOT NULL, also_notify text[] NOT NULL, category_code text NOT NULL,
      qpv_code text, subsector_id integer, urgent boolean NOT NULL, source text NOT NULL, synthetic boolean NOT NULL,
      ${NAMES.map((n) => `${n} integer NOT NULL`).join(', ')},
      -- the delays' histograms (hours, sorted, one element per report); *_gone are empty but while a trigger merges
      ${ROLLUP_HOURS.map((x) => `${x.name} integer[] NOT NULL, ${x.name}_gone integer[] NOT NULL DEFAULT '{}'`).join(', ')})`,
    // the sorted multiset `cur` + `plus` − `minus`
    `CREATE FUNCTION stats_hours_merge(cur integer[], plus integer[], minus integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $body$
       SELECT COALESCE(array_agg(y.v ORDER BY y.v), '{}') FROM (
         SELECT x.v, sum(x.n)::int AS n FROM (SELECT v, 1 AS n FROM unnest(cur || plus) v UNION ALL SELECT v, -1 FROM unnest(minus) v) x GROUP BY x.v
       ) y CROSS JOIN LATERAL generate_series(1, y.n) $body$`,
    `CREATE UNIQUE INDEX stats_rollup_key ON stats_rollup (grain, day, ${KEYS}) NULLS NOT DISTINCT`,
    `CREATE INDEX stats_rollup_empty ON stats_rollup (grain) WHERE received = 0`,
    `CREATE FUNCTION stats_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $body$
     BEGIN
       IF TG_OP = 'INSERT' THEN ${applySql(pick(1, 'new_rows'), false)}
       ELSIF TG_OP = 'DELETE' THEN ${applySql(pick(-1, 'old_rows'))}
       ELSE ${applySql(`${pick(1, 'new_rows')} UNION ALL ${pick(-1, 'old_rows')}`)}
       END IF;
       RETURN NULL;
     END $body$`,
    `CREATE FUNCTION stats_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $body$
     BEGIN TRUNCATE stats_rollup; RETURN NULL; END $body$`,
    `CREATE TRIGGER stats_rollup_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_rollup_apply()`,
    `CREATE TRIGGER stats_rollup_update AFTER UPDATE ON reports REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_rollup_apply()`,
    `CREATE TRIGGER stats_rollup_delete AFTER DELETE ON reports REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_rollup_apply()`,
    `CREATE TRIGGER stats_rollup_truncate AFTER TRUNCATE ON reports FOR EACH STATEMENT EXECUTE FUNCTION stats_rollup_truncate()`,
    // the reports whose figures still depend on the evaluation time: open, or not yet acknowledged / resolved
    `CREATE INDEX reports_stats_pending_idx ON reports (created_at) WHERE ${PENDING_PREDICATE()}`,
    // backlog at the end of a past period: the reports finished after it
    `CREATE INDEX reports_finished_at_idx ON reports (finished_at)`,
  ];
}

/** The reports whose figures may still change with time alone (the partial index above, written once). */
export const PENDING_PREDICATE = (alias?: string) => {
  const c = (col: string) => (alias ? `${alias}.${col}` : col);
  return `(${c('finished_at')} IS NULL OR ((${c('ack_at')} IS NULL OR ${c('resolved_at')} IS NULL) AND ${c('status')} NOT IN ('rejected', 'duplicate')))`;
};

/** The roll-up rows a rebuild from the reports would hold, for the Paris days [from, to] (all days when absent). */
export function fromReportsSql(range?: { from: string; to: string }): { sql: string; bindings: string[] } {
  const where = range ? `WHERE ${PARIS_DAY('r')} BETWEEN ?::date AND ?::date` : '';
  return { sql: contributions(`SELECT 1 AS sign, r.* FROM reports r ${where}`), bindings: range ? [range.from, range.to] : [] };
}

export async function up(knex: Knex): Promise<void> {
  for (const sql of rollupSchemaSql()) await knex.raw(sql);
  const fill = fromReportsSql();
  await knex.raw(`INSERT INTO stats_rollup (${ROLLUP_COLUMNS}) ${fill.sql}`, fill.bindings);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['insert', 'update', 'delete', 'truncate']) await knex.raw(`DROP TRIGGER IF EXISTS stats_rollup_${t} ON reports`);
  for (const f of ['stats_rollup_apply()', 'stats_rollup_truncate()', 'stats_hours_merge(integer[], integer[], integer[])']) await knex.raw(`DROP FUNCTION IF EXISTS ${f}`);
  for (const i of ['reports_stats_pending_idx', 'reports_finished_at_idx']) await knex.raw(`DROP INDEX IF EXISTS ${i}`);
  await knex.schema.dropTableIfExists('stats_rollup');
}

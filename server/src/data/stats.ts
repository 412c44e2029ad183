/**
 * Statistics of interventions (DESIGN 3.5), computed by PostgreSQL in one statement per question: the facts (live, the
 * roll-up's rows of the period and the reports still pending; or frozen in `stats_period_facts` for a closed period) →
 * the caller's scope (`scopePredicate`) and filters → aggregations with `GROUPING SETS` (the rows and the totals together).
 */
import type { Knex } from 'knex';
import type { ReportScope } from '../domain/access.js';
import { BACKLOG_BANDS_HOURS, rollupSlices, type Channel, type StatsDimension, type StatsMeasures } from '../domain/stats.js';
import type { ClosedPeriod } from '../domain/api.js';
import { OPEN_STATUSES_SQL, scopePredicate, type SqlPart } from './access.js';
import { COUNTED, DELAY_HOURS, PENDING_PREDICATE, ROLLUP_HOURS, ROLLUP_MEASURES } from './stats-rollup.js';

export type { ClosedPeriod, StatsMeasures };

type Db = Knex | Knex.Transaction;

export interface StatsFilters {
  commune?: string | undefined;
  /** In a QPV or not, or one QPV by its code. */
  qpv?: boolean | string | undefined;
  sector?: string | undefined;
  subsector?: number | undefined;
  organisation?: string | undefined;
  service?: string | undefined;
  theme?: string | undefined;
  category?: string | undefined;
  urgent?: boolean | undefined;
  channel?: Channel | undefined;
  synthetic?: boolean | undefined;
}

/** Calendar days, both included, in Paris time. */
export interface Period {
  from: string;
  to: string;
}

/**
 * The facts of one report, the unit every indicator is computed from; a closed period stores exactly these columns
 * (`stats_period_facts`), so one aggregation reads the live and the frozen figures.
 */
const FACT_COLUMNS = [
  'report_id', 'created_at', 'commune_insee', 'sector_code', 'qpv_code', 'subsector_id', 'organisation_code', 'service_code',
  'also_notify', 'theme_code', 'category_code', 'urgent', 'urgency_not_justified', 'source', 'synthetic', 'status', 'ack_due_at',
  'resolve_due_at', 'ack_at', 'resolved_at', 'finished_at', 'transfer_count', 'reopened_count', 'satisfaction',
] as const;

/** Start (inclusive) and end (exclusive) of a period as instants: Paris midnights. */
const T0 = `((?::date)::timestamp AT TIME ZONE 'Europe/Paris')`;
const T1 = `(((?::date) + 1)::timestamp AT TIME ZONE 'Europe/Paris')`;

/** Columns of the facts that come from the configuration (a join each), not from the report itself. */
type JoinedColumn = 'theme_code' | 'organisation_code' | 'sector_code';
const ALL_JOINED: ReadonlySet<JoinedColumn> = new Set(['theme_code', 'organisation_code', 'sector_code']);

/**
 * The live facts of the reports received in a period (plus their Lambert-93 cell, for hotspots). The columns that
 * need a join are joined only when `joined` asks for them (NULL otherwise): a dashboard by commune does not pay for
 * the services, categories and communes tables on every row.
 */
function liveFacts(start: string, end: string, startBinding: Knex.Value, endBinding: Knex.Value, joined: ReadonlySet<JoinedColumn> = ALL_JOINED, also = ''): SqlPart {
  const col = (c: JoinedColumn, expr: string) => (joined.has(c) ? `${expr} AS ${c}` : `NULL::text AS ${c}`);
  return {
    sql: `SELECT r.id AS report_id, r.created_at, r.commune_insee, ${col('sector_code', 'm.sector_code')}, r.qpv_code, r.subsector_id,
        ${col('organisation_code', 's.organisation_code')}, r.service_code, r.also_notify, ${col('theme_code', 'c.theme_code')}, r.category_code,
        r.urgent, r.urgency_not_justified, r.source, r.synthetic, r.status, r.ack_due_at, r.resolve_due_at, r.ack_at, r.resolved_at, r.finished_at,
        r.transfer_count, r.reopened_count, r.satisfaction, r.cell_x, r.cell_y, r.created_at AT TIME ZONE 'Europe/Paris' AS local_time
      FROM reports r
      ${joined.has('theme_code') ? 'JOIN categories c ON c.code = r.category_code' : ''}
      ${joined.has('organisation_code') ? 'JOIN services s ON s.code = r.service_code' : ''}
      ${joined.has('sector_code') ? 'JOIN communes m ON m.insee = r.commune_insee' : ''}
      WHERE r.created_at >= ${start} AND r.created_at < ${end}${also ? ` AND ${also}` : ''}`,
    bindings: [startBinding, endBinding],
  };
}

/** The joined columns a question reads: its dimension's and its filters'. */
function joinsFor(groupBy: StatsDimension | null, f: StatsFilters): Set<JoinedColumn> {
  const need = new Set<JoinedColumn>();
  if (groupBy === 'theme' || f.theme !== undefined) need.add('theme_code');
  if (groupBy === 'organisation' || f.organisation !== undefined) need.add('organisation_code');
  if (groupBy === 'sector' || f.sector !== undefined) need.add('sector_code');
  return need;
}

/** The caller's scope and the filters, on facts aliased `f`. */
function factFilter(scope: ReportScope, f: StatsFilters): SqlPart {
  const visible = scopePredicate(scope, 'f');
  const where = [visible.sql];
  const b: Knex.Value[] = [...visible.bindings];
  const eq = (col: string, v: Knex.Value | undefined) => { if (v !== undefined) { where.push(`f.${col} = ?`); b.push(v); } };
  eq('commune_insee', f.commune);
  eq('sector_code', f.sector);
  eq('subsector_id', f.subsector);
  eq('organisation_code', f.organisation);
  eq('service_code', f.service);
  eq('theme_code', f.theme);
  eq('category_code', f.category);
  eq('urgent', f.urgent);
  eq('source', f.channel);
  eq('synthetic', f.synthetic);
  if (typeof f.qpv === 'string') eq('qpv_code', f.qpv);
  else if (f.qpv !== undefined) where.push(f.qpv ? 'f.qpv_code IS NOT NULL' : 'f.qpv_code IS NULL');
  return { sql: where.join(' AND '), bindings: b };
}

/**
 * The key of a fact in each dimension (grouped on as is: a month is a timestamp, a sub-sector an integer — cheaper
 * per row than text), how the key is written in the answer, and the table naming the keys (when the configuration does).
 */
const DIMENSION_SQL: Record<StatsDimension, { key: string; out?: string; label?: { table: string; column: string } }> = {
  month: { key: `date_trunc('month', f.local_time)`, out: `to_char(g.key, 'YYYY-MM')` },
  commune: { key: 'f.commune_insee', label: { table: 'communes', column: 'insee' } },
  qpv: { key: 'f.qpv_code IS NOT NULL', out: `CASE WHEN g.key THEN 'qpv' ELSE 'hors_qpv' END` },
  sector: { key: 'f.sector_code', label: { table: 'sectors', column: 'code' } },
  subsector: { key: 'f.subsector_id', out: 'g.key::text', label: { table: 'subsectors', column: 'id' } },
  organisation: { key: 'f.organisation_code', label: { table: 'organisations', column: 'code' } },
  service: { key: 'f.service_code', label: { table: 'services', column: 'code' } },
  theme: { key: 'f.theme_code', label: { table: 'themes', column: 'code' } },
  category: { key: 'f.category_code', label: { table: 'categories', column: 'code' } },
  urgent: { key: 'f.urgent', out: `CASE WHEN g.key THEN 'urgent' ELSE 'non_urgent' END` },
  channel: { key: 'f.source' },
};

const [BAND1, BAND2] = BACKLOG_BANDS_HOURS;
/** When the figures are evaluated, and the end of the period as evaluated: computed once per statement (InitPlans). */
const ASOF = '(SELECT asof FROM w)';
const E = '(SELECT e FROM w)';

/**
 * What depends on the evaluation time, over per-report facts `x` (evaluated at `asof`, now or when the period was
 * closed): late while not acknowledged / not resolved once past the due date; backlog and overdue at the end of the
 * period (`e` = the earlier of its end and `asof`). Live, only the pending reports are read for these.
 */
const TIME_MEASURES = `
  count(*) FILTER (WHERE counted AND ack_at IS NULL AND ack_due_at < ${ASOF})::int AS ack_late,
  count(*) FILTER (WHERE counted AND resolved_at IS NULL AND resolve_due_at < ${ASOF})::int AS resolve_late,
  count(*) FILTER (WHERE open_at_end)::int AS backlog,
  count(*) FILTER (WHERE open_at_end AND created_at > ${E} - interval '${BAND1} hours')::int AS backlog_band1,
  count(*) FILTER (WHERE open_at_end AND created_at <= ${E} - interval '${BAND1} hours' AND created_at > ${E} - interval '${BAND2} hours')::int AS backlog_band2,
  count(*) FILTER (WHERE open_at_end AND created_at <= ${E} - interval '${BAND2} hours')::int AS backlog_band3,
  count(*) FILTER (WHERE open_at_end AND resolve_due_at < ${E})::int AS overdue`;

/** Per-fact values the time measures read, computed once per row. */
const TIME_INPUTS = `f.created_at, f.ack_due_at, f.resolve_due_at, f.ack_at, f.resolved_at, ${COUNTED('f')} AS counted,
  (f.created_at <= ${E} AND (f.finished_at IS NULL OR f.finished_at > ${E})) AS open_at_end`;

/** The time-independent measures (the roll-up's), summed over rows `x` that carry them as columns. */
const COUNT_SUMS = ROLLUP_MEASURES.map((m) => `COALESCE(sum(x.sign * x.${m.name}), 0)::int AS ${m.name}`).join(', ');
/** Per-report facts `f` given the roll-up's measure and histogram columns and a sign (a frozen period's facts). */
const COUNT_COLUMNS = [
  '1 AS sign',
  ...ROLLUP_MEASURES.map((m) => `${m.expr('f')} AS ${m.name}`),
  ...ROLLUP_HOURS.map((h) => `array_remove(ARRAY[${DELAY_HOURS('f', h.at)}], NULL) AS ${h.name}`),
].join(', ');

/**
 * Median and 90th percentile of the hours to acknowledge (`a`) and to resolve (`r`) over rows `x` carrying the delays'
 * histograms (`ack_hours`, `resolve_hours`: hours rounded to the hour, one element per report) and a `sign` (a
 * subtracted roll-up row counts its elements negatively): counted per hour (a hash aggregation, not a sort of every
 * delay), then interpolated as `percentile_cont` does between the two ranks around p × (n − 1) — exact when the delays
 * are whole hours, within half an hour otherwise.
 */
function percentilesSql(): string {
  const rank = (p: number) => `${p} * (total - 1)`;
  const at = (p: number) => `min(h) FILTER (WHERE c > floor(${rank(p)})) + (${rank(p)} - floor(${rank(p)})) * (min(h) FILTER (WHERE c > ceil(${rank(p)})) - min(h) FILTER (WHERE c > floor(${rank(p)})))`;
  return `hk AS (SELECT v.key, v.kind, v.h, sum(v.sign) AS n
       FROM (SELECT x.key, x.sign, 'a' AS kind, unnest(x.ack_hours) AS h FROM x UNION ALL SELECT x.key, x.sign, 'r', unnest(x.resolve_hours) FROM x) v
       GROUP BY v.key, v.kind, v.h HAVING sum(v.sign) <> 0),
     hb AS (SELECT false AS is_total, key, kind, h, n FROM hk UNION ALL SELECT true, NULL, kind, h, sum(n) FROM hk GROUP BY kind, h),
     hc AS (SELECT is_total, key, kind, h, sum(n) OVER (PARTITION BY is_total, key, kind ORDER BY h) AS c,
       sum(n) OVER (PARTITION BY is_total, key, kind) AS total FROM hb),
     hq AS (SELECT is_total, key, kind, ${at(0.5)} AS p50, ${at(0.9)} AS p90 FROM hc GROUP BY is_total, key, kind, total),
     h AS (SELECT is_total, key, max(p50) FILTER (WHERE kind = 'a') AS ack_median, max(p90) FILTER (WHERE kind = 'a') AS ack_p90,
       max(p50) FILTER (WHERE kind = 'r') AS resolve_median, max(p90) FILTER (WHERE kind = 'r') AS resolve_p90 FROM hq GROUP BY is_total, key)`;
}

export interface StatsRow extends StatsMeasures {
  key: string | null;
  /** The configuration's name of the key (commune, service…), null for dimensions the domain labels. */
  name: string | null;
}

const round = (v: unknown, digits: number) => (v === null || v === undefined ? null : Math.round(Number(v) * 10 ** digits) / 10 ** digits);
const ratio = (n: number, d: number) => (d > 0 ? round(n / d, 4) : null);

function measuresOf(r: Record<string, any>): StatsMeasures {
  return {
    received: r.received,
    ackOnTimeRate: ratio(r.ack_on_time, r.ack_due),
    resolvedOnTimeRate: ratio(r.resolved_on_time, r.resolve_due),
    ackMedianHours: round(r.ack_median, 1),
    ackP90Hours: round(r.ack_p90, 1),
    resolveMedianHours: round(r.resolve_median, 1),
    resolveP90Hours: round(r.resolve_p90, 1),
    backlog: r.backlog,
    backlogByAge: { under48h: r.backlog_band1, from48hTo10d: r.backlog_band2, over10d: r.backlog_band3 },
    overdue: r.overdue,
    transfers: r.transfers ?? 0,
    transferRate: ratio(r.transferred, r.received),
    rejected: r.rejected,
    duplicates: r.duplicates,
    reopened: r.reopened,
    urgent: r.urgent,
    urgencyNotJustified: r.urgency_not_justified,
    satisfaction: round(r.satisfaction, 2),
    satisfactionCount: r.satisfaction_count,
  };
}

/** A statistics statement that ran past its time limit (PostgreSQL's statement_timeout; the embedded engine has none). */
export class StatsTooLong extends Error {
  constructor() {
    super('statistics statement timed out');
    this.name = 'StatsTooLong';
  }
}

/** Longest a statistics statement may run on PostgreSQL: no request may hold a backend for minutes. */
export const STATS_TIMEOUT_MS = 20_000;

/** Runs one statistics statement under a time limit (`SET LOCAL statement_timeout` in its own transaction). */
async function boundedRaw(db: Db, sql: string, bindings: readonly Knex.RawBinding[], timeoutMs: number): Promise<{ rows: any[] }> {
  const ms = Math.max(1, Math.floor(timeoutMs));
  const run = async (trx: Knex.Transaction) => {
    await trx.raw(`SET LOCAL statement_timeout = ${ms}`);
    return trx.raw(sql, bindings as Knex.RawBinding[]);
  };
  try {
    return db.isTransaction ? await run(db as Knex.Transaction) : await (db as Knex).transaction(run);
  } catch (err) {
    if ((err as { code?: string }).code === '57014') throw new StatsTooLong();
    throw err;
  }
}

/** Where the facts come from: the live reports, or the snapshot of a closed period (evaluated when it was closed). */
export type FactSource = { kind: 'live' } | { kind: 'frozen'; periodId: number };

export const MAX_STATS_ROWS = 1000;

/**
 * The roll-up rows of a period (`rollupSlices`: month rows, day rows, some subtracted — `sign`) as facts: the dimension
 * keys, the joined configuration columns the question reads, the local time of the row (month dimension), the measures.
 */
function rollupFacts(period: Period, joined: ReadonlySet<JoinedColumn>): SqlPart {
  const col = (c: JoinedColumn, expr: string) => (joined.has(c) ? `${expr} AS ${c}` : `NULL::text AS ${c}`);
  const slices = rollupSlices(period.from, period.to);
  return {
    sql: `SELECT u.*, sl.sign, u.day::timestamp AS local_time, ${col('sector_code', 'm.sector_code')}, ${col('organisation_code', 's.organisation_code')},
        ${col('theme_code', 'c.theme_code')}
      FROM (VALUES ${slices.map(() => '(?, ?::date, ?::date, ?::int)').join(', ')}) sl(grain, d0, d1, sign)
      JOIN stats_rollup u ON u.grain = sl.grain AND u.day BETWEEN sl.d0 AND sl.d1
      ${joined.has('theme_code') ? 'JOIN categories c ON c.code = u.category_code' : ''}
      ${joined.has('organisation_code') ? 'JOIN services s ON s.code = u.service_code' : ''}
      ${joined.has('sector_code') ? 'JOIN communes m ON m.insee = u.commune_insee' : ''}`,
    bindings: slices.flatMap((x) => [x.grain, x.from, x.to, x.sign]),
  };
}

/**
 * The indicators of a period by one dimension, in the caller's scope, with the totals: one statement. Live, the counts
 * and the delays' histograms come from the roll-up (data/stats-rollup.ts), what depends on the time from the reports
 * still pending; frozen, both from the period's snapshot.
 */
export async function statsBy(
  db: Db, scope: ReportScope, period: Period, groupBy: StatsDimension, filters: StatsFilters, source: FactSource, timeoutMs = STATS_TIMEOUT_MS,
): Promise<{ rows: StatsRow[]; totals: StatsMeasures; asOf: string }> {
  const joined = joinsFor(groupBy, filters);
  const frozen: SqlPart | null = source.kind === 'frozen'
    ? { sql: `SELECT ${FACT_COLUMNS.join(', ')}, created_at AT TIME ZONE 'Europe/Paris' AS local_time FROM stats_period_facts WHERE period_id = ?`, bindings: [source.periodId] }
    : null;
  const counts = frozen ? { sql: `SELECT f.*, ${COUNT_COLUMNS} FROM (${frozen.sql}) f`, bindings: frozen.bindings } : rollupFacts(period, joined);
  const pending = frozen ?? liveFacts(T0, T1, period.from, period.to, joined, `(${PENDING_PREDICATE('r')} OR r.finished_at > ${E})`);
  const asof = source.kind === 'live' ? 'now()' : '(SELECT closed_at FROM stats_periods WHERE id = ?)';
  const asofBindings = source.kind === 'live' ? [] : [source.periodId];
  const filter = factFilter(scope, filters);
  const dim = DIMENSION_SQL[groupBy];
  const label = dim.label ? `(SELECT d.name FROM ${dim.label.table} d WHERE d.${dim.label.column} = g.key)` : 'NULL::text';
  const same = (t: string) => `${t}.is_total = c.is_total AND ${t}.key IS NOT DISTINCT FROM c.key`;
  const { rows } = await boundedRaw(db,
    `WITH w AS (SELECT a.asof, least(${T1}, a.asof) AS e FROM (SELECT ${asof} AS asof) a),
     x AS MATERIALIZED (SELECT ${dim.key} AS key, f.* FROM (${counts.sql}) f WHERE ${filter.sql}),
     c AS (SELECT GROUPING(x.key) = 1 AS is_total, x.key, ${COUNT_SUMS} FROM x GROUP BY GROUPING SETS ((x.key), ())),
     p AS (SELECT GROUPING(x.key) = 1 AS is_total, x.key, ${TIME_MEASURES}
       FROM (SELECT ${dim.key} AS key, ${TIME_INPUTS} FROM (${pending.sql}) f WHERE ${filter.sql}) x GROUP BY GROUPING SETS ((x.key), ())),
     ${percentilesSql()},
     g AS (SELECT c.is_total, c.key, c.received, c.ack_on_time, c.ack_done + COALESCE(p.ack_late, 0) AS ack_due, c.resolved_on_time,
         c.resolved_done + COALESCE(p.resolve_late, 0) AS resolve_due, h.ack_median, h.ack_p90, h.resolve_median, h.resolve_p90,
         COALESCE(p.backlog, 0) AS backlog, COALESCE(p.backlog_band1, 0) AS backlog_band1, COALESCE(p.backlog_band2, 0) AS backlog_band2,
         COALESCE(p.backlog_band3, 0) AS backlog_band3, COALESCE(p.overdue, 0) AS overdue, c.transfers, c.transferred, c.rejected, c.duplicates,
         c.reopened, c.urgent_count AS urgent, c.not_justified_count AS urgency_not_justified,
         CASE WHEN c.satisfaction_count > 0 THEN c.satisfaction_sum::float8 / c.satisfaction_count END AS satisfaction, c.satisfaction_count
       FROM c LEFT JOIN p ON ${same('p')} LEFT JOIN h ON ${same('h')})
     SELECT g.*, ${dim.out ?? 'g.key'} AS key_out, ${label} AS name, (SELECT asof FROM w) AS asof FROM g
     ORDER BY g.is_total DESC, ${groupBy === 'month' ? 'g.key' : 'g.received DESC, g.key'} NULLS LAST
     LIMIT ${MAX_STATS_ROWS + 1}`,
    [period.to, ...asofBindings, ...counts.bindings, ...filter.bindings, ...pending.bindings, ...filter.bindings],
    timeoutMs,
  );
  const total = rows.find((r: any) => r.is_total);
  const asOf = new Date(total?.asof ?? Date.now()).toISOString();
  return {
    rows: rows.filter((r: any) => !r.is_total).map((r: any) => ({ key: r.key_out, name: r.name, ...measuresOf(r) })),
    totals: measuresOf(total),
    asOf,
  };
}

/** The hotspots: 100 m Lambert-93 cells with at least `min` reports received in the window, as GeoJSON (at most 2 000 cells). */
export async function hotspots(db: Db, scope: ReportScope, window: Period, min: number, filters: StatsFilters, timeoutMs = STATS_TIMEOUT_MS): Promise<unknown> {
  const facts = liveFacts(T0, T1, window.from, window.to, joinsFor(null, filters));
  const filter = factFilter(scope, filters);
  const { rows } = await boundedRaw(db,
    `WITH f AS (${facts.sql}),
     c AS (SELECT f.cell_x, f.cell_y, count(*)::int AS reports, count(*) FILTER (WHERE f.status IN ${OPEN_STATUSES_SQL})::int AS open
           FROM f WHERE ${filter.sql} GROUP BY f.cell_x, f.cell_y HAVING count(*) >= ? ORDER BY reports DESC, f.cell_x, f.cell_y LIMIT 2000)
     SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object(
       'type', 'Feature', 'id', c.cell_x || ':' || c.cell_y,
       'properties', json_build_object('cell', c.cell_x || ':' || c.cell_y, 'reports', c.reports, 'open', c.open),
       'geometry', ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(c.cell_x * 100, c.cell_y * 100, c.cell_x * 100 + 100, c.cell_y * 100 + 100, 2154), 4326), 6)::json
     ) ORDER BY c.reports DESC, c.cell_x, c.cell_y), '[]'::json)) AS fc FROM c`,
    [...facts.bindings, ...filter.bindings, min],
    timeoutMs,
  );
  const fc = rows[0].fc;
  return typeof fc === 'string' ? JSON.parse(fc) : fc;
}

const PERIOD_SELECT = `SELECT p.id, p.label, to_char(p.from_date, 'YYYY-MM-DD') AS "from", to_char(p.to_date, 'YYYY-MM-DD') AS "to",
  p.closed_at AS "closedAt", json_build_object('id', u.id, 'name', u.name) AS "closedBy"
  FROM stats_periods p JOIN users u ON u.id = p.closed_by`;

const periodRow = (r: any): ClosedPeriod => ({
  id: r.id, label: r.label, from: r.from, to: r.to, closedAt: new Date(r.closedAt).toISOString(),
  closedBy: typeof r.closedBy === 'string' ? JSON.parse(r.closedBy) : r.closedBy,
});

export async function listPeriods(db: Db): Promise<ClosedPeriod[]> {
  const { rows } = await db.raw(`${PERIOD_SELECT} ORDER BY p.from_date DESC, p.to_date DESC`);
  return rows.map(periodRow);
}

export async function findPeriod(db: Db, period: Period): Promise<ClosedPeriod | null> {
  const { rows } = await db.raw(`${PERIOD_SELECT} WHERE p.from_date = ?::date AND p.to_date = ?::date`, [period.from, period.to]);
  return rows[0] ? periodRow(rows[0]) : null;
}

/**
 * Closes a period: stores it with who and when, and freezes the facts of every report received in it (all scopes:
 * each reader's scope applies when the snapshot is read). Null when that period is already closed.
 */
export async function closePeriod(db: Knex, period: Period, label: string, userId: number): Promise<ClosedPeriod | null> {
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw(
      `INSERT INTO stats_periods (label, from_date, to_date, closed_by) VALUES (?, ?::date, ?::date, ?)
       ON CONFLICT (from_date, to_date) DO NOTHING RETURNING id`,
      [label, period.from, period.to, userId],
    );
    if (!rows[0]) return null;
    const id = rows[0].id as number;
    const facts = liveFacts(T0, T1, period.from, period.to);
    await trx.raw(
      `INSERT INTO stats_period_facts (period_id, ${FACT_COLUMNS.join(', ')})
       SELECT ?, ${FACT_COLUMNS.join(', ')} FROM (${facts.sql}) f`,
      [id, ...facts.bindings],
    );
    return (await findPeriod(trx, period))!;
  });
}

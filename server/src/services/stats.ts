/**
 * Statistics use cases (DESIGN 3.5): the indicators by dimension, live or frozen, the hotspots, closing a period.
 * Every one is scoped by the caller's `reportScope` (DESIGN 3.4): a commune user its commune, a service agent its
 * service, officers, admins and planners everything.
 */
import type { Knex } from 'knex';
import {
  closePeriod, findPeriod, hotspots, listPeriods, statsBy, StatsTooLong, type ClosedPeriod, type Period, type StatsFilters, type StatsMeasures, type StatsRow,
} from '../data/stats.js';
import type { SessionUser } from '../data/users.js';
import type { HotspotsAnswer, StatsAnswer, StatsRowView } from '../domain/api.js';
import { reportScope, type ReportScope } from '../domain/access.js';
import { canClosePeriod, checkPeriod, fixedLabel, HOTSPOT_DAYS, type StatsDimension } from '../domain/stats.js';
import { AppError, forbidden } from '../http/errors.js';

/** Today in Paris time, as YYYY-MM-DD. */
const parisDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
export const todayInParis = (now = new Date()) => parisDay.format(now);

/** A statement past its time limit is a 503 the reader can act on (a shorter period, a filter), not a 500. */
async function bounded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof StatsTooLong) throw new AppError(503, 'stats_too_long', 'Calcul trop long : réduisez la période ou ajoutez un filtre');
    throw err;
  }
}

/** The caller's scope, or 403 for an account that sees no report. */
function statsScope(user: SessionUser): ReportScope {
  const scope = reportScope(user);
  if (scope.kind === 'none') throw forbidden('Aucun signalement dans votre périmètre');
  return scope;
}

/** The period asked, checked (400 naming the field). */
export function periodOf(from: string | undefined, to: string | undefined): Period {
  const p = checkPeriod(from, to, todayInParis());
  if (!p.ok) throw new AppError(400, 'invalid_input', `Période invalide : ${p.reason}`, [{ field: p.field, message: p.reason }]);
  return { from: p.from, to: p.to };
}

const view = (groupBy: StatsDimension) => (r: StatsRow): StatsRowView => {
  const { name, ...rest } = r;
  return { ...rest, key: r.key, label: name ?? fixedLabel(groupBy, r.key) ?? r.key ?? '' };
};

/** The indicators of a period by one dimension; a closed period's are read from its snapshot. */
export async function statsFor(knex: Knex, user: SessionUser, q: { period: Period; groupBy: StatsDimension; filters: StatsFilters; live: boolean }): Promise<StatsAnswer> {
  const scope = statsScope(user);
  const closed = await findPeriod(knex, q.period);
  const read = async (source: Parameters<typeof statsBy>[5]) => {
    const s = await bounded(statsBy(knex, scope, q.period, q.groupBy, q.filters, source));
    return { asOf: s.asOf, rows: s.rows.map(view(q.groupBy)), totals: s.totals };
  };
  const main = await read(closed ? { kind: 'frozen', periodId: closed.id } : { kind: 'live' });
  return {
    from: q.period.from, to: q.period.to, groupBy: q.groupBy, frozen: !!closed, period: closed, ...main,
    ...(closed && q.live ? { live: await read({ kind: 'live' }) } : {}),
  };
}

/** Hotspots: the 100 m cells with at least `min` reports in the HOTSPOT_DAYS days up to `to`. */
export async function hotspotsFor(knex: Knex, user: SessionUser, q: { to: string | undefined; min: number; filters: StatsFilters }): Promise<HotspotsAnswer> {
  const scope = statsScope(user);
  const to = periodOf(undefined, q.to).to;
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (HOTSPOT_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const fc = await bounded(hotspots(knex, scope, { from, to }, q.min, q.filters));
  return { ...(fc as object), from, to, minReports: q.min } as HotspotsAnswer;
}

export async function periodsFor(knex: Knex, user: SessionUser): Promise<ClosedPeriod[]> {
  statsScope(user);
  return listPeriods(knex);
}

/** Closes a period (officers and admins): 409 when it is already closed. */
export async function closePeriodAs(knex: Knex, user: SessionUser, q: { period: Period; label: string }): Promise<ClosedPeriod> {
  if (!canClosePeriod(user)) throw forbidden('Seuls la mission GUP et les administrateurs clôturent une période');
  if (q.period.to >= todayInParis()) throw new AppError(409, 'period_not_over', 'Une période se clôt une fois terminée (« to » avant aujourd\'hui)', [{ field: 'to', message: 'période non terminée' }]);
  const closed = await closePeriod(knex, q.period, q.label, user.id);
  if (!closed) throw new AppError(409, 'conflict', `La période du ${q.period.from} au ${q.period.to} est déjà close`);
  return closed;
}

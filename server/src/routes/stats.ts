import { z } from 'zod';
import type { StatsAnswer, StatsRowView } from '../domain/api.js';
import { CHANNELS, DIMENSION_LABELS, HOTSPOT_DEFAULT_MIN, STATS_COLUMNS, STATS_DIMENSIONS } from '../domain/stats.js';
import type { AppContext } from '../http/context.js';
import { toCsv, type CsvColumn } from '../http/csv.js';
import { toXlsx } from '../http/xlsx.js';
import { idParam } from '../http/input.js';
import { Reply, route } from '../http/route.js';
import { closePeriodAs, hotspotsFor, periodOf, periodsFor, statsFor } from '../services/stats.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'date inexistante');
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The filters every statistic takes (one value each). */
const filtersSchema = z.object({
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE').optional(),
  /** In a QPV or not (true/false), or one QPV by its code. */
  qpv: z.union([bool, z.string().regex(/^Q[PN]\d{6}$/, 'true, false ou un code QPV (QP091028)')]).optional(),
  sector: z.string().min(1).max(64).optional(),
  subsector: idParam.optional(),
  organisation: z.string().min(1).max(64).optional(),
  service: z.string().min(1).max(64).optional(),
  theme: z.string().min(1).max(64).optional(),
  category: z.string().min(1).max(64).optional(),
  urgent: bool.optional(),
  channel: z.enum(CHANNELS).optional(),
  synthetic: bool.optional(),
});

const statsSchema = filtersSchema.extend({
  from: day.optional(),
  to: day.optional(),
  groupBy: z.enum(STATS_DIMENSIONS, { error: `dimension inconnue (${STATS_DIMENSIONS.join(', ')})` }).default('month'),
  live: bool.default(false),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
}).strict();

const hotspotsSchema = filtersSchema.extend({
  to: day.optional(),
  minReports: z.coerce.number().int().min(1).max(10_000).default(HOTSPOT_DEFAULT_MIN),
}).strict();

const closeSchema = z.object({ from: day, to: day, label: z.string().trim().min(1, 'libellé obligatoire').max(200) }).strict();

/** An export's table: the dimension's label and key, every indicator, then the totals row. */
function exportTable(answer: StatsAnswer): { columns: CsvColumn<StatsRowView>[]; rows: StatsRowView[]; name: string } {
  const columns: CsvColumn<StatsRowView>[] = [
    [DIMENSION_LABELS[answer.groupBy], (r) => r.label],
    ['Code', (r) => r.key],
    ...STATS_COLUMNS.map((c): CsvColumn<StatsRowView> => [c.header, (r) => c.value(r)]),
  ];
  const rows = [...answer.rows, { ...answer.totals, key: null, label: 'Total' }];
  return { columns, rows, name: `statistiques-${answer.groupBy}-${answer.from}-${answer.to}` };
}

/** Statistics (DESIGN §4): GET /api/stats, /api/stats/hotspots, GET/POST /api/stats/periods. */
export function statsRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  return [
    route({
      method: 'GET', path: '/api/stats', access: 'signed-in', query: statsSchema, invalid: 'Paramètres de statistiques invalides',
      handle: async ({ query: { from, to, groupBy, live, format, ...filters } }, { user }) => {
        const answer = await statsFor(knex, user, { period: periodOf(from, to), groupBy, filters, live: live && format === 'json' });
        if (format === 'json') return answer;
        const { columns, rows, name } = exportTable(answer);
        if (format === 'csv') return Reply.download(toCsv(columns, rows), 'text/csv; charset=utf-8', `${name}.csv`);
        return Reply.download(await toXlsx(columns, rows, 'Statistiques'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `${name}.xlsx`);
      },
    }),
    route({
      method: 'GET', path: '/api/stats/hotspots', access: 'signed-in', query: hotspotsSchema, invalid: 'Paramètres des points chauds invalides',
      handle: async ({ query: { to, minReports, ...filters } }, { user }) =>
        new Reply(200, { 'content-type': 'application/geo+json; charset=utf-8' }, JSON.stringify(await hotspotsFor(knex, user, { to, min: minReports, filters }))),
    }),
    route({
      method: 'GET', path: '/api/stats/periods', access: 'signed-in',
      handle: async (_input, { user }) => ({ periods: await periodsFor(knex, user) }),
    }),
    route({
      method: 'POST', path: '/api/stats/periods', access: 'signed-in', body: closeSchema, invalid: 'Période invalide', status: 201,
      handle: ({ body: { from, to, label } }, { user }) => closePeriodAs(knex, user, { period: periodOf(from, to), label }),
    }),
  ];
}

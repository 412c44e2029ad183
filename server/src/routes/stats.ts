import { Router } from 'express';
import { z } from 'zod';
import { currentUser } from '../auth/middleware.js';
import { CHANNELS, HOTSPOT_DEFAULT_MIN, STATS_DIMENSIONS } from '../domain/stats.js';
import type { AppContext } from '../http/context.js';
import { validationError } from '../http/errors.js';
import { closePeriodAs, hotspotsFor, periodOf, periodsFor, statsFor } from '../services/stats.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'date inexistante');
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The filters every statistic takes (one value each). */
const filtersSchema = z.object({
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE').optional(),
  qpv: bool.optional(),
  sector: z.string().min(1).max(64).optional(),
  subsector: z.coerce.number().int().positive().optional(),
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
}).strict();

const hotspotsSchema = filtersSchema.extend({
  to: day.optional(),
  minReports: z.coerce.number().int().min(1).max(10_000).default(HOTSPOT_DEFAULT_MIN),
}).strict();

const closeSchema = z.object({ from: day, to: day, label: z.string().trim().min(1, 'libellé obligatoire').max(200) }).strict();

/** Statistics (DESIGN §4): GET /api/stats, /api/stats/hotspots, GET/POST /api/stats/periods. */
export function statsRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;

  router.get('/', async (req, res) => {
    const parsed = statsSchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Paramètres de statistiques invalides');
    const { from, to, groupBy, live, ...filters } = parsed.data;
    res.json(await statsFor(knex, currentUser(req), { period: periodOf(from, to), groupBy, filters, live }));
  });

  router.get('/hotspots', async (req, res) => {
    const parsed = hotspotsSchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Paramètres des points chauds invalides');
    const { to, minReports, ...filters } = parsed.data;
    res.type('application/geo+json').send(JSON.stringify(await hotspotsFor(knex, currentUser(req), { to, min: minReports, filters })));
  });

  router.get('/periods', async (req, res) => {
    res.json({ periods: await periodsFor(knex, currentUser(req)) });
  });

  router.post('/periods', async (req, res) => {
    const parsed = closeSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Période invalide');
    const { from, to, label } = parsed.data;
    res.status(201).json(await closePeriodAs(knex, currentUser(req), { period: periodOf(from, to), label }));
  });

  return router;
}

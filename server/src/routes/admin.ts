import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth/middleware.js';
import { listOutbox, OUTBOX_STATUSES, outboxCounts } from '../data/outbox.js';
import type { AppContext } from '../http/context.js';
import { validationError } from '../http/errors.js';
import { idParam } from '../http/input.js';
import { mailDelivery } from '../services/mailer.js';

const outboxQuery = z.object({
  status: z.enum(OUTBOX_STATUSES).optional(),
  report: idParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Administration: the notification outbox (what was sent, what waits, what failed). Admins only. */
export function adminRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;
  router.use(requireRole('admin'));

  router.get('/outbox', async (req, res) => {
    const parsed = outboxQuery.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Filtres invalides');
    const { status, report, limit } = parsed.data;
    const [counts, messages] = await Promise.all([outboxCounts(knex), listOutbox(knex, { status, reportId: report, limit })]);
    res.json({ delivery: mailDelivery(), counts, messages });
  });

  return router;
}

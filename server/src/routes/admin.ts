import { Router } from 'express';
import { z } from 'zod';
import { currentUser, requireRole } from '../auth/middleware.js';
import { listAudit } from '../data/audit.js';
import { listKeys } from '../data/open311.js';
import { listOutbox, OUTBOX_STATUSES, outboxCounts, outboxExists, requeueFailed } from '../data/outbox.js';
import { audit } from '../data/users.js';
import type { AppContext } from '../http/context.js';
import { AppError, notFound, validationError } from '../http/errors.js';
import { idParam, parseId } from '../http/input.js';
import { mailDelivery } from '../services/mailer.js';
import { createOpen311Key, revokeOpen311Key } from '../services/open311.js';
import { adminAccountsRouter } from './admin-accounts.js';
import { adminTerritoryRouter } from './admin-territory.js';

const outboxQuery = z.object({
  status: z.enum(OUTBOX_STATUSES).optional(),
  report: idParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const auditQuery = z.object({
  user: idParam.optional(),
  action: z.string().trim().min(1).max(64).optional(),
  entity: z.string().trim().min(1).max(64).optional(),
  entityId: z.string().trim().min(1).max(64).optional(),
  from: z.iso.date('date attendue (AAAA-MM-JJ)').optional(),
  to: z.iso.date('date attendue (AAAA-MM-JJ)').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const newKey = z.object({
  communeInsee: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE à 5 caractères attendu'),
  label: z.string().trim().min(1, 'libellé obligatoire').max(200),
}).strict();

/**
 * Administration (DESIGN 3.7, admins only, every change audited with before and after): accounts, territory
 * configuration and imports (sub-routers), Open311 keys, the notification outbox, the audit log.
 */
export function adminRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;
  router.use(requireRole('admin'));
  router.use('/users', adminAccountsRouter(ctx));
  router.use(adminTerritoryRouter(ctx));

  router.get('/outbox', async (req, res) => {
    const parsed = outboxQuery.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Filtres invalides');
    const { status, report, limit } = parsed.data;
    const [counts, messages] = await Promise.all([outboxCounts(knex), listOutbox(knex, { status, reportId: report, limit })]);
    res.json({ delivery: mailDelivery(), counts, messages });
  });

  router.post('/outbox/:id/retry', async (req, res) => {
    const id = parseId(req.params.id, 'id', 'Identifiant de message invalide');
    const done = await knex.transaction(async (trx) => {
      const old = await requeueFailed(trx, id);
      if (old) await audit(trx, { userId: currentUser(req).id, action: 'outbox.retry', entity: 'outbox', entityId: String(id), details: { before: { status: 'failed', attempts: old.attempts, lastError: old.lastError }, after: { status: 'pending', attempts: 0 } } });
      return old;
    });
    if (!done) {
      if (!(await outboxExists(knex, id))) throw notFound('Message');
      throw new AppError(409, 'conflict', 'Seul un message en échec peut être renvoyé', [{ field: 'id', message: "le message n'est pas en échec" }]);
    }
    res.json({ retried: id });
  });

  router.get('/audit', async (req, res) => {
    const parsed = auditQuery.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Filtres invalides');
    const q = parsed.data;
    const to = q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : undefined; // the whole day
    res.json({ entries: await listAudit(knex, { userId: q.user, action: q.action, entity: q.entity, entityId: q.entityId, from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined, to, limit: q.limit }) });
  });

  router.get('/open311-keys', async (_req, res) => {
    res.json({ keys: await listKeys(knex) });
  });

  router.post('/open311-keys', async (req, res) => {
    const parsed = newKey.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Clé invalide');
    const k = await knex.transaction((trx) => createOpen311Key(trx, { ...parsed.data, actorId: currentUser(req).id }));
    res.status(201).json({ key: { id: k.keyId, key: k.key, communeInsee: parsed.data.communeInsee, communeName: k.communeName, label: parsed.data.label, account: k.email } });
  });

  router.delete('/open311-keys/:id', async (req, res) => {
    const id = parseId(req.params.id, 'id', 'Identifiant de clé invalide');
    await knex.transaction((trx) => revokeOpen311Key(trx, id, currentUser(req).id));
    res.status(204).end();
  });

  return router;
}

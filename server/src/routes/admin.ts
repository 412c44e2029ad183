import { z } from 'zod';
import { listAudit } from '../data/audit.js';
import { listKeys } from '../data/open311.js';
import { listOutbox, OUTBOX_STATUSES, outboxCounts, outboxExists, requeueFailed } from '../data/outbox.js';
import { audit } from '../data/users.js';
import type { AppContext } from '../http/context.js';
import { AppError, notFound } from '../http/errors.js';
import { idParam } from '../http/input.js';
import { ADMINS, Reply, route } from '../http/route.js';
import { mailDelivery } from '../services/mailer.js';
import { createOpen311Key, revokeOpen311Key } from '../services/open311.js';
import { adminAccountsRoutes } from './admin-accounts.js';
import { adminTerritoryRoutes } from './admin-territory.js';

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
 * configuration and imports (admin-accounts.ts, admin-territory.ts), Open311 keys, the notification outbox, the audit log.
 */
export function adminRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  const access = ADMINS;
  return [
    ...adminAccountsRoutes(ctx),
    ...adminTerritoryRoutes(ctx),
    route({
      method: 'GET', path: '/api/admin/outbox', access, query: outboxQuery, invalid: 'Filtres invalides',
      handle: async ({ query: { status, report, limit } }) => {
        const [counts, messages] = await Promise.all([outboxCounts(knex), listOutbox(knex, { status, reportId: report, limit })]);
        return { delivery: mailDelivery(), counts, messages };
      },
    }),
    route({
      method: 'POST', path: '/api/admin/outbox/:id/retry', access, params: z.object({ id: idParam }), invalid: 'Identifiant de message invalide',
      handle: async ({ params: { id } }, { user }) => {
        const done = await knex.transaction(async (trx) => {
          const old = await requeueFailed(trx, id);
          if (old) await audit(trx, { userId: user.id, action: 'outbox.retry', entity: 'outbox', entityId: String(id), details: { before: { status: 'failed', attempts: old.attempts, lastError: old.lastError }, after: { status: 'pending', attempts: 0 } } });
          return old;
        });
        if (!done) {
          if (!(await outboxExists(knex, id))) throw notFound('Message');
          throw new AppError(409, 'conflict', 'Seul un message en échec peut être renvoyé', [{ field: 'id', message: "le message n'est pas en échec" }]);
        }
        return { retried: id };
      },
    }),
    route({
      method: 'GET', path: '/api/admin/audit', access, query: auditQuery, invalid: 'Filtres invalides',
      handle: async ({ query: q }) => {
        const to = q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : undefined; // the whole day
        return { entries: await listAudit(knex, { userId: q.user, action: q.action, entity: q.entity, entityId: q.entityId, from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined, to, limit: q.limit }) };
      },
    }),
    route({ method: 'GET', path: '/api/admin/open311-keys', access, handle: async () => ({ keys: await listKeys(knex) }) }),
    route({
      method: 'POST', path: '/api/admin/open311-keys', access, body: newKey, invalid: 'Clé invalide', status: 201,
      handle: async ({ body }, { user }) => {
        const k = await knex.transaction((trx) => createOpen311Key(trx, { ...body, actorId: user.id }));
        return { key: { id: k.keyId, key: k.key, communeInsee: body.communeInsee, communeName: k.communeName, label: body.label, account: k.email } };
      },
    }),
    route({
      method: 'DELETE', path: '/api/admin/open311-keys/:id', access, params: z.object({ id: idParam }), invalid: 'Identifiant de clé invalide',
      handle: async ({ params: { id } }, { user }) => {
        await knex.transaction((trx) => revokeOpen311Key(trx, id, user.id));
        return Reply.empty();
      },
    }),
  ];
}

import { Router } from 'express';
import { z } from 'zod';
import { currentUser } from '../auth/middleware.js';
import { BROADCAST_KINDS, BROADCAST_SEVERITIES } from '../domain/broadcasts.js';
import type { AppContext } from '../http/context.js';
import { notFound, validationError } from '../http/errors.js';
import { parseId } from '../http/input.js';
import { acknowledgeBroadcast, broadcastsFor, issueBroadcast } from '../services/broadcasts.js';

const instant = z.string().datetime({ offset: true, message: 'date ISO 8601 avec fuseau attendue' }).transform((s) => new Date(s));
const codes = (pattern: RegExp, what: string) => z.array(z.string().regex(pattern, what)).min(1, 'au moins un code').max(100);
const issueSchema = z.object({
  kind: z.enum(BROADCAST_KINDS),
  severity: z.enum(BROADCAST_SEVERITIES),
  title: z.string().trim().min(1, 'titre obligatoire').max(200),
  text: z.string().trim().min(1, 'texte obligatoire').max(5000),
  area: z.union([
    z.object({ communes: codes(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE à 5 caractères') }).strict(),
    z.object({ qpv: codes(/^Q[A-Z0-9]{1,12}$/, 'code QPV (QP…, QN…)') }).strict(),
    z.object({ geometry: z.record(z.string(), z.unknown()) }).strict(),
  ], { error: 'zone : { communes: [...] }, { qpv: [...] } ou { geometry: Polygon }' }),
  validFrom: instant.optional(),
  validTo: instant,
});
const listSchema = z.object({
  active: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE à 5 caractères').optional(),
});

/**
 * Information to the communes (DESIGN 3.7, 4): `GET /api/broadcasts?active=&commune=` (current ones by default, or the
 * history), `GET /api/broadcasts/:id`, `POST /api/broadcasts` (officer, admin), `POST /api/broadcasts/:id/ack`
 * (a commune user of a commune concerned, for orange and red).
 */
export function broadcastsRouter(ctx: AppContext): Router {
  const router = Router();
  const broadcastId = (raw: unknown) => parseId(raw, 'id', 'Identifiant d\'information invalide');

  router.get('/', async (req, res) => {
    const q = listSchema.safeParse(req.query);
    if (!q.success) throw validationError(q.error);
    res.json({ broadcasts: await broadcastsFor(ctx.db, currentUser(req), q.data) });
  });

  router.post('/', async (req, res) => {
    const body = issueSchema.safeParse(req.body);
    if (!body.success) throw validationError(body.error, 'Information invalide');
    res.status(201).json({ broadcast: await issueBroadcast(ctx.db, currentUser(req), body.data) });
  });

  router.get('/:id', async (req, res) => {
    const id = broadcastId(req.params.id);
    const [b] = await broadcastsFor(ctx.db, currentUser(req), { active: false, id });
    if (!b) throw notFound(`Information ${id}`);
    res.json({ broadcast: b });
  });

  router.post('/:id/ack', async (req, res) => {
    res.json({ broadcast: await acknowledgeBroadcast(ctx.db, currentUser(req), broadcastId(req.params.id)) });
  });

  return router;
}

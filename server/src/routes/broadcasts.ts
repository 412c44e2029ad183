import { z } from 'zod';
import { BROADCAST_KINDS, BROADCAST_SEVERITIES } from '../domain/broadcasts.js';
import type { AppContext } from '../http/context.js';
import { notFound } from '../http/errors.js';
import { idParam } from '../http/input.js';
import { route } from '../http/route.js';
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
export function broadcastsRoutes(ctx: AppContext) {
  const params = z.object({ id: idParam });
  const badId = 'Identifiant d\'information invalide';
  return [
    route({
      method: 'GET', path: '/api/broadcasts', access: 'signed-in', query: listSchema,
      handle: async ({ query }, { user }) => ({ broadcasts: await broadcastsFor(ctx.db, user, query) }),
    }),
    route({
      method: 'POST', path: '/api/broadcasts', access: 'signed-in', body: issueSchema, invalid: 'Information invalide', status: 201,
      handle: async ({ body }, { user }) => ({ broadcast: await issueBroadcast(ctx.db, user, body) }),
    }),
    route({
      method: 'GET', path: '/api/broadcasts/:id', access: 'signed-in', params, invalid: badId,
      handle: async ({ params: { id } }, { user }) => {
        const [b] = await broadcastsFor(ctx.db, user, { active: false, id });
        if (!b) throw notFound(`Information ${id}`);
        return { broadcast: b };
      },
    }),
    route({
      method: 'POST', path: '/api/broadcasts/:id/ack', access: 'signed-in', params, invalid: badId,
      handle: async ({ params: { id } }, { user }) => ({ broadcast: await acknowledgeBroadcast(ctx.db, user, id) }),
    }),
  ];
}

import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { pointQuerySchema } from '../http/geo.js';
import { route } from '../http/route.js';
import { lookup } from '../services/lookup.js';

const querySchema = z.intersection(pointQuerySchema, z.object({ theme: z.string().trim().min(1).max(64).optional() }));

/** `GET /api/lookup?lon=&lat=[&theme=]` — every signed-in role. Lean (server/src/http/lean.ts): the hot path of the map. */
export const lookupRoutes = (ctx: AppContext) => [
  route({
    method: 'GET', path: '/api/lookup', access: 'signed-in', lean: true, query: querySchema, invalid: 'Coordonnées invalides',
    handle: ({ query: { lon, lat, theme } }) => lookup(ctx.db, lon, lat, theme),
  }),
];

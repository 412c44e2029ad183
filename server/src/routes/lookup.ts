import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { validationError } from '../http/errors.js';
import { pointQuerySchema } from '../http/geo.js';
import type { LeanRoute } from '../http/lean.js';
import { lookup } from '../services/lookup.js';

const querySchema = z.intersection(pointQuerySchema, z.object({ theme: z.string().trim().min(1).max(64).optional() }));

/** `GET /api/lookup?lon=&lat=[&theme=]` — every signed-in role. A lean route (server/src/http/lean.ts): the hot path of the map. */
export function lookupRoute(ctx: AppContext): LeanRoute {
  return async ({ query }) => {
    const parsed = querySchema.safeParse(query);
    if (!parsed.success) throw validationError(parsed.error, 'Coordonnées invalides');
    const { lon, lat, theme } = parsed.data;
    return lookup(ctx.db, lon, lat, theme);
  };
}

import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { route } from '../http/route.js';
import { directory } from '../services/directory.js';

const coordinate = (min: number, max: number, what: string) => z.coerce.number({ error: `${what} : nombre attendu` }).min(min, `${what} hors limites`).max(max, `${what} hors limites`);
const querySchema = z.object({
  q: z.string().trim().max(200).optional(),
  theme: z.string().trim().min(1).max(64).optional(),
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE à 5 caractères').optional(),
  lon: coordinate(-180, 180, 'longitude').optional(),
  lat: coordinate(-90, 90, 'latitude').optional(),
}).refine((v) => (v.lon === undefined) === (v.lat === undefined), { message: 'lon et lat vont ensemble', path: ['lat'] });

/** `GET /api/directory?q=&theme=&commune=&lon=&lat=` (DESIGN 3.7, 4): every signed-in user. */
export const directoryRoutes = (ctx: AppContext) => [
  route({
    method: 'GET', path: '/api/directory', access: 'signed-in', query: querySchema,
    handle: ({ query: { lon, lat, ...rest } }) => directory(ctx.db, { ...rest, point: lon !== undefined && lat !== undefined ? { lon, lat } : undefined }),
  }),
];

import cluster from 'node:cluster';
import { ping } from '../data/connection.js';
import type { AppContext } from '../http/context.js';
import { route } from '../http/route.js';

/**
 * `GET /api/health`: `{status: "ok"}` for anyone (load balancers, monitoring); the engine, PostGIS version, tile
 * encoder and worker only for a signed-in admin — versions tell an attacker which flaws to try. The caller comes from
 * the one session check of every route (cookie or API token, through the session cache).
 */
export const healthRoutes = (ctx: AppContext) => [
  route({
    method: 'GET', path: '/api/health', access: 'public',
    handle: async (_input, { user }) => {
      await ping(ctx.db);
      if (user?.role !== 'admin') return { status: 'ok' };
      return { status: 'ok', database: ctx.db.engine, postgis: ctx.db.postgisVersion, vectorTiles: ctx.db.hasMvt ? 'postgis' : 'node', worker: cluster.worker?.id ?? null };
    },
  }),
];

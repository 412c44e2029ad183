import cluster from 'node:cluster';
import { Router } from 'express';
import { ping } from '../data/connection.js';
import { sessionUser } from '../data/sessions.js';
import { SESSION_COOKIE } from '../http/context.js';
import type { AppContext } from '../http/context.js';

/**
 * `GET /api/health`: `{status: "ok"}` for anyone (load balancers, monitoring); the engine, PostGIS version, tile
 * encoder and worker only for a signed-in admin — versions tell an attacker which flaws to try.
 */
export function healthRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    await ping(ctx.db);
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const user = token ? await sessionUser(ctx.db, token) : null;
    if (user?.role !== 'admin') return void res.json({ status: 'ok' });
    res.json({ status: 'ok', database: ctx.db.engine, postgis: ctx.db.postgisVersion, vectorTiles: ctx.db.hasMvt ? 'postgis' : 'node', worker: cluster.worker?.id ?? null });
  });
  return router;
}

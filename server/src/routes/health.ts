import cluster from 'node:cluster';
import { Router } from 'express';
import { ping } from '../data/connection.js';
import type { AppContext } from '../http/context.js';

export function healthRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    await ping(ctx.db);
    res.json({ status: 'ok', database: ctx.db.engine, postgis: ctx.db.postgisVersion, vectorTiles: ctx.db.hasMvt ? 'postgis' : 'node', worker: cluster.worker?.id ?? null });
  });
  return router;
}

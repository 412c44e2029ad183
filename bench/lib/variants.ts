/**
 * Stripped-down and modified variants of the GUP app, to find where the API's time goes and what a change would
 * gain (bench/lookup.ts --diagnose). All answer GET /api/lookup. They use the real modules, imported, never copied;
 * the modifications are applied from outside.
 */
import type http from 'node:http';
import cookieParser from 'cookie-parser';
import express from 'express';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { appContext, createApp } from '../../server/src/app.js';
import { requireSession } from '../../server/src/auth/middleware.js';
import { loadConfig } from '../../server/src/config.js';
import type { Database } from '../../server/src/data/db.js';
import { errorHandler } from '../../server/src/http/errors.js';
import { mountRoutes } from '../../server/src/http/express.js';
import { withLeanRoutes } from '../../server/src/http/lean.js';
import { route } from '../../server/src/http/route.js';
import { lookupRoutes } from '../../server/src/routes/lookup.js';

export const VARIANTS = {
  'node-http': 'bare node:http answering a fixed lookup JSON (the transport floor)',
  lean: 'the lean path (server/src/http/lean.ts: session check, query parsing, JSON) answering the fixed JSON',
  express: 'Express routing and res.json of the same fixed JSON',
  'express+middleware': '+ pino-http (silent logger), express.json, cookie-parser, requireSession: the stack of the Express routes',
  'lookup via express': 'the lookup route declaration mounted by the Express transport behind that stack (what the app did before the lean path)',
  app: 'the real app (createApp: the lookup on the lean path), silent logger: what the API scenario runs',
  'app-logging': 'the real app, info-level logger writing to /dev/null (production-like logging)',
} as const;
export type Variant = keyof typeof VARIANTS;

/** A request handler for the variant; `fixed` is a real lookup answer (the same bytes the app would send). */
export async function variantHandler(variant: Variant, db: Database, url: string, fixed: unknown): Promise<http.RequestListener> {
  const silent = pino({ level: 'silent' });
  const ctx = appContext({ db, config: { ...loadConfig({}), databaseUrl: url, demo: false }, log: silent });
  const body = JSON.stringify(fixed);
  switch (variant) {
    case 'node-http':
      return (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
    case 'lean':
      return withLeanRoutes(ctx, [route({ method: 'GET', path: '/api/lookup', access: 'signed-in', handle: async () => fixed })], (_req, res) => { res.writeHead(404).end(); });
    case 'app':
      return createApp(ctx);
    case 'app-logging':
      return createApp({ ...ctx, log: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })) });
    default:
      break;
  }
  const app = express();
  app.disable('x-powered-by');
  if (variant !== 'express') {
    app.use(pinoHttp({ logger: silent }));
    app.use(express.json({ limit: '2mb' }));
    app.use(cookieParser());
    // the declared lookup checks its own session (http/route.ts): requireSession only in front of the fixed answer
    if (variant !== 'lookup via express') app.use('/api', requireSession(db));
  }
  if (variant === 'lookup via express') {
    mountRoutes(app, ctx, lookupRoutes(ctx));
  } else app.get('/api/lookup', (_req, res) => { res.json(fixed); });
  app.use(errorHandler);
  return app;
}

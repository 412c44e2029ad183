/**
 * Stripped-down variants of the GUP app, to find where the API's time goes (bench/lookup.ts --diagnose). Each one
 * adds a layer of the real app (server/src/app.ts) on top of the previous; all answer GET /api/lookup. The layers are
 * the real modules, imported, never copied.
 */
import http from 'node:http';
import cookieParser from 'cookie-parser';
import express from 'express';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { createApp } from '../../server/src/app.js';
import { requireSession } from '../../server/src/auth/middleware.js';
import { loadConfig } from '../../server/src/config.js';
import type { Database } from '../../server/src/data/db.js';
import { findSessionUser } from '../../server/src/data/users.js';
import { AppError, errorHandler } from '../../server/src/http/errors.js';
import { lookupRouter } from '../../server/src/routes/lookup.js';

export const VARIANTS = {
  'node-http': 'bare node:http answering a fixed lookup JSON (the transport floor)',
  express: '+ Express routing and res.json of the same fixed JSON',
  'express+middleware': '+ pino-http (silent), express.json, cookie-parser',
  'express+middleware+session': '+ requireSession (session cache: mostly no query)',
  'express+middleware+session-query': '+ the session query on every request (requireSession before its cache)',
  'lookup-no-session': 'the real lookup route with the middleware but no session',
  'lookup+session-query': 'the lookup route behind the session query on every request (the app before the session cache)',
  app: 'the real app (createApp), silent logger — what the API scenario runs',
  'app-logging': 'the real app with an info-level logger writing to /dev/null (production-like logging)',
} as const;
export type Variant = keyof typeof VARIANTS;

/** A request handler for the variant; `fixed` is a real lookup answer (the same bytes the app would send). */
export function variantHandler(variant: Variant, db: Database, fixed: unknown): http.RequestListener {
  const silent = pino({ level: 'silent' });
  const config = { ...loadConfig({}), databaseUrl: 'postgres://', demo: false };
  const body = JSON.stringify(fixed);
  if (variant === 'node-http') {
    return (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
  }
  if (variant === 'app') return createApp({ db, config, log: silent });
  if (variant === 'app-logging') return createApp({ db, config, log: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })) });
  const app = express();
  app.disable('x-powered-by');
  if (variant !== 'express') {
    app.use(pinoHttp({ logger: silent }));
    app.use(express.json({ limit: '2mb' }));
    app.use(cookieParser());
  }
  if (variant === 'express+middleware+session') app.use('/api', requireSession(db.knex));
  if (variant === 'express+middleware+session-query' || variant === 'lookup+session-query') {
    // requireSession as it was before its cache: one session query per request
    app.use('/api', async (req, _res, next) => {
      const token = (req.cookies as Record<string, string> | undefined)?.gup_session;
      const user = token ? await findSessionUser(db.knex, token) : null;
      if (!user) return next(new AppError(401, 'unauthenticated', 'Connexion requise'));
      req.user = user;
      next();
    });
  }
  if (variant === 'lookup-no-session' || variant === 'lookup+session-query') app.use('/api/lookup', lookupRouter({ db, config, log: silent }));
  else app.get('/api/lookup', (_req, res) => { res.json(fixed); });
  app.use(errorHandler);
  return app;
}

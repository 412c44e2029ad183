/**
 * Stripped-down and modified variants of the GUP app, to find where the API's time goes and what a change would
 * gain (bench/lookup.ts --diagnose). All answer GET /api/lookup. They use the real modules, imported, never copied;
 * the modifications are applied from outside (an Express setting, a knex client naming the lookup's statement).
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import cookieParser from 'cookie-parser';
import express from 'express';
import knexFactory, { type Knex } from 'knex';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { createApp } from '../../server/src/app.js';
import { requireSession } from '../../server/src/auth/middleware.js';
import { loadConfig } from '../../server/src/config.js';
import type { Database } from '../../server/src/data/db.js';
import { findSessionUser } from '../../server/src/data/users.js';
import { AppError, errorHandler } from '../../server/src/http/errors.js';
import { lookupRouter } from '../../server/src/routes/lookup.js';
import { spotSql } from './spot-sql.js';

export const VARIANTS = {
  'node-http': 'bare node:http answering a fixed lookup JSON (the transport floor)',
  express: '+ Express routing and res.json of the same fixed JSON',
  'express, etag off': 'the same with app.set(\'etag\', false) (no SHA-1 of every JSON answer)',
  'express+json+cookie': '+ express.json and cookie-parser (no pino-http)',
  'express+middleware': '+ pino-http (silent logger): the middleware of createApp',
  'express+middleware+session': '+ requireSession (with its cache: mostly no query)',
  'express+middleware+session-query': '+ the session query on every request (requireSession before its cache)',
  'lookup-no-session': 'the real lookup route behind the middleware, no session',
  'lookup+session-query': 'the lookup route behind the session query on every request (the app before the session cache)',
  app: 'the real app (createApp), silent logger: what the API scenario runs',
  'app-logging': 'the real app, info-level logger writing to /dev/null (production-like logging)',
  'app, etag off': 'the real app with app.set(\'etag\', false)',
  'app, prepared spotAt': 'the real app, the lookup statement as a named prepared statement (parsed and planned once per connection)',
  'app, prepared spotAt, etag off': 'both of the above',
} as const;
export type Variant = keyof typeof VARIANTS;

/**
 * A knex (pg) whose client sends the lookup statement (`spotAt`) as a named prepared statement: what
 * `knex.raw(sql, bindings).options({ name: 'gup_spot_at' })` in server/src/data/lookup.ts would do.
 */
async function preparedSpotKnex(url: string): Promise<Knex> {
  const { text } = await spotSql();
  const require = createRequire(import.meta.url);
  const PgClient = require('knex/lib/dialects/postgres/index.js') as new (config: Knex.Config) => { _query(connection: unknown, obj: { sql?: string; options?: object }): Promise<unknown> };
  class PreparedSpotClient extends PgClient {
    override _query(connection: unknown, obj: { sql?: string; options?: object }) {
      if (obj.sql === text) obj.options = { ...obj.options, name: 'gup_spot_at' };
      return super._query(connection, obj);
    }
  }
  return knexFactory({ client: PreparedSpotClient as unknown as typeof Knex.Client, connection: url, pool: { min: 0, max: 10 } });
}

/** A request handler for the variant; `fixed` is a real lookup answer (the same bytes the app would send). */
export async function variantHandler(variant: Variant, db: Database, url: string, fixed: unknown): Promise<http.RequestListener> {
  const silent = pino({ level: 'silent' });
  const config = { ...loadConfig({}), databaseUrl: url, demo: false };
  const body = JSON.stringify(fixed);
  switch (variant) {
    case 'node-http':
      return (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
    case 'app':
      return createApp({ db, config, log: silent });
    case 'app-logging':
      return createApp({ db, config, log: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })) });
    case 'app, etag off':
      return createApp({ db, config, log: silent }).set('etag', false);
    case 'app, prepared spotAt':
    case 'app, prepared spotAt, etag off': {
      const app = createApp({ db: { ...db, knex: await preparedSpotKnex(url) }, config, log: silent });
      return variant === 'app, prepared spotAt' ? app : app.set('etag', false);
    }
    default:
      break;
  }
  const app = express();
  app.disable('x-powered-by');
  if (variant === 'express, etag off') app.set('etag', false);
  if (variant !== 'express' && variant !== 'express, etag off') {
    if (variant !== 'express+json+cookie') app.use(pinoHttp({ logger: silent }));
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

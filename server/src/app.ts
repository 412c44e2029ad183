import fs from 'node:fs';
import path from 'node:path';
import cookieParser from 'cookie-parser';
import type { RequestListener } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import { requireSession } from './auth/middleware.js';
import type { AppContext, AppOptions } from './http/context.js';
import { apiNotFound, errorHandler } from './http/errors.js';
import { mountRoutes, requestLog } from './http/express.js';
import { rejectNulBytes } from './http/input.js';
import { withLeanRoutes } from './http/lean.js';
import { sameOriginWrites } from './http/origin.js';
import { newAppSlots } from './http/work-slots.js';
import { originOf, precomputedHeaders, securityHeaders } from './http/security.js';
import { actionsRoutes } from './routes/actions.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { diagnosticsRoutes } from './routes/diagnostics.js';
import { broadcastsRoutes } from './routes/broadcasts.js';
import { conventionsRoutes } from './routes/conventions.js';
import { directoryRoutes } from './routes/directory.js';
import { healthRoutes } from './routes/health.js';
import { lookupRoutes } from './routes/lookup.js';
import { ogcapiFallback, ogcapiRoutes } from './routes/ogcapi.js';
import { open311Body, open311ErrorHandler, open311Fallback, open311Routes } from './routes/open311.js';
import { parcelsRoutes } from './routes/parcels.js';
import { passwordRoutes } from './routes/password.js';
import { reportsRoutes } from './routes/reports.js';
import { searchRoutes } from './routes/search.js';
import { statsRoutes } from './routes/stats.js';
import { bilansRoutes } from './routes/bilans.js';
import { subsectorsRoutes } from './routes/subsectors.js';
import { basemap, territoryRoutes } from './routes/territory.js';
import { tilesRoutes } from './routes/tiles.js';
import type { AnyRoute, RawRoute } from './http/route.js';
import { tokensRoutes } from './routes/tokens.js';

/**
 * The API's routes, declared once (server/src/http/route.ts) and served by both transports (escape hatches and the
 * fallbacks of Open311 and OGC API: Express only; docs/decisions.md).
 */
export function declaredRoutes(ctx: AppContext): (AnyRoute | RawRoute)[] {
  return [
    ...healthRoutes(ctx), ...authRoutes(ctx), ...passwordRoutes(ctx), ...tokensRoutes(ctx),
    ...lookupRoutes(ctx), ...tilesRoutes(ctx), ...parcelsRoutes(ctx), ...searchRoutes(ctx), ...territoryRoutes(ctx),
    ...subsectorsRoutes(ctx), ...conventionsRoutes(ctx), ...reportsRoutes(ctx), ...statsRoutes(ctx), ...bilansRoutes(ctx),
    ...diagnosticsRoutes(ctx), ...actionsRoutes(ctx), ...adminRoutes(ctx), ...broadcastsRoutes(ctx), ...directoryRoutes(ctx),
    ...open311Routes(ctx), ...ogcapiRoutes(ctx),
  ];
}

/**
 * The GUP HTTP handler, for `http.createServer`: the declared routes flagged lean (the map's hot reads,
 * server/src/http/lean.ts), then the Express application.
 */
export function createApp(options: AppOptions): RequestListener {
  const ctx = appContext(options);
  const security = securityHeadersOf(ctx);
  const routes = declaredRoutes(ctx);
  return withLeanRoutes(ctx, routes.filter((r): r is AnyRoute => !('raw' in r) && r.lean === true), createExpressApp(ctx, security, routes), precomputedHeaders(security));
}

/** The app context of `options`: the process's work slots fresh unless given. */
export const appContext = (options: AppOptions): AppContext => ({ ...options, slots: options.slots ?? newAppSlots() });

/** The security headers (server/src/http/security.ts), with the basemap's origin allowed for the map's images. */
function securityHeadersOf(ctx: AppContext): RequestHandler {
  const origins = (basemap(process.env)?.tiles ?? []).map(originOf).filter((o): o is string => o !== null);
  return securityHeaders(ctx.config, origins);
}

/** API answers carry personal data: never stored by a browser or a proxy, unless a route says otherwise (photos, tiles). */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** The Express application: security headers, public health and login, everything else behind a session. */
export function createExpressApp(ctx: AppContext, security: RequestHandler = securityHeadersOf(ctx), routes: readonly (AnyRoute | RawRoute)[] = declaredRoutes(ctx)): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLog(ctx.log)); // the one log line (http/log.ts): method, URL, status, time; no header, no secret
  app.use(security);
  app.use('/api', noStore);
  app.use('/ogcapi', noStore); // the reports collection is personal data
  // state-changing requests of the cookie-authenticated API come from our own pages only (before their bodies are
  // read); Open311's POST is authenticated by its API key, sent by the communes' servers without an Origin
  app.use('/api', sameOriginWrites(new URL(ctx.config.publicUrl).origin));
  app.use(express.json({ limit: '2mb' }));
  app.use('/api', rejectNulBytes); // Open311 checks its own, after its form parser
  app.use(cookieParser());

  app.use('/open311/v2', ...open311Body); // its form posts (an error here goes to open311ErrorHandler below)
  const declared = express.Router();
  mountRoutes(declared, ctx, routes); // each checks its own session and role (http/route.ts)
  app.use(declared);
  app.use('/api', requireSession(ctx.db)); // an unknown /api path: 401 without a session, else 404
  app.use('/api', apiNotFound);
  app.use('/open311/v2', open311Fallback, open311ErrorHandler); // GeoReport v2 for the communes' software: unknown paths, errors
  app.use('/ogcapi', ogcapiFallback); // OGC API – Features (declared above): unknown paths, other methods

  const index = path.join(ctx.config.clientDist, 'index.html');
  if (fs.existsSync(index)) {
    app.use(express.static(ctx.config.clientDist, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/|open311\/).*/, (_req, res) => res.sendFile(index));
  }
  app.use(errorHandler);
  return app;
}

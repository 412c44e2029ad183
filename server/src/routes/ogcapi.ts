/**
 * `/ogcapi`: OGC API – Features (DESIGN 3.9) for desktop GIS (QGIS, GDAL) and browsers. Thin: each handler checks
 * the query string, calls the service, and answers JSON (GeoJSON for features) or HTML. The caller is taken from the
 * same session check as every route, optional here: public collections are read anonymously, the others need it.
 */
import { Router, type Request, type Response } from 'express';
import { optionalSession } from '../auth/middleware.js';
import type { AppContext } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { collectionHtml, collectionsHtml, conformanceHtml, featureHtml, itemsHtml, landingHtml } from './ogcapi-html.js';
import { openApiDocument } from '../http/ogc-openapi.js';
import {
  checkQuery, collection, collectionFor, collections, COMMON_PARAMS, conformance, feature, FEATURE_PARAMS, GEOJSON_TYPE, items, ITEMS_PARAMS,
  landingPage, ogcPages, OPENAPI_TYPE, queryables, type OgcFormat,
} from '../services/ogcapi.js';

/** `scheme://host/ogcapi` of the request, for absolute links (GDAL follows them); an odd Host header falls back. */
function baseOf(req: Request): string {
  const host = req.get('host') ?? '';
  return `${req.protocol}://${/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/.test(host) ? host : 'localhost'}${req.baseUrl}`;
}

/** `f` when given; otherwise HTML only for a client preferring it (a browser), JSON for everyone else. */
function formatOf(req: Request, f: OgcFormat | undefined): OgcFormat {
  if (f) return f;
  return req.accepts(['application/json', 'application/geo+json', 'text/html']) === 'text/html' ? 'html' : 'json';
}

function send(res: Response, format: OgcFormat, type: string, json: () => string | Buffer, html: () => string): void {
  res.vary('Accept');
  if (format === 'html') res.type('text/html; charset=utf-8').send(html());
  else res.type(type).send(json());
}

export function ogcapiRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;
  const pages = ogcPages(ctx.config.ogcPageCacheMb);
  router.use(optionalSession(ctx.db));
  router.use((req, res, next) => {
    res.vary('Cookie');
    if (req.user) res.set('Cache-Control', 'private, no-store'); // a signed-in caller's answers depend on its scope
    next();
  });

  router.get('/', (req, res) => {
    const { format } = checkQuery(req.query, COMMON_PARAMS);
    const f = formatOf(req, format);
    const doc = landingPage(baseOf(req), f);
    send(res, f, 'application/json', () => JSON.stringify(doc), () => landingHtml(doc));
  });

  router.get('/conformance', (req, res) => {
    const { format } = checkQuery(req.query, COMMON_PARAMS);
    const f = formatOf(req, format);
    const doc = conformance(baseOf(req), f);
    send(res, f, 'application/json', () => JSON.stringify(doc), () => conformanceHtml(baseOf(req), doc));
  });

  router.get('/api', (req, res) => {
    checkQuery(req.query, COMMON_PARAMS);
    res.setHeader('Content-Type', OPENAPI_TYPE); // exactly this media type (Express's send would reformat it)
    res.end(JSON.stringify(openApiDocument(baseOf(req))));
  });

  router.get('/collections', async (req, res) => {
    const { format } = checkQuery(req.query, COMMON_PARAMS);
    const f = formatOf(req, format);
    const doc = await collections(knex, req.user, baseOf(req), f);
    send(res, f, 'application/json', () => JSON.stringify(doc), () => collectionsHtml(baseOf(req), doc));
  });

  router.get('/collections/:id', async (req, res) => {
    const { format } = checkQuery(req.query, COMMON_PARAMS);
    const f = formatOf(req, format);
    const doc = await collection(knex, req.params.id, req.user, baseOf(req), f);
    send(res, f, 'application/json', () => JSON.stringify(doc), () => collectionHtml(baseOf(req), doc));
  });

  router.get('/collections/:id/queryables', (req, res) => {
    checkQuery(req.query, COMMON_PARAMS);
    res.type('application/schema+json').send(JSON.stringify(queryables(req.params.id, req.user, baseOf(req))));
  });

  router.get('/collections/:id/items', async (req, res) => {
    const { params, format } = checkQuery(req.query, ITEMS_PARAMS);
    const f = formatOf(req, format);
    const answer = await items(ctx.db, pages, req.params.id, req.user, baseOf(req), params, f);
    const title = collectionFor(req.params.id, req.user).title;
    if (answer.etag) res.set('ETag', answer.etag); // a kept page's validator: Express would hash the whole body
    send(res, f, GEOJSON_TYPE, () => answer.body, () => itemsHtml(baseOf(req), req.params.id, title, { ...JSON.parse(answer.body.toString('utf8')), links: answer.links }));
  });

  router.get('/collections/:id/items/:fid', async (req, res) => {
    const { params, format } = checkQuery(req.query, FEATURE_PARAMS);
    const f = formatOf(req, format);
    const text = await feature(knex, req.params.id, req.params.fid, req.user, baseOf(req), params, f);
    const title = collectionFor(req.params.id, req.user).title;
    send(res, f, GEOJSON_TYPE, () => text, () => featureHtml(baseOf(req), req.params.id, title, JSON.parse(text)));
  });

  router.use((req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new AppError(405, 'method_not_allowed', `Méthode ${req.method} non prise en charge : l'API est en lecture seule`);
    throw new AppError(404, 'not_found', `Ressource inconnue : ${req.path.slice(0, 200)}`);
  });
  return router;
}

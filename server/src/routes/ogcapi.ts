/**
 * `/ogcapi`: OGC API – Features (DESIGN 3.9) for desktop GIS (QGIS, GDAL) and browsers, as declared routes
 * (http/route.ts). Thin: each handler checks the query string, calls the service, and answers JSON (GeoJSON for
 * features) or HTML. The caller comes from the one session check, optional here (`public`): public collections are
 * read anonymously, the others need it (the service decides, services/ogcapi.ts).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import accepts from 'accepts';
import type { RequestHandler } from 'express';
import type { AppContext } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { Reply, route, type AnyRoute, type RouteInput } from '../http/route.js';
import { collectionHtml, collectionsHtml, conformanceHtml, featureHtml, itemsHtml, landingHtml } from './ogcapi-html.js';
import { openApiDocument } from '../http/ogc-openapi.js';
import {
  checkQuery, collection, collectionFor, collections, COMMON_PARAMS, conformance, feature, FEATURE_PARAMS, featureSchema, GEOJSON_TYPE, items, ITEMS_PARAMS,
  landingPage, OgcExtents, ogcPages, OPENAPI_TYPE, queryables, type OgcFormat,
} from '../services/ogcapi.js';

type Input = RouteInput<Record<string, string>, Record<string, unknown>, unknown>;

/** `scheme://host/ogcapi` of the request, for absolute links (GDAL follows them); an odd Host header falls back. */
function baseOf(input: Input): string {
  const host = input.headers.host ?? '';
  return `${input.protocol}://${/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/.test(host) ? host : 'localhost'}/ogcapi`;
}

/** `f` when given; otherwise HTML only for a client preferring it (a browser), JSON for everyone else. */
function formatOf(headers: IncomingHttpHeaders, f: OgcFormat | undefined): OgcFormat {
  if (f) return f;
  return accepts({ headers } as IncomingMessage).type(['application/json', 'application/geo+json', 'text/html']) === 'text/html' ? 'html' : 'json';
}

/** The JSON (a string gets `charset=utf-8`, bytes go as they are) or the HTML page, varying with Accept. */
function send(format: OgcFormat, type: string, json: () => string | Buffer, html: () => string): Reply {
  const vary = 'Cookie, Accept';
  if (format === 'html') return new Reply(200, { vary, 'content-type': 'text/html; charset=utf-8' }, html());
  return new Reply(200, { vary, 'content-type': type }, json());
}

export function ogcapiRoutes(ctx: AppContext): AnyRoute[] {
  const { knex } = ctx.db;
  const pages = ogcPages(ctx.config.ogcPageCacheMb);
  const extents = new OgcExtents();
  const ogc = { method: 'GET', access: 'public' } as const;
  // a signed-in caller's answers depend on its scope
  const headers = ({ user }: { user: unknown }) => (user ? { vary: 'Cookie', 'cache-control': 'private, no-store' } : { vary: 'Cookie' });

  return [
    route({
      ...ogc, path: '/ogcapi', headers,
      handle: async (input) => {
        const f = formatOf(input.headers, checkQuery(input.query, COMMON_PARAMS).format);
        const doc = landingPage(baseOf(input), f);
        return send(f, 'application/json', () => JSON.stringify(doc), () => landingHtml(doc));
      },
    }),
    route({
      ...ogc, path: '/ogcapi/conformance', headers,
      handle: async (input) => {
        const f = formatOf(input.headers, checkQuery(input.query, COMMON_PARAMS).format);
        const doc = conformance(baseOf(input), f);
        return send(f, 'application/json', () => JSON.stringify(doc), () => conformanceHtml(baseOf(input), doc));
      },
    }),
    route({
      ...ogc, path: '/ogcapi/api', headers,
      handle: async (input) => {
        checkQuery(input.query, COMMON_PARAMS);
        // bytes: exactly this media type (a string would get `; charset=utf-8` and the type reformatted)
        return new Reply(200, { vary: 'Cookie', 'content-type': OPENAPI_TYPE }, Buffer.from(JSON.stringify(openApiDocument(baseOf(input)))));
      },
    }),
    route({
      ...ogc, path: '/ogcapi/collections', headers,
      handle: async (input, { user }) => {
        const f = formatOf(input.headers, checkQuery(input.query, COMMON_PARAMS).format);
        const doc = await collections(ctx.db, extents, user ?? undefined, baseOf(input), f);
        return send(f, 'application/json', () => JSON.stringify(doc), () => collectionsHtml(baseOf(input), doc));
      },
    }),
    route({
      ...ogc, path: '/ogcapi/collections/:id', headers,
      handle: async (input, { user }) => {
        const f = formatOf(input.headers, checkQuery(input.query, COMMON_PARAMS).format);
        const doc = await collection(ctx.db, extents, input.params.id!, user ?? undefined, baseOf(input), f);
        return send(f, 'application/json', () => JSON.stringify(doc), () => collectionHtml(baseOf(input), doc));
      },
    }),
    route({
      ...ogc, path: '/ogcapi/collections/:id/queryables', headers,
      handle: async (input, { user }) => {
        checkQuery(input.query, COMMON_PARAMS);
        return new Reply(200, { vary: 'Cookie', 'content-type': 'application/schema+json' }, JSON.stringify(queryables(input.params.id!, user ?? undefined, baseOf(input))));
      },
    }),
    route({
      ...ogc, path: '/ogcapi/collections/:id/schema', headers,
      handle: async (input, { user }) => {
        checkQuery(input.query, COMMON_PARAMS);
        return new Reply(200, { vary: 'Cookie', 'content-type': 'application/schema+json' }, JSON.stringify(featureSchema(input.params.id!, user ?? undefined, baseOf(input))));
      },
    }),
    route({
      ...ogc, path: '/ogcapi/collections/:id/items', headers,
      handle: async (input, caller) => {
        const user = caller.user ?? undefined;
        const id = input.params.id!;
        const { params, format } = checkQuery(input.query, ITEMS_PARAMS);
        const f = formatOf(input.headers, format);
        const base = baseOf(input);
        const answer = await items(ctx.db, pages, id, user, base, params, f);
        const title = collectionFor(id, user).title;
        const reply = send(f, GEOJSON_TYPE, () => answer.body, () => itemsHtml(base, id, title, { ...JSON.parse(answer.body.toString('utf8')), links: answer.links }));
        // a kept page's validator: Express would hash the whole body
        return answer.etag ? new Reply(reply.status, { ...reply.headers, etag: answer.etag }, reply.body) : reply;
      },
    }),
    route({
      ...ogc, path: '/ogcapi/collections/:id/items/:fid', headers,
      handle: async (input, caller) => {
        const user = caller.user ?? undefined;
        const { id, fid } = input.params as { id: string; fid: string };
        const { params, format } = checkQuery(input.query, FEATURE_PARAMS);
        const f = formatOf(input.headers, format);
        const base = baseOf(input);
        const text = await feature(knex, id, fid, user, base, params, f);
        const title = collectionFor(id, user).title;
        return send(f, GEOJSON_TYPE, () => text, () => featureHtml(base, id, title, JSON.parse(text)));
      },
    }),
  ];
}

/** Any other request under `/ogcapi` (after the declared routes, as Open311's fallback): 405 but for GET/HEAD, else 404. */
export const ogcapiFallback: RequestHandler = (req, res) => {
  res.vary('Cookie');
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new AppError(405, 'method_not_allowed', `Méthode ${req.method} non prise en charge : l'API est en lecture seule`);
  throw new AppError(404, 'not_found', `Ressource inconnue : ${req.path.slice(0, 200)}`);
};

import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { z } from 'zod';
import { inFrance } from '../domain/geometry.js';
import type { AppContext } from '../http/context.js';
import { AppError, errorReply, validationError } from '../http/errors.js';
import { route } from '../http/route.js';
import { rejectNulBytes } from '../http/input.js';
import { open311Request, open311Requests, open311ServiceDefinition, open311Services, open311Submit, readerScope } from '../services/open311.js';

/**
 * Open311 GeoReport v2 under /open311/v2/ (https://wiki.open311.org/GeoReport_v2), JSON only.
 * Reads are public and carry no personal data (public view; with an `api_key`, its commune's reports in full); filing
 * needs an `api_key` bound to one commune (npm run open311:key).
 * Errors follow the standard: `[{ "code": 400, "description": "…" }]`.
 */
const MAX_IDS = 200;
const csv = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const date = z.string().trim().refine((s) => !Number.isNaN(Date.parse(s)), 'date ISO 8601 attendue (ex. 2026-03-01T00:00:00Z)').transform((s) => new Date(s));

const requestsQuery = z.object({
  service_request_id: z.string().max(4000).transform(csv).pipe(z.array(z.string().max(32)).max(MAX_IDS)).optional(),
  service_code: z.string().max(1000).transform(csv).optional(),
  status: z.string().transform(csv).pipe(z.array(z.enum(['open', 'closed'], { error: 'status : open ou closed' }))).optional(),
  start_date: date.optional(),
  end_date: date.optional(),
  jurisdiction_id: z.string().optional(),
  api_key: z.string().max(200).optional(),
}).refine((q) => !q.start_date || !q.end_date || q.start_date <= q.end_date, { message: 'start_date après end_date', path: ['start_date'] });

const coordinate = (name: string, max: number) => z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
  z.number({ error: `${name} est obligatoire (nombre WGS84)` }).finite().min(-max).max(max),
);
const postSchema = z.object({
  api_key: z.string({ error: 'api_key est obligatoire' }).min(1, 'api_key est obligatoire').max(200),
  service_code: z.string({ error: 'service_code est obligatoire' }).trim().min(1, 'service_code est obligatoire').max(64),
  lat: coordinate('lat', 90),
  long: coordinate('long', 180),
  description: z.string({ error: 'description est obligatoire' }).trim().min(3, 'description trop courte').max(4000),
  urgent: z.string().trim().max(64).optional(),
}).superRefine((v, ctx) => {
  if (!inFrance(v.long, v.lat)) ctx.addIssue({ code: 'custom', path: ['long'], message: inFrance(v.lat, v.long) ? 'lat et long inversées ?' : 'point hors de France' });
});

/** The submitted fields, from a form (`attribute[urgent]` as a literal key) or a JSON body (`attribute: { urgent }` too). */
function submission(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>;
  const attr = (b.attribute && typeof b.attribute === 'object' ? b.attribute : {}) as Record<string, unknown>;
  const urgent = b['attribute[urgent]'] ?? attr.urgent;
  if (b.lat === undefined && b.long === undefined && (b.address_string || b.address_id)) {
    throw new AppError(400, 'invalid_input', 'Seule la position lat/long est acceptée (pas address_string ni address_id)', [{ field: 'lat', message: 'obligatoire' }]);
  }
  return { api_key: b.api_key, service_code: b.service_code, lat: b.lat, long: b.long, description: b.description, urgent: urgent === undefined ? undefined : String(urgent) };
}

/** Errors in the standard's shape, `[{code, description}]`, with the same HTTP status (the fields named in the description). */
export function open311ErrorBody(e: AppError): [{ code: number; description: string }] {
  const fields = Array.isArray(e.details) ? (e.details as { field?: string | null; message?: string }[]).map((d) => `${d.field ?? ''} : ${d.message ?? ''}`).join(' ; ') : '';
  return [{ code: e.status, description: fields ? `${e.message} (${fields})` : e.message }];
}

/**
 * The GeoReport v2 routes: public (an `api_key` in the query or the body decides what a reader sees and who files),
 * errors in the standard's shape. Their form body is read by `open311Body` (mounted before them).
 */
export function open311Routes(ctx: AppContext) {
  const { knex } = ctx.db;
  const base = { access: 'public', errorBody: open311ErrorBody } as const;
  return [
    // the public URL comes from the configuration (GUP_PUBLIC_URL), never from the request's Host header
    route({
      ...base, method: 'GET', path: '/open311/v2/discovery.json',
      handle: async () => ({
        changeset: '2026-01-01T00:00:00Z',
        contact: 'Mission GUP',
        key_service: 'Clé API délivrée par l\'administrateur GUP (npm run open311:key)',
        endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${ctx.config.publicUrl}/open311/v2`, changeset: '2026-01-01T00:00:00Z', type: 'production', formats: ['application/json'] }],
      }),
    }),
    route({ ...base, method: 'GET', path: '/open311/v2/services.json', handle: () => open311Services(knex) }),
    route({ ...base, method: 'GET', path: '/open311/v2/services/:code.json', handle: ({ params }) => open311ServiceDefinition(knex, params.code!) }),
    route({
      ...base, method: 'GET', path: '/open311/v2/requests.json', query: requestsQuery,
      handle: async ({ query: { service_request_id: ids, service_code: serviceCodes, status: statuses, start_date: startDate, end_date: endDate, api_key: apiKey } }) =>
        open311Requests(knex, { ids, serviceCodes, statuses, startDate, endDate }, await readerScope(knex, apiKey)),
    }),
    route({
      ...base, method: 'GET', path: '/open311/v2/requests/:id.json', query: z.object({ api_key: z.string().max(200).optional() }),
      handle: async ({ params, query }) => open311Request(knex, params.id!, await readerScope(knex, query.api_key)),
    }),
    route({
      ...base, method: 'POST', path: '/open311/v2/requests.json', status: 201,
      handle: async ({ body }) => {
        const parsed = postSchema.safeParse(submission(body));
        if (!parsed.success) throw validationError(parsed.error, 'Demande invalide');
        const p = parsed.data;
        return open311Submit(ctx.db, { apiKey: p.api_key, serviceCode: p.service_code, lon: p.long, lat: p.lat, description: p.description, urgent: p.urgent });
      },
    }),
  ];
}

/** Before the routes: the form body (`application/x-www-form-urlencoded`, as the standard posts) and its NUL-byte check. */
export const open311Body = [express.urlencoded({ extended: false, limit: '100kb' }), rejectNulBytes];

/** After the routes: an unknown path (a `.xml` one: the format is not served) and every error, in the standard's shape. */
export const open311Fallback: RequestHandler = (req) => {
  if (/\.xml$/i.test(req.path)) throw new AppError(400, 'unsupported_format', 'Format non supporté : seul .json est servi');
  throw new AppError(404, 'not_found', `Ressource Open311 inconnue : ${req.method} ${req.path}`);
};
export const open311ErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const reply = errorReply(err, req.log, req.method, req.originalUrl, open311ErrorBody);
  if (res.headersSent) return;
  res.status(reply.status).json(reply.value);
};

import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { z } from 'zod';
import { inFrance } from '../domain/geometry.js';
import type { AppContext } from '../http/context.js';
import { AppError, clientErrorOf, validationError } from '../http/errors.js';
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
function submission(req: Request) {
  const b = (req.body ?? {}) as Record<string, unknown>;
  const attr = (b.attribute && typeof b.attribute === 'object' ? b.attribute : {}) as Record<string, unknown>;
  const urgent = b['attribute[urgent]'] ?? attr.urgent;
  if (b.lat === undefined && b.long === undefined && (b.address_string || b.address_id)) {
    throw new AppError(400, 'invalid_input', 'Seule la position lat/long est acceptée (pas address_string ni address_id)', [{ field: 'lat', message: 'obligatoire' }]);
  }
  return { api_key: b.api_key, service_code: b.service_code, lat: b.lat, long: b.long, description: b.description, urgent: urgent === undefined ? undefined : String(urgent) };
}

export function open311Router(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;
  router.use(express.urlencoded({ extended: false, limit: '100kb' }), rejectNulBytes);

  // the public URL comes from the configuration (GUP_PUBLIC_URL), never from the request's Host header
  router.get('/discovery.json', (_req, res) => {
    res.json({
      changeset: '2026-01-01T00:00:00Z',
      contact: 'Mission GUP',
      key_service: 'Clé API délivrée par l\'administrateur GUP (npm run open311:key)',
      endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${ctx.config.publicUrl}/open311/v2`, changeset: '2026-01-01T00:00:00Z', type: 'production', formats: ['application/json'] }],
    });
  });

  router.get('/services.json', async (_req, res) => {
    res.json(await open311Services(knex));
  });

  router.get('/services/:code.json', async (req, res) => {
    res.json(await open311ServiceDefinition(knex, req.params.code));
  });

  router.get('/requests.json', async (req, res) => {
    const q = requestsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'Paramètres invalides');
    const { service_request_id: ids, service_code: serviceCodes, status: statuses, start_date: startDate, end_date: endDate, api_key: apiKey } = q.data;
    res.json(await open311Requests(knex, { ids, serviceCodes, statuses, startDate, endDate }, await readerScope(knex, apiKey)));
  });

  router.get('/requests/:id.json', async (req, res) => {
    const key = z.object({ api_key: z.string().max(200).optional() }).safeParse(req.query);
    if (!key.success) throw validationError(key.error, 'Paramètres invalides');
    res.json(await open311Request(knex, req.params.id, await readerScope(knex, key.data.api_key)));
  });

  router.post('/requests.json', async (req, res) => {
    const parsed = postSchema.safeParse(submission(req));
    if (!parsed.success) throw validationError(parsed.error, 'Demande invalide');
    const p = parsed.data;
    res.status(201).json(await open311Submit(ctx.db, { apiKey: p.api_key, serviceCode: p.service_code, lon: p.long, lat: p.lat, description: p.description, urgent: p.urgent }));
  });

  router.use((req) => {
    if (/\.xml$/i.test(req.path)) throw new AppError(400, 'unsupported_format', 'Format non supporté : seul .json est servi');
    throw new AppError(404, 'not_found', `Ressource Open311 inconnue : ${req.method} ${req.path}`);
  });
  return router;
}

/** Errors in the standard's shape, `[{code, description}]`, with the same HTTP status. */
export const open311ErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let description = 'Erreur interne du serveur';
  const e = clientErrorOf(err);
  if (e) {
    status = e.status;
    const fields = Array.isArray(e.details) ? (e.details as { field?: string | null; message?: string }[]).map((d) => `${d.field ?? ''} : ${d.message ?? ''}`).join(' ; ') : '';
    description = fields ? `${e.message} (${fields})` : e.message;
  } else {
    req.log?.error({ err }, 'unhandled error (open311)');
  }
  if (res.headersSent) return;
  res.status(status).json([{ code: status, description }]);
};

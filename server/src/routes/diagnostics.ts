import { z } from 'zod';
import { DIAGNOSTIC_STATUSES, OBSERVATION_KINDS, PARTICIPANT_KINDS, SEVERITIES, TRIAGE_TARGETS } from '../domain/diagnostics.js';
import type { AppContext } from '../http/context.js';
import { AppError, validationError } from '../http/errors.js';
import { refineInFrance } from '../http/geo.js';
import { parseId } from '../http/input.js';
import { photoUpload } from '../http/multipart.js';
import { JsonReply, rawRoute, Reply, route } from '../http/route.js';
import {
  addObservation, addObservationPhoto, createDiagnostic, diagnosticDetails, diagnosticsOf, observationPhoto, observationsAround, triageObservation, updateDiagnostic,
} from '../services/diagnostics.js';
import { minutesPdf } from '../services/minutes.js';

/** A positive 32-bit id from a path parameter, else 400 naming it. */
export const idParam = (raw: unknown, field = 'id') => parseId(raw, field, `Identifiant invalide (${field})`);

/** A calendar day, YYYY-MM-DD, that exists. */
export const dayString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ attendue')
  .refine((s) => { const d = new Date(`${s}T00:00:00Z`); return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s; }, 'date inexistante');

const participant = z.object({
  name: z.string().trim().min(1, 'nom obligatoire').max(120),
  organisation: z.string().trim().max(120).nullable().optional(),
  kind: z.enum(PARTICIPANT_KINDS),
}).strict();

const diagnosticFields = {
  title: z.string().trim().min(3, 'titre trop court').max(200),
  qpv: z.string().trim().max(16).nullable().optional(),
  subsector: z.number().int().positive().max(2147483647).nullable().optional(),
  heldOn: dayString,
  slot: z.string().trim().max(60).nullable().optional(),
  geometry: z.unknown().refine((g) => g !== undefined && g !== null, 'parcours ou zone obligatoire'),
  participants: z.array(participant).max(200).optional(),
  status: z.enum(DIAGNOSTIC_STATUSES).optional(),
  decisions: z.string().trim().max(20000).nullable().optional(),
};
const createSchema = z.object({ ...diagnosticFields, commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE à 5 caractères attendu') }).strict();
const updateSchema = z.object(diagnosticFields).partial().strict();

const observationSchema = z.object({
  uuid: z.uuid('uuid attendu (identifiant fait par l\'appareil)'),
  lon: z.number({ error: 'lon doit être un nombre' }).finite().min(-180).max(180),
  lat: z.number({ error: 'lat doit être un nombre' }).finite().min(-90).max(90),
  criterion: z.string().trim().min(1, 'critère obligatoire').max(64),
  kind: z.enum(OBSERVATION_KINDS),
  severity: z.enum(SEVERITIES).nullable().optional(),
  text: z.string().trim().max(4000).optional(),
  capturedAt: z.iso.datetime({ offset: true }).optional(),
}).strict().superRefine(refineInFrance);

const triageSchema = z.object({
  to: z.enum(TRIAGE_TARGETS),
  reason: z.string().trim().max(2000).nullable().optional(),
  category: z.string().trim().min(1).max(64).optional(),
  title: z.string().trim().max(300).optional(),
  ownerService: z.string().trim().max(64).nullable().optional(),
  dueOn: dayString.nullable().optional(),
}).strict();

/** `bbox=west,south,east,north`, at most 0.2° a side (a commune). */
const bboxSchema = z.object({
  bbox: z.string().transform((s, ctx) => {
    const n = s.split(',').map(Number);
    if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || n[0]! >= n[2]! || n[1]! >= n[3]!) { ctx.addIssue({ code: 'custom', message: 'bbox = ouest,sud,est,nord' }); return z.NEVER; }
    if (n[2]! - n[0]! > 0.2 || n[3]! - n[1]! > 0.2) { ctx.addIssue({ code: 'custom', message: 'emprise trop grande (0,2° au plus)' }); return z.NEVER; }
    return n as [number, number, number, number];
  }),
});

const listSchema = z.object({
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/).optional(),
  status: z.enum(DIAGNOSTIC_STATUSES).optional(),
});

/**
 * Walking diagnoses (DESIGN 3.6, §4): sessions, observations (idempotent by uuid), photos, triage, minutes. Every
 * signed-in role; the services decide per commune. Ids are read by `idParam` above (its own message, kept).
 */
export function diagnosticsRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  const access = 'signed-in';
  return [
    route({
      method: 'GET', path: '/api/diagnostics', access, query: listSchema, invalid: 'Filtres invalides',
      handle: async ({ query }, { user }) => ({ diagnostics: await diagnosticsOf(knex, user, query) }),
    }),
    route({
      method: 'POST', path: '/api/diagnostics', access, body: createSchema, invalid: 'Diagnostic invalide',
      handle: async ({ body }, { user }) => {
        const d = await createDiagnostic(ctx.db, user, body);
        return new JsonReply(201, d, { location: `/api/diagnostics/${d.id}` });
      },
    }),
    // earlier observations over the planning map (before '/:id', which would take "observations" for an id)
    route({
      method: 'GET', path: '/api/diagnostics/observations', access, query: bboxSchema, invalid: 'Emprise invalide',
      handle: async ({ query }, { user }) => ({ observations: await observationsAround(ctx.db, user, query.bbox) }),
    }),
    route({
      method: 'GET', path: '/api/diagnostics/:id', access,
      handle: ({ params }, { user }) => diagnosticDetails(ctx.db, user, idParam(params.id)),
    }),
    route({
      method: 'PUT', path: '/api/diagnostics/:id', access,
      handle: ({ params, body }, { user }) => {
        const id = idParam(params.id);
        const parsed = updateSchema.safeParse(body);
        if (!parsed.success) throw validationError(parsed.error, 'Diagnostic invalide');
        return updateDiagnostic(ctx.db, user, id, parsed.data);
      },
    }),
    route({
      method: 'POST', path: '/api/diagnostics/:id/observations', access,
      handle: async ({ params, body }, { user }) => {
        const id = idParam(params.id);
        const parsed = observationSchema.safeParse(body);
        if (!parsed.success) throw validationError(parsed.error, 'Observation invalide');
        const { created, observation } = await addObservation(ctx.db, user, id, parsed.data);
        return new JsonReply(created ? 201 : 200, observation);
      },
    }),
    // escape hatch: multipart, `photo` (the file) and `uuid` (the photo's identifier, made on the device)
    rawRoute({
      method: 'POST', path: '/api/diagnostics/:id/observations/:uuid/photos', access, raw: true, before: [photoUpload],
      handle: async (req, res, { user }) => {
        const id = idParam(req.params.id);
        const uuids = z.object({ observation: z.uuid(), photo: z.uuid('uuid de la photo attendu') }).safeParse({ observation: req.params.uuid, photo: req.body?.uuid });
        if (!uuids.success) throw validationError(uuids.error, 'Photo invalide');
        if (!req.file) throw new AppError(400, 'invalid_input', 'Photo manquante', [{ field: 'photo', message: 'fichier obligatoire' }]);
        const saved = await addObservationPhoto(knex, ctx.slots.photos, user, id, uuids.data.observation, uuids.data.photo, req.file.buffer);
        res.status(saved.created ? 201 : 200).json(saved);
      },
    }),
    route({
      method: 'GET', path: '/api/diagnostics/:id/observations/:oid/photos/:pid', access,
      handle: async ({ params, query }, { user }) => {
        const photo = await observationPhoto(ctx.db, user, idParam(params.id), idParam(params.oid, 'oid'), idParam(params.pid, 'pid'), ['1', 'true'].includes(String(query.thumbnail ?? '')));
        return new Reply(200, { 'cache-control': 'private, max-age=86400', 'x-content-type-options': 'nosniff', 'content-type': photo.mime }, photo.data);
      },
    }),
    route({
      method: 'POST', path: '/api/diagnostics/:id/observations/:oid/triage', access,
      handle: ({ params, body }, { user }) => {
        const id = idParam(params.id);
        const oid = idParam(params.oid, 'oid');
        const parsed = triageSchema.safeParse(body);
        if (!parsed.success) throw validationError(parsed.error, 'Tri invalide');
        return triageObservation(ctx.db, user, id, oid, parsed.data);
      },
    }),
    route({
      method: 'GET', path: '/api/diagnostics/:id/minutes.pdf', access,
      handle: async ({ params }, { user }) => {
        const { fileName, pdf } = await minutesPdf(ctx.db, ctx.slots.documents, user, idParam(params.id));
        return Reply.download(pdf, 'application/pdf', fileName, { 'cache-control': 'private, no-store' });
      },
    }),
  ];
}

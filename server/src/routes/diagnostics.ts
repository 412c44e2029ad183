import { Router } from 'express';
import { z } from 'zod';
import { currentUser } from '../auth/middleware.js';
import { DIAGNOSTIC_STATUSES, OBSERVATION_KINDS, PARTICIPANT_KINDS, SEVERITIES, TRIAGE_TARGETS } from '../domain/diagnostics.js';
import type { AppContext } from '../http/context.js';
import { AppError, validationError } from '../http/errors.js';
import { refineInFrance } from '../http/geo.js';
import { parseId } from '../http/input.js';
import { photoUpload } from '../http/multipart.js';
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

/** Walking diagnoses (DESIGN 3.6, §4): sessions, observations (idempotent by uuid), photos, triage, minutes. */
export function diagnosticsRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;

  router.get('/', async (req, res) => {
    const parsed = listSchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Filtres invalides');
    res.json({ diagnostics: await diagnosticsOf(knex, currentUser(req), parsed.data) });
  });

  router.post('/', async (req, res) => {
    const parsed = createSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Diagnostic invalide');
    const d = await createDiagnostic(ctx.db, currentUser(req), parsed.data);
    res.status(201).location(`/api/diagnostics/${d.id}`).json(d);
  });

  // earlier observations over the planning map (before '/:id', which would take "observations" for an id)
  router.get('/observations', async (req, res) => {
    const parsed = bboxSchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Emprise invalide');
    res.json({ observations: await observationsAround(ctx.db, currentUser(req), parsed.data.bbox) });
  });

  router.get('/:id', async (req, res) => {
    res.json(await diagnosticDetails(ctx.db, currentUser(req), idParam(req.params.id)));
  });

  router.put('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const parsed = updateSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Diagnostic invalide');
    res.json(await updateDiagnostic(ctx.db, currentUser(req), id, parsed.data));
  });

  router.post('/:id/observations', async (req, res) => {
    const id = idParam(req.params.id);
    const parsed = observationSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Observation invalide');
    const { created, observation } = await addObservation(ctx.db, currentUser(req), id, parsed.data);
    res.status(created ? 201 : 200).json(observation);
  });

  // multipart: `photo` (the file) and `uuid` (the photo's identifier, made on the device)
  router.post('/:id/observations/:uuid/photos', photoUpload, async (req, res) => {
    const id = idParam(req.params.id);
    const uuids = z.object({ observation: z.uuid(), photo: z.uuid('uuid de la photo attendu') }).safeParse({ observation: req.params.uuid, photo: req.body?.uuid });
    if (!uuids.success) throw validationError(uuids.error, 'Photo invalide');
    if (!req.file) throw new AppError(400, 'invalid_input', 'Photo manquante', [{ field: 'photo', message: 'fichier obligatoire' }]);
    const saved = await addObservationPhoto(knex, currentUser(req), id, uuids.data.observation, uuids.data.photo, req.file.buffer);
    res.status(saved.created ? 201 : 200).json(saved);
  });

  router.get('/:id/observations/:oid/photos/:pid', async (req, res) => {
    const photo = await observationPhoto(ctx.db, currentUser(req), idParam(req.params.id), idParam(req.params.oid, 'oid'), idParam(req.params.pid, 'pid'), ['1', 'true'].includes(String(req.query.thumbnail ?? '')));
    res.set({ 'Cache-Control': 'private, max-age=86400', 'X-Content-Type-Options': 'nosniff' }).type(photo.mime).send(photo.data);
  });

  router.post('/:id/observations/:oid/triage', async (req, res) => {
    const id = idParam(req.params.id);
    const oid = idParam(req.params.oid, 'oid');
    const parsed = triageSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Tri invalide');
    res.json(await triageObservation(ctx.db, currentUser(req), id, oid, parsed.data));
  });

  router.get('/:id/minutes.pdf', async (req, res) => {
    const { fileName, pdf } = await minutesPdf(ctx.db, currentUser(req), idParam(req.params.id));
    res.set({ 'Cache-Control': 'private, no-store' }).type('application/pdf').attachment(fileName).send(pdf);
  });

  return router;
}

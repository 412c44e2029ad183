import { z } from 'zod';
import { countReports, listReports, nearbyOpenReports, type ReportRow } from '../data/reports.js';
import { canReport, reportScope } from '../domain/access.js';
import { REPORT_ACTIONS, REPORT_SORTS, REPORT_STATUSES, STATUS_LABELS, type ReportAction } from '../domain/reports.js';
import type { AppContext } from '../http/context.js';
import { csvDateTime, toCsv, type CsvColumn } from '../http/csv.js';
import { AppError, validationError } from '../http/errors.js';
import { pointQuerySchema, refineInFrance } from '../http/geo.js';
import { idParam, idValue, parseId } from '../http/input.js';
import { photoUpload, reportFieldsFromForm } from '../http/multipart.js';
import { rawRoute, Reply, route } from '../http/route.js';
import { photoFor, processPhoto } from '../services/photos.js';
import { applyAction, followReport, reportDetails, submitReport } from '../services/reports.js';
import { requireTerritory } from '../services/territory.js';

export const reportBodySchema = z.object({
  category: z.string().trim().min(1, 'catégorie obligatoire').max(64),
  description: z.string().trim().min(3, 'description trop courte').max(4000),
  lon: z.number({ error: 'lon doit être un nombre' }).finite().min(-180).max(180),
  lat: z.number({ error: 'lat doit être un nombre' }).finite().min(-90).max(90),
  urgent: z.boolean().default(false),
  urgencyCriterion: z.string().trim().max(64).nullable().optional(),
}).strict().superRefine(refineInFrance);

const STATUS_FOR_ACTION: Record<string, ReportAction> = {
  acknowledged: 'acknowledge', in_progress: 'start', resolved: 'resolve', transferred: 'transfer', rejected: 'reject',
  duplicate: 'merge', closed: 'close', submitted: 'reopen',
};
const transitionSchema = z.object({
  to: z.enum(REPORT_STATUSES).optional(),
  action: z.enum(REPORT_ACTIONS).optional(),
  comment: z.string().trim().max(4000).nullable().optional(),
  service: z.string().trim().max(64).optional(),
  duplicateOf: idValue.optional(),
  satisfaction: z.number({ error: 'note de 1 à 5' }).int('note de 1 à 5').min(1, 'note de 1 à 5').max(5, 'note de 1 à 5').optional(),
}).strict().refine((b) => !!b.to !== !!b.action, { message: 'donner soit « to » (statut visé), soit « action »', path: ['to'] });

const csvList = (values: readonly string[]) => z.string().transform((s, ctx) => {
  const items = s.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = items.find((x) => !values.includes(x));
  if (bad) { ctx.addIssue({ code: 'custom', message: `valeur inconnue « ${bad} »` }); return z.NEVER; }
  return items;
});
const listSchema = z.object({
  status: csvList(REPORT_STATUSES).optional(),
  category: z.string().max(64).optional(),
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/).optional(),
  service: z.string().max(64).optional(),
  qpv: z.string().max(16).optional(),
  subsector: idParam.optional(),
  overdue: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').optional(),
  bbox: z.string().transform((s, ctx) => {
    const n = s.split(',').map(Number);
    if (n.length !== 4 || n.some((x) => !Number.isFinite(x))) { ctx.addIssue({ code: 'custom', message: 'bbox = ouest,sud,est,nord' }); return z.NEVER; }
    return n as [number, number, number, number];
  }).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  sort: z.enum(REPORT_SORTS).default('newest'),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Column names as a French reader expects them (accents included); dates in Paris local time. */
const CSV_COLUMNS: CsvColumn<ReportRow>[] = [
  ['Référence', (r) => r.reference], ['Date', (r) => csvDateTime(r.createdAt)], ['Statut', (r) => STATUS_LABELS[r.status]],
  ['Catégorie', (r) => r.categoryName], ['Commune', (r) => r.communeName], ['QPV', (r) => r.qpvName ?? ''], ['Parcelle', (r) => r.parcelIdu ?? ''],
  ['Service', (r) => r.serviceName], ['Urgent', (r) => (r.urgent ? 'oui' : 'non')], ['Échéance', (r) => csvDateTime(r.resolveDueAt)],
  ['En retard', (r) => (r.overdue ? 'oui' : 'non')], ['Longitude', (r) => Number(r.lon)], ['Latitude', (r) => Number(r.lat)], ['Description', (r) => r.description],
];

/** Reports (DESIGN 3.4, §4): every signed-in role; what each sees and may do is decided by the domain (access.ts, reports.ts). */
export function reportsRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  const params = z.object({ id: idParam });
  const badId = 'Identifiant de signalement invalide';
  const countsSchema = listSchema.omit({ format: true, sort: true, limit: true, offset: true }).strict();

  return [
    // escape hatch: JSON, or multipart/form-data with the same fields and one `photo` (streamed by multer)
    rawRoute({
      method: 'POST', path: '/api/reports', access: 'signed-in', raw: true, before: [photoUpload],
      handle: async (req, res, { user }) => {
        const parsed = reportBodySchema.safeParse(req.is('multipart/form-data') ? reportFieldsFromForm(req.body ?? {}) : req.body);
        if (!parsed.success) throw validationError(parsed.error, 'Signalement invalide');
        const key = req.get('Idempotency-Key')?.trim();
        if (key !== undefined && (key.length < 8 || key.length > 128)) throw new AppError(400, 'invalid_input', 'Idempotency-Key : 8 à 128 caractères', [{ field: 'Idempotency-Key', message: 'longueur' }]);
        const photo = req.file ? await processPhoto(ctx.slots.photos, user.id, req.file.buffer) : null;
        const { created, report } = await submitReport(ctx.db, user, parsed.data, { idempotencyKey: key || null, photo });
        res.status(created ? 201 : 200).location(`/api/reports/${report.id}`).json(report);
      },
    }),
    route({
      method: 'GET', path: '/api/reports', access: 'signed-in', query: listSchema, invalid: 'Filtres invalides',
      handle: async ({ query: { format, status, ...filters } }, { user }) => {
        const { rows, total } = await listReports(knex, reportScope(user), { ...filters, status: status as ReportRow['status'][] | undefined });
        if (format === 'csv') return Reply.download(toCsv(CSV_COLUMNS, rows), 'text/csv; charset=utf-8', 'signalements.csv');
        return { total, reports: rows.map((r) => ({ ...r, statusLabel: STATUS_LABELS[r.status] })) };
      },
    }),
    // the caller's counts (a service agent's queue, a commune's follow-up): in all, open, overdue, per status
    route({
      method: 'GET', path: '/api/reports/counts', access: 'signed-in', query: countsSchema, invalid: 'Filtres invalides',
      handle: ({ query: { status, ...filters } }, { user }) => countReports(knex, reportScope(user), { ...filters, status: status as ReportRow['status'][] | undefined }),
    }),
    route({
      method: 'GET', path: '/api/reports/nearby', access: canReport, query: z.intersection(pointQuerySchema, z.object({ category: z.string().min(1).max(64) })),
      handle: async ({ query: { lon, lat, category } }, { user }) => {
        const t = await requireTerritory(ctx.db);
        const reports = await nearbyOpenReports(knex, reportScope(user), category, lon, lat, t.duplicatesRadiusM, t.duplicatesWindowDays);
        return { radiusMeters: t.duplicatesRadiusM, windowDays: t.duplicatesWindowDays, reports };
      },
    }),
    route({
      method: 'GET', path: '/api/reports/:id', access: 'signed-in', params, invalid: badId,
      handle: ({ params: { id } }, { user }) => reportDetails(knex, user, id),
    }),
    route({
      method: 'GET', path: '/api/reports/:id/photos/:photoId', access: 'signed-in',
      handle: async ({ params, query }, { user }) => {
        const photoId = parseId(params.photoId, 'photoId', 'Identifiant de photo invalide');
        const photo = await photoFor(knex, user, parseId(params.id, 'id', badId), photoId, ['1', 'true'].includes(String(query.thumbnail ?? '')));
        return new Reply(200, { 'cache-control': 'private, max-age=86400', 'x-content-type-options': 'nosniff', 'content-type': photo.mime }, photo.data);
      },
    }),
    route({
      method: 'POST', path: '/api/reports/:id/transitions', access: 'signed-in', params, body: transitionSchema, invalid: { params: badId, body: 'Transition invalide' },
      handle: async ({ params: { id }, body: { to, action, ...rest } }, { user }) => {
        const after = await applyAction(ctx.db, user, id, { action: action ?? STATUS_FOR_ACTION[to!]!, ...rest });
        // after a transfer the former service no longer sees the report: answer with what changed
        const visible = await reportDetails(knex, user, id).catch((err: unknown) => (err instanceof AppError && err.status === 404 ? null : Promise.reject(err)));
        return visible ?? { id, ...after, visible: false };
      },
    }),
    route({
      method: 'POST', path: '/api/reports/:id/follow', access: 'signed-in', params, invalid: badId,
      handle: async ({ params: { id } }, { user }) => {
        await followReport(knex, user, id);
        return reportDetails(knex, user, id);
      },
    }),
  ];
}

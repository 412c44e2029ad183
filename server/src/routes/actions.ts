import { z } from 'zod';
import { ACTIONS_MAX, type ActionRow } from '../data/actions.js';
import { ACTION_ORIGIN_LABELS, ACTION_ORIGINS, ACTION_STATUS_LABELS, ACTION_STATUSES } from '../domain/diagnostics.js';
import type { AppContext } from '../http/context.js';
import { toCsv, type CsvColumn } from '../http/csv.js';
import { validationError } from '../http/errors.js';
import { idParam as idQuery, MAX_ID } from '../http/input.js';
import { JsonReply, Reply, route } from '../http/route.js';
import { actionsOf, actionsPage, createAction, editAction } from '../services/actions.js';
import { dayString, idParam } from './diagnostics.js';

const fields = {
  title: z.string().trim().min(3, 'intitulé trop court').max(300),
  description: z.string().trim().max(4000).nullable().optional(),
  qpv: z.string().trim().max(16).nullable().optional(),
  ownerOrganisation: z.string().trim().max(64).nullable().optional(),
  ownerService: z.string().trim().max(64).nullable().optional(),
  dueOn: dayString.nullable().optional(),
  status: z.enum(ACTION_STATUSES).optional(),
  evidence: z.string().trim().max(4000).nullable().optional(),
  diagnostic: z.number().int().positive().max(2147483647).nullable().optional(),
  report: z.number().int().positive().max(2147483647).nullable().optional(),
};
const createSchema = z.object({
  ...fields,
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE à 5 caractères attendu'),
  origin: z.enum(ACTION_ORIGINS),
}).strict();
const updateSchema = z.object(fields).partial().strict();

/** Digits only (no sign, exponent or hexadecimal), as a number. */
const wholeNumber = z.string().regex(/^[0-9]{1,10}$/, 'entier positif attendu').transform(Number);

const listSchema = z.object({
  commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/).optional(),
  qpv: z.string().max(16).optional(),
  status: z.enum(ACTION_STATUSES).optional(),
  overdue: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').optional(),
  diagnostic: idQuery.optional(),
  format: z.enum(['json', 'csv']).default('json'),
  /** A page of the JSON list (the CSV holds every item, up to `ACTIONS_MAX`). */
  limit: wholeNumber.pipe(z.number().min(1, 'au moins 1').max(ACTIONS_MAX, `au plus ${ACTIONS_MAX}`)).default(ACTIONS_MAX),
  offset: wholeNumber.pipe(z.number().max(MAX_ID, `au plus ${MAX_ID}`)).default(0),
});

const CSV_COLUMNS: CsvColumn<ActionRow>[] = [
  ['id', (a) => a.id], ['intitule', (a) => a.title], ['commune', (a) => a.communeName], ['qpv', (a) => a.qpvName ?? ''],
  ['origine', (a) => ACTION_ORIGIN_LABELS[a.origin]], ['diagnostic', (a) => a.diagnosticTitle ?? ''],
  ['porteur', (a) => a.ownerServiceName ?? a.ownerOrganisationName ?? ''], ['echeance', (a) => a.dueOn ?? ''],
  ['statut', (a) => ACTION_STATUS_LABELS[a.status]], ['en_retard', (a) => (a.overdue ? 'oui' : 'non')], ['preuve', (a) => a.evidence ?? ''],
  ['description', (a) => a.description ?? ''],
];

/** Request fields → stored fields (only those given). */
const toFields = (b: z.infer<typeof updateSchema>) => ({
  title: b.title, description: b.description, qpvCode: b.qpv, ownerOrganisation: b.ownerOrganisation, ownerService: b.ownerService,
  dueOn: b.dueOn, status: b.status, evidence: b.evidence, diagnosticId: b.diagnostic, reportId: b.report,
});

/** The action plan (DESIGN 3.6, §4): `GET/POST /api/actions`, `PUT /api/actions/:id`, CSV with `format=csv`. Signed in; the services decide per commune. */
export function actionsRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  return [
    route({
      method: 'GET', path: '/api/actions', access: 'signed-in', query: listSchema, invalid: 'Filtres invalides',
      handle: async ({ query: { format, limit, offset, ...filters } }, { user }) => {
        if (format === 'csv') return Reply.download(toCsv(CSV_COLUMNS, await actionsOf(knex, user, filters)), 'text/csv; charset=utf-8', 'plan-actions.csv');
        const { rows, total } = await actionsPage(knex, user, filters, { limit, offset });
        return { actions: rows, total };
      },
    }),
    route({
      method: 'POST', path: '/api/actions', access: 'signed-in', body: createSchema, invalid: 'Action invalide',
      handle: async ({ body: b }, { user }) => {
        const f = toFields(b);
        const a = await createAction(ctx.db, user, {
          ...f, title: b.title, description: f.description ?? null, qpvCode: f.qpvCode ?? null, ownerOrganisation: f.ownerOrganisation ?? null,
          ownerService: f.ownerService ?? null, dueOn: f.dueOn ?? null, status: f.status ?? 'planned', evidence: f.evidence ?? null,
          diagnosticId: f.diagnosticId ?? null, reportId: f.reportId ?? null, observationId: null, communeInsee: b.commune, origin: b.origin,
        });
        return new JsonReply(201, a, { location: `/api/actions/${a.id}` });
      },
    }),
    route({
      method: 'PUT', path: '/api/actions/:id', access: 'signed-in',
      handle: ({ params, body }, { user }) => {
        const id = idParam(params.id);
        const parsed = updateSchema.safeParse(body);
        if (!parsed.success) throw validationError(parsed.error, 'Action invalide');
        return editAction(knex, user, id, toFields(parsed.data));
      },
    }),
  ];
}

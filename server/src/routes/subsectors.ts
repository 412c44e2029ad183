import type { Database } from '../data/db.js';
import { z } from 'zod';
import { findSubsector, landInBbox, listSubsectors, outcomeFlips, versionsOf, type SubsectorRow } from '../data/subsectors.js';
import { rightsOf } from '../data/parcels.js';
import { territory } from '../data/territory.js';
import { bboxAreaM2, LAND_LIMITS } from '../domain/geometry.js';
import { OWNERSHIP_RIGHT } from '../domain/rights.js';
import type { AppContext } from '../http/context.js';
import { requireTerritory } from '../services/territory.js';
import { overlapReport } from '../services/parcel-overlaps.js';
import { AppError, notFound, validationError } from '../http/errors.js';
import { idParam } from '../http/input.js';
import { Reply, route } from '../http/route.js';
import type { Role } from '../domain/territory.js';
import {
  archiveSubsector, computeDelegation, createSubsector, preparePerimeter, publicDomainOwners, tooLarge, updateSubsector, validatePerimeter,
  type PreparedPerimeter,
} from '../services/subsectors.js';

const text = (max: number) => z.string().trim().max(max).nullable().optional();
const propertiesSchema = z.object({
  name: z.string().trim().min(1, 'nom obligatoire').max(200),
  description: text(4000),
  procedureNotes: text(4000),
  allowOverlap: z.boolean().optional(),
});
const featureSchema = z.object({ type: z.literal('Feature'), geometry: z.unknown(), properties: propertiesSchema });
const createSchema = z.union([
  featureSchema,
  z.object({ type: z.literal('FeatureCollection'), features: z.array(featureSchema).min(1).max(500) }),
]);
const updateSchema = z.object({ type: z.literal('Feature'), geometry: z.unknown().optional(), properties: propertiesSchema.partial() });
const overlapsQuery = z.object({
  commune: z.string().regex(/^\d[\dAB]\d{3}$/, 'code INSEE à 5 caractères'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const bboxSchema = z.string().transform((s, ctx) => {
  const n = s.split(',').map(Number);
  if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || n[0]! >= n[2]! || n[1]! >= n[3]!) {
    ctx.addIssue({ code: 'custom', message: 'bbox = ouest,sud,est,nord en degrés' });
    return z.NEVER;
  }
  return n as [number, number, number, number];
});

async function toFeature(db: Database, row: SubsectorRow & Record<string, unknown>) {
  const t = await territory(db);
  const { geometry, id, ...props } = row;
  const org = row.delegate ? t?.routing.organisations[row.delegate] : undefined;
  return {
    type: 'Feature' as const,
    id,
    geometry,
    properties: { id, ...props, delegate: row.delegate ? { code: row.delegate, name: org?.name ?? row.delegate } : null },
  };
}

/** Who draws and edits sub-sectors and their conventions: planners and administrators. */
export const SUBSECTOR_EDITORS: readonly Role[] = ['planner', 'admin'];

/** Sub-sectors (DESIGN 3.3, §4): read by every signed-in role, drawn by SUBSECTOR_EDITORS; GeoJSON features. */
export function subsectorsRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  const write = SUBSECTOR_EDITORS;
  const params = z.object({ id: idParam });
  const badId = 'Identifiant de sous-secteur invalide';

  return [
    route({
      method: 'GET', path: '/api/subsectors', access: 'signed-in',
      handle: async ({ query }) => {
        const status = z.enum(['active', 'archived', 'all']).default('active').parse(query.status ?? undefined);
        const rows = await listSubsectors(knex, status);
        return { type: 'FeatureCollection', features: await Promise.all(rows.map((r) => toFeature(ctx.db, r as SubsectorRow & Record<string, unknown>))) };
      },
    }),
    route({ method: 'GET', path: '/api/subsectors/changes', access: 'signed-in', handle: async () => ({ changes: await outcomeFlips(knex) }) }),
    /** Authoritative shares of a drawn perimeter: for those who draw (planner, admin), bounded by LAND_LIMITS. */
    route({
      method: 'POST', path: '/api/subsectors/preview', access: write, body: z.object({ geometry: z.unknown() }),
      handle: async ({ body }) => {
        const { geojson } = await validatePerimeter(knex, body.geometry);
        return computeDelegation(ctx.db, geojson);
      },
    }),
    /**
     * Parcels with owners, the partition of overlapping parcels and commune outlines around a drawing, for the live
     * preview in the browser; bounded by the same LAND_LIMITS as the preview and the save.
     */
    route({
      method: 'GET', path: '/api/subsectors/land', access: 'signed-in',
      handle: async ({ query }) => {
        const parsed = bboxSchema.safeParse(query.bbox);
        if (!parsed.success) throw validationError(parsed.error, 'bbox invalide');
        const area = bboxAreaM2(parsed.data);
        if (area > LAND_LIMITS.maxAreaM2) throw tooLarge('bbox', 'maxAreaM2', area);
        const land = await landInBbox(knex, parsed.data, LAND_LIMITS.maxParcels);
        if (land.tooMany) throw tooLarge('bbox', 'maxParcels', LAND_LIMITS.maxParcels + 1);
        const t = await requireTerritory(ctx.db);
        const rights = await rightsOf(knex, land.parcels.map((p) => p.idu));
        const owners = new Map<string, unknown[]>();
        for (const r of rights) {
          if (r.rightCode !== OWNERSHIP_RIGHT) continue;
          owners.set(r.idu, [...(owners.get(r.idu) ?? []), {
            ownerId: r.id, name: r.name, kind: r.kind, organisationCode: r.organisationCode, organisationName: r.organisationName,
            organisationKind: r.organisationCode ? t.routing.organisations[r.organisationCode]?.kind ?? null : null,
          }]);
        }
        const pd = publicDomainOwners(t);
        return {
          threshold: t.delegationThreshold,
          parcels: land.parcels.map((p) => ({ ...p, owners: owners.get(p.idu) ?? [] })),
          faces: land.faces,
          communes: land.communes.map((c) => ({ ...c, publicDomainOwner: pd[c.insee] ?? null })),
        };
      },
    }),
    /** Data quality: groups of overlapping or nested parcels of one commune, with their owners (GIS team, planners). */
    route({
      method: 'GET', path: '/api/subsectors/overlaps', access: ['planner', 'admin', 'gup_officer'], query: overlapsQuery,
      invalid: 'Paramètres invalides : commune (code INSEE du territoire), page, limit ≤ 100',
      handle: async ({ query: { commune, page, limit } }) => {
        const t = await territory(ctx.db);
        if (!t?.communes.some((c) => c.inTerritory && c.insee === commune)) {
          throw new AppError(400, 'invalid_input', `Commune ${commune} hors du territoire`, [{ field: 'commune', message: 'commune du territoire attendue' }]);
        }
        return overlapReport(knex, commune, page, limit);
      },
    }),
    route({
      method: 'POST', path: '/api/subsectors', access: write, body: createSchema, invalid: 'Feature ou FeatureCollection GeoJSON attendue', status: 201,
      handle: async ({ body }, { user }) => {
        const features = body.type === 'Feature' ? [body] : body.features;
        /** Names the feature of a collection in its error. */
        const numbered = async <T>(i: number, step: () => Promise<T>): Promise<T> => {
          try {
            return await step();
          } catch (err) {
            if (err instanceof AppError && features.length > 1) throw new AppError(err.status, err.code, `Entité n° ${i + 1} : ${err.message}`, err.details);
            throw err;
          }
        };
        const prepared: PreparedPerimeter[] = [];
        for (const [i, f] of features.entries()) prepared.push(await numbered(i, () => preparePerimeter(ctx.db, f.geometry)));
        const ids = await knex.transaction(async (trx) => {
          const created: number[] = [];
          for (const [i, f] of features.entries()) created.push(await numbered(i, () => createSubsector(trx, user.id, prepared[i]!, f.properties)));
          return created;
        });
        const rows = await Promise.all(ids.map(async (id) => toFeature(ctx.db, (await findSubsector(knex, id))! as SubsectorRow & Record<string, unknown>)));
        return body.type === 'Feature' ? rows[0] : { type: 'FeatureCollection', features: rows };
      },
    }),
    route({
      method: 'GET', path: '/api/subsectors/:id', access: 'signed-in', params, invalid: badId,
      handle: async ({ params: { id } }) => {
        const row = await findSubsector(knex, id);
        if (!row) throw notFound(`Sous-secteur ${id}`);
        return toFeature(ctx.db, row as SubsectorRow & Record<string, unknown>);
      },
    }),
    route({
      method: 'GET', path: '/api/subsectors/:id/versions', access: 'signed-in', params, invalid: badId,
      handle: async ({ params: { id } }) => {
        const rows = await versionsOf(knex, id);
        if (rows.length === 0) throw notFound(`Sous-secteur ${id}`);
        return { type: 'FeatureCollection', features: await Promise.all(rows.map((r) => toFeature(ctx.db, r as unknown as SubsectorRow & Record<string, unknown>))) };
      },
    }),
    route({
      method: 'PUT', path: '/api/subsectors/:id', access: write, params, body: updateSchema, invalid: { params: badId, body: 'Feature GeoJSON attendue' },
      handle: async ({ params: { id }, body }, { user }) => {
        await updateSubsector(ctx.db, user.id, id, body.geometry, body.properties);
        return toFeature(ctx.db, (await findSubsector(knex, id))! as SubsectorRow & Record<string, unknown>);
      },
    }),
    route({
      method: 'DELETE', path: '/api/subsectors/:id', access: write, params, invalid: badId,
      handle: async ({ params: { id } }, { user }) => {
        await archiveSubsector(knex, user.id, id);
        return Reply.empty();
      },
    }),
  ];
}

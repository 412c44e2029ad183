import { Router } from 'express';
import type { Database } from '../data/db.js';
import { z } from 'zod';
import { requireRole, currentUser } from '../auth/middleware.js';
import { findSubsector, landInBbox, listSubsectors, outcomeFlips, versionsOf, type SubsectorRow } from '../data/subsectors.js';
import { rightsOf } from '../data/parcels.js';
import { territory } from '../data/territory.js';
import { bboxAreaM2, LAND_LIMITS } from '../domain/geometry.js';
import { OWNERSHIP_RIGHT } from '../domain/rights.js';
import type { AppContext } from '../http/context.js';
import { requireTerritory } from '../services/territory.js';
import { overlapReport } from '../services/parcel-overlaps.js';
import { AppError, notFound, validationError } from '../http/errors.js';
import { parseId } from '../http/input.js';
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

export function subsectorsRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;
  const write = requireRole('planner', 'admin');
  const subsectorId = (raw: unknown) => parseId(raw, 'id', 'Identifiant de sous-secteur invalide');

  router.get('/', async (req, res) => {
    const status = z.enum(['active', 'archived', 'all']).default('active').parse(req.query.status ?? undefined);
    const rows = await listSubsectors(knex, status);
    res.json({ type: 'FeatureCollection', features: await Promise.all(rows.map((r) => toFeature(ctx.db, r as SubsectorRow & Record<string, unknown>))) });
  });

  router.get('/changes', async (_req, res) => {
    res.json({ changes: await outcomeFlips(knex) });
  });

  /** Authoritative shares of a drawn perimeter: for those who draw (planner, admin), bounded by LAND_LIMITS. */
  router.post('/preview', write, async (req, res) => {
    const body = z.object({ geometry: z.unknown() }).safeParse(req.body);
    if (!body.success) throw validationError(body.error);
    const { geojson } = await validatePerimeter(knex, body.data.geometry);
    res.json(await computeDelegation(ctx.db, geojson));
  });

  /**
   * Parcels with owners, the partition of overlapping parcels and commune outlines around a drawing, for the live
   * preview in the browser; bounded by the same LAND_LIMITS as the preview and the save.
   */
  router.get('/land', async (req, res) => {
    const parsed = bboxSchema.safeParse(req.query.bbox);
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
    res.json({
      threshold: t.delegationThreshold,
      parcels: land.parcels.map((p) => ({ ...p, owners: owners.get(p.idu) ?? [] })),
      faces: land.faces,
      communes: land.communes.map((c) => ({ ...c, publicDomainOwner: pd[c.insee] ?? null })),
    });
  });

  /** Data quality: groups of overlapping or nested parcels of one commune, with their owners (GIS team, planners). */
  router.get('/overlaps', requireRole('planner', 'admin', 'gup_officer'), async (req, res) => {
    const parsed = overlapsQuery.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'Paramètres invalides : commune (code INSEE du territoire), page, limit ≤ 100');
    const t = await territory(ctx.db);
    if (!t?.communes.some((c) => c.inTerritory && c.insee === parsed.data.commune)) {
      throw new AppError(400, 'invalid_input', `Commune ${parsed.data.commune} hors du territoire`, [{ field: 'commune', message: 'commune du territoire attendue' }]);
    }
    res.json(await overlapReport(knex, parsed.data.commune, parsed.data.page, parsed.data.limit));
  });

  router.post('/', write, async (req, res) => {
    const parsed = createSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Feature ou FeatureCollection GeoJSON attendue');
    const user = currentUser(req);
    const features = parsed.data.type === 'Feature' ? [parsed.data] : parsed.data.features;
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
    res.status(201).json(parsed.data.type === 'Feature' ? rows[0] : { type: 'FeatureCollection', features: rows });
  });

  router.get('/:id', async (req, res) => {
    const row = await findSubsector(knex, subsectorId(req.params.id));
    if (!row) throw notFound(`Sous-secteur ${req.params.id}`);
    res.json(await toFeature(ctx.db, row as SubsectorRow & Record<string, unknown>));
  });

  router.get('/:id/versions', async (req, res) => {
    const id = subsectorId(req.params.id);
    const rows = await versionsOf(knex, id);
    if (rows.length === 0) throw notFound(`Sous-secteur ${id}`);
    res.json({ type: 'FeatureCollection', features: await Promise.all(rows.map((r) => toFeature(ctx.db, r as unknown as SubsectorRow & Record<string, unknown>))) });
  });

  router.put('/:id', write, async (req, res) => {
    const id = subsectorId(req.params.id);
    const parsed = updateSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Feature GeoJSON attendue');
    await updateSubsector(ctx.db, currentUser(req).id, id, parsed.data.geometry, parsed.data.properties);
    res.json(await toFeature(ctx.db, (await findSubsector(knex, id))! as SubsectorRow & Record<string, unknown>));
  });

  router.delete('/:id', write, async (req, res) => {
    await archiveSubsector(knex, currentUser(req).id, subsectorId(req.params.id));
    res.status(204).end();
  });

  return router;
}

import { Router } from 'express';
import type { Database } from '../data/db.js';
import { z } from 'zod';
import { requireRole, currentUser } from '../auth/middleware.js';
import { findSubsector, landInBbox, listSubsectors, outcomeFlips, versionsOf, type SubsectorRow } from '../data/subsectors.js';
import { rightsOf } from '../data/parcels.js';
import { territory } from '../data/territory.js';
import { OWNERSHIP_RIGHT } from '../domain/rights.js';
import { requireTerritory } from '../services/territory.js';
import type { AppContext } from '../http/context.js';
import { AppError, notFound, validationError } from '../http/errors.js';
import { parseId } from '../http/input.js';
import {
  archiveSubsector, computeDelegation, createSubsector, publicDomainOwners, updateSubsector, validatePerimeter,
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
const bboxSchema = z.string().transform((s, ctx) => {
  const n = s.split(',').map(Number);
  if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || n[0]! >= n[2]! || n[1]! >= n[3]!) {
    ctx.addIssue({ code: 'custom', message: 'bbox = ouest,sud,est,nord en degrés' });
    return z.NEVER;
  }
  return n as [number, number, number, number];
});
const MAX_PREVIEW_PARCELS = 6000;

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

  router.post('/preview', async (req, res) => {
    const body = z.object({ geometry: z.unknown() }).safeParse(req.body);
    if (!body.success) throw validationError(body.error);
    const { geojson } = await validatePerimeter(knex, body.data.geometry);
    res.json(await computeDelegation(ctx.db, geojson));
  });

  /** Parcels with owners, overlaps and commune outlines around a drawing, for the live preview in the browser. */
  router.get('/land', async (req, res) => {
    const parsed = bboxSchema.safeParse(req.query.bbox);
    if (!parsed.success) throw validationError(parsed.error, 'bbox invalide');
    const land = await landInBbox(knex, parsed.data, MAX_PREVIEW_PARCELS);
    if (land.parcels.length > MAX_PREVIEW_PARCELS) throw new AppError(422, 'too_large', `Zone trop grande (plus de ${MAX_PREVIEW_PARCELS} parcelles) : zoomez`);
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
      overlaps: land.overlaps.filter((o) => o.geometry),
      communes: land.communes.map((c) => ({ ...c, publicDomainOwner: pd[c.insee] ?? null })),
    });
  });

  router.post('/', write, async (req, res) => {
    const parsed = createSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'Feature ou FeatureCollection GeoJSON attendue');
    const user = currentUser(req);
    const features = parsed.data.type === 'Feature' ? [parsed.data] : parsed.data.features;
    const ids = await knex.transaction(async (trx) => {
      const created: number[] = [];
      for (const [i, f] of features.entries()) {
        try {
          created.push(await createSubsector(trx, user.id, f.geometry, f.properties));
        } catch (err) {
          if (err instanceof AppError && features.length > 1) throw new AppError(err.status, err.code, `Entité n° ${i + 1} : ${err.message}`, err.details);
          throw err;
        }
      }
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

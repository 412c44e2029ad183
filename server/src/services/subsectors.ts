import type { Knex } from 'knex';
import type { Geometry } from 'geojson';
import { rightsOf } from '../data/parcels.js';
import {
  activeSubsectorIds, findSubsector, landInside, lockSubsectorSaves, overlappingSubsectors, parcelsNear, saveSubsector, validityDetail, type SubsectorState,
} from '../data/subsectors.js';
import { audit } from '../data/users.js';
import { queriesOf, type Database, type DbOrTransaction } from '../data/db.js';
import type { TerritoryInfo } from '../data/territory.js';
import { requireTerritory } from './territory.js';
import { delegationFromLand, type DelegationResult, type ParcelOwnerRef } from '../domain/delegation.js';
import { checkPerimeter, GEOMETRY_REASONS, LAND_LIMITS, perimeterAreaM2 } from '../domain/geometry.js';
import { publicDomainOrganisation } from '../domain/lookup.js';
import { OWNERSHIP_RIGHT } from '../domain/rights.js';
import { AppError, notFound } from '../http/errors.js';

type Db = Knex | Knex.Transaction;

async function config(db: DbOrTransaction): Promise<TerritoryInfo> {
  return requireTerritory(db);
}

/** 422 `too_large` naming the limit exceeded (LAND_LIMITS), for a perimeter or a bbox asked for the live preview. */
export function tooLarge(field: string, limit: keyof typeof LAND_LIMITS, actual: number): AppError {
  const max = LAND_LIMITS[limit];
  const message = limit === 'maxAreaM2'
    ? `Zone trop grande : ${Math.round(actual / 10_000)} ha pour ${max / 10_000} ha au plus (${field})`
    : `Zone trop grande : plus de ${max} parcelles (${field}) — dessinez un périmètre plus petit ou zoomez`;
  return new AppError(422, 'too_large', message, { field, limit, max, ...(limit === 'maxAreaM2' ? { actual: Math.round(actual) } : {}) });
}

/** Refuses land beyond LAND_LIMITS before any costly work: the area (computed here), then the parcels near it (GiST count). */
export async function checkLandLimits(db: Db, field: string, areaM2: number, geojson: string): Promise<void> {
  if (areaM2 > LAND_LIMITS.maxAreaM2) throw tooLarge(field, 'maxAreaM2', areaM2);
  const parcels = await parcelsNear(db, geojson, LAND_LIMITS.maxParcels);
  if (parcels > LAND_LIMITS.maxParcels) throw tooLarge(field, 'maxParcels', parcels);
}

/**
 * Structure and simplicity (shared rule), size (LAND_LIMITS), then PostGIS's verdict, then the territory: 422 with
 * reason and location.
 */
export async function validatePerimeter(db: Db, input: unknown): Promise<{ geometry: Geometry; geojson: string }> {
  const check = checkPerimeter(input);
  if (!check.valid) {
    throw new AppError(422, 'invalid_geometry', check.message, { field: 'geometry', reason: check.reason, ...(check.location ? { location: check.location } : {}) });
  }
  const geojson = JSON.stringify(check.geometry);
  await checkLandLimits(db, 'geometry', perimeterAreaM2(check.geometry), geojson);
  const detail = await validityDetail(db, geojson);
  if (!detail.valid) {
    throw new AppError(422, 'invalid_geometry', `Géométrie invalide : ${detail.reason ?? 'inconnue'}`, {
      field: 'geometry', reason: /self-intersection|ring self/i.test(detail.reason ?? '') ? GEOMETRY_REASONS.selfIntersection : 'invalid', location: detail.location,
    });
  }
  return { geometry: check.geometry, geojson };
}

/** Owners (`P` rights) of the given parcels, as the delegation rule wants them. */
export async function ownersOf(db: Db, idus: string[]): Promise<Map<string, ParcelOwnerRef[]>> {
  const rights = await rightsOf(db as Knex, idus);
  const byParcel = new Map<string, ParcelOwnerRef[]>();
  for (const r of rights) {
    if (r.rightCode !== OWNERSHIP_RIGHT) continue;
    const list = byParcel.get(r.idu) ?? [];
    if (!list.some((o) => o.ownerId === r.id)) {
      list.push({ ownerId: r.id, name: r.name, kind: r.kind, organisationCode: r.organisationCode, organisationName: r.organisationName, organisationKind: null });
    }
    byParcel.set(r.idu, list);
  }
  return byParcel;
}

/** The public domain's owner of each commune, from the configuration. */
export function publicDomainOwners(t: TerritoryInfo): Record<string, { code: string; name: string; kind: string } | null> {
  return Object.fromEntries(t.communes.filter((c) => c.inTerritory).map((c) => {
    const org = publicDomainOrganisation(t.routing, c.insee);
    return [c.insee, org ? { ...org, kind: t.routing.organisations[org.code]?.kind ?? 'commune' } : null];
  }));
}

/** Authoritative shares and outcome of a valid perimeter, computed in PostGIS (DESIGN 3.2). */
export async function computeDelegation(db: DbOrTransaction, geojson: string): Promise<DelegationResult> {
  return delegationIn(queriesOf(db), await config(db), geojson);
}

async function delegationIn(db: Db, t: TerritoryInfo, geojson: string): Promise<DelegationResult> {
  const land = await landInside(db, geojson);
  if (land.communes.length === 0) {
    throw new AppError(422, 'outside_territory', `Le périmètre est hors du territoire ${t.name}`, { field: 'geometry', reason: 'outside_territory' });
  }
  const owners = await ownersOf(db, land.parcels.map((p) => p.idu));
  const orgKinds = t.routing.organisations;
  const parcels = land.parcels.map((p) => ({
    ...p,
    owners: (owners.get(p.idu) ?? []).map((o) => ({ ...o, organisationKind: o.organisationCode ? orgKinds[o.organisationCode]?.kind ?? null : null })),
  }));
  const pdOwners = publicDomainOwners(t);
  const communes = land.communes.map((c) => ({ ...c, owner: pdOwners[c.insee] ?? null }));
  return delegationFromLand(land.areaM2, parcels, communes, t.delegationThreshold);
}

export interface SubsectorInput {
  name: string;
  description?: string | null | undefined;
  procedureNotes?: string | null | undefined;
  allowOverlap?: boolean | undefined;
}

function stateOf(input: SubsectorInput, geojson: string, result: DelegationResult, status: 'active' | 'archived' = 'active'): SubsectorState {
  return {
    name: input.name,
    description: input.description ?? null,
    procedureNotes: input.procedureNotes ?? null,
    status,
    geojson,
    outcome: result.outcome,
    delegateOrganisationCode: result.delegate?.code ?? null,
    threshold: result.threshold,
    borderline: result.borderline,
    shares: result.shares,
  };
}

/** Refuses an overlap with another active sub-sector, unless the planner explicitly allows it (then recorded). */
async function checkOverlap(db: Db, geojson: string, excludeId: number | null, allow: boolean): Promise<{ id: number; name: string }[]> {
  const overlaps = await overlappingSubsectors(db, geojson, excludeId);
  if (overlaps.length > 0 && !allow) {
    const names = overlaps.map((o) => `« ${o.name} » (n° ${o.id})`).join(', ');
    throw new AppError(409, 'overlap', `Le périmètre chevauche le sous-secteur ${names}`, { overlapping: overlaps.map(({ id, name, m2 }) => ({ id, name, m2: Math.round(m2) })) });
  }
  return overlaps;
}

/** A perimeter validated and its shares computed, ready to be saved. */
export interface PreparedPerimeter {
  geojson: string;
  result: DelegationResult;
}

/**
 * The costly part of a save — validate, then compute the shares in PostGIS — to run before the saving transaction:
 * on the embedded database a transaction holds its only connection, so every other request would wait for it.
 */
export async function preparePerimeter(db: DbOrTransaction, geometry: unknown): Promise<PreparedPerimeter> {
  const { geojson } = await validatePerimeter(queriesOf(db), geometry);
  return { geojson, result: await computeDelegation(db, geojson) };
}

/** Create a prepared perimeter: refuse overlaps (serialised) → save version 1 → audit. */
export async function createSubsector(knex: Knex, userId: number, { geojson, result }: PreparedPerimeter, input: SubsectorInput): Promise<number> {
  return knex.transaction(async (trx) => {
    await lockSubsectorSaves(trx);
    const overlaps = await checkOverlap(trx, geojson, null, input.allowOverlap ?? false);
    const { id } = await saveSubsector(trx, null, stateOf(input, geojson, result), { change: 'created', authorId: userId, overlapAllowed: overlaps.length > 0 });
    await audit(trx as unknown as Knex, { userId, action: 'subsector.create', entity: 'subsector', entityId: String(id), details: { outcome: result.outcome, delegate: result.delegate?.code ?? null, overlapsAllowed: overlaps.map((o) => o.id) } });
    return id;
  });
}

/** Edit: a new version with the new perimeter and/or texts, recomputed. */
export async function updateSubsector(db: Database, userId: number, id: number, geometry: unknown | undefined, input: Partial<SubsectorInput>): Promise<void> {
  const { knex } = db;
  const current = await findSubsector(knex, id);
  if (!current || current.status !== 'active') throw notFound(`Sous-secteur ${id}`);
  const { geojson } = geometry === undefined ? { geojson: JSON.stringify(current.geometry) } : await validatePerimeter(knex, geometry);
  const result = await computeDelegation(db, geojson);
  const merged: SubsectorInput = {
    name: input.name ?? current.name,
    description: input.description === undefined ? current.description : input.description,
    procedureNotes: input.procedureNotes === undefined ? current.procedureNotes : input.procedureNotes,
    allowOverlap: input.allowOverlap ?? false,
  };
  await knex.transaction(async (trx) => {
    await lockSubsectorSaves(trx);
    const overlaps = await checkOverlap(trx, geojson, id, merged.allowOverlap ?? false);
    const saved = await saveSubsector(trx, id, stateOf(merged, geojson, result), { change: 'edited', authorId: userId, overlapAllowed: overlaps.length > 0 });
    await audit(trx as unknown as Knex, { userId, action: 'subsector.edit', entity: 'subsector', entityId: String(id), details: { version: saved.version, outcome: result.outcome } });
  });
}

/** Soft delete: archived, kept in the history. */
export async function archiveSubsector(knex: Knex, userId: number, id: number): Promise<void> {
  const current = await findSubsector(knex, id);
  if (!current || current.status !== 'active') throw notFound(`Sous-secteur ${id}`);
  await knex.transaction(async (trx) => {
    const state: SubsectorState = {
      name: current.name, description: current.description, procedureNotes: current.procedureNotes, status: 'archived',
      geojson: JSON.stringify(current.geometry), outcome: current.outcome as 'delegated' | 'shared', delegateOrganisationCode: current.delegate,
      threshold: current.threshold, borderline: current.borderline, shares: current.shares,
    };
    await saveSubsector(trx, id, state, { change: 'archived', authorId: userId, overlapAllowed: false });
    await audit(trx as unknown as Knex, { userId, action: 'subsector.archive', entity: 'subsector', entityId: String(id) });
  });
}

/**
 * After ownership or configuration changes: recomputes every active sub-sector; a changed result becomes a
 * `recomputed` version (outcome flips are listed for the planners by outcomeFlips()). Returns the ids that changed.
 */
export async function recomputeSubsectors(db: Knex.Transaction): Promise<number[]> {
  const active = await activeSubsectorIds(db);
  if (active.length === 0) return [];
  const t = await config(db); // read inside the transaction: the configuration it may just have changed
  const changed: number[] = [];
  for (const id of active) {
    const current = await findSubsector(db, id);
    if (!current) continue;
    const geojson = JSON.stringify(current.geometry);
    const result = await delegationIn(db, t, geojson);
    const same = result.outcome === current.outcome && (result.delegate?.code ?? null) === current.delegate && result.borderline === current.borderline
      && JSON.stringify(result.shares.map((s) => [s.actor, s.share.toFixed(6)])) === JSON.stringify((current.shares as { actor: string; share: number }[]).map((s) => [s.actor, s.share.toFixed(6)]));
    if (same) continue;
    await saveSubsector(db, id, stateOf({ name: current.name, description: current.description, procedureNotes: current.procedureNotes }, geojson, result), { change: 'recomputed', authorId: null, overlapAllowed: false });
    changed.push(id);
  }
  return changed;
}

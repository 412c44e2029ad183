/**
 * Walking diagnosis use cases (DESIGN 3.6): plan and follow a session, capture observations (idempotent by the
 * device's UUID, photos too), triage them into reports (through the one report intake), action-plan items or
 * dismissals, near-identical observations merged.
 */
import type { Knex } from 'knex';
import type { Database } from '../data/db.js';
import {
  findDiagnostic, findObservation, findObservationByUuid, findObservationPhoto, firstPhotoOf, insertDiagnostic, insertObservation,
  insertObservationPhoto, listDiagnostics, observationsInBbox, observationsOf, previousObservations, qpvExists, qpvInCommune, meetsCommune, setOutcome, subsectorExists,
  updateDiagnostic as saveDiagnostic, type DiagnosticFields, type DiagnosticRow, type ObservationRow,
} from '../data/diagnostics.js';
import { insertAction, ownerExists } from '../data/actions.js';
import type { SessionUser } from '../data/users.js';
import { diagnosticScope, inScope, mayOrganiseIn } from '../domain/access.js';
import {
  acceptsObservations, canMoveDiagnostic, checkSessionGeometry, criteriaOf, isShareable, nearIdentical, nearIdenticalGroups,
  DIAGNOSTIC_STATUS_LABELS, type DiagnosticStatus, type GridCriterion, type ObservationInput, type TriageTarget,
} from '../domain/diagnostics.js';
import { AppError, forbidden, notFound } from '../http/errors.js';
import type { WorkSlots } from '../http/work-slots.js';
import { lookup } from './lookup.js';
import { processPhoto } from './photos.js';
import { submitReport, type CreatedReport } from './reports.js';
import { requireTerritory } from './territory.js';

/** Earlier observations within this distance of a session's route or area are shown to re-check. */
export const RECHECK_METRES = 50;
/** Photos per observation. */
export const MAX_PHOTOS_PER_OBSERVATION = 5;

const invalid = (field: string, message: string, status = 422) => new AppError(status, 'invalid_input', message, [{ field, message }]);

/** A session the user reaches, or 404 (a session outside one's scope is not revealed). */
export async function visibleDiagnostic(knex: Knex, user: SessionUser, id: number): Promise<DiagnosticRow> {
  const d = await findDiagnostic(knex, id);
  if (!d || !inScope(diagnosticScope(user), { communeInsee: d.communeInsee, serviceCode: '' })) throw notFound(`Diagnostic ${id}`);
  return d;
}

/** A session the user organises (capture, triage, edit), else 404 / 403. */
async function organisedDiagnostic(knex: Knex, user: SessionUser, id: number): Promise<DiagnosticRow> {
  const d = await visibleDiagnostic(knex, user, id);
  if (!mayOrganiseIn(user, d.communeInsee)) throw forbidden('Seuls la mission GUP et les référents de la commune organisent ce diagnostic');
  return d;
}

async function gridCriteria(db: Database): Promise<Map<string, GridCriterion>> {
  return criteriaOf((await requireTerritory(db)).observationGrid);
}

export interface DiagnosticInput {
  title: string;
  commune: string;
  qpv?: string | null | undefined;
  subsector?: number | null | undefined;
  heldOn: string;
  slot?: string | null | undefined;
  geometry: unknown;
  participants?: DiagnosticFields['participants'] | undefined;
  status?: DiagnosticStatus | undefined;
  decisions?: string | null | undefined;
}

/** The session's place, checked: a known QPV of its commune, a known sub-sector, a route or area meeting its commune. */
async function checkPlace(knex: Knex, commune: string, input: { qpv?: string | null | undefined; subsector?: number | null | undefined; geometry?: unknown }) {
  if (input.qpv && !(await qpvExists(knex, input.qpv))) throw invalid('qpv', `QPV inconnu « ${input.qpv} »`);
  if (input.qpv && !(await qpvInCommune(knex, input.qpv, commune))) throw invalid('qpv', `Le QPV ${input.qpv} n'est pas dans la commune ${commune}`);
  if (input.subsector && !(await subsectorExists(knex, input.subsector))) throw invalid('subsector', `Sous-secteur ${input.subsector} introuvable`);
  if (input.geometry === undefined) return undefined;
  const g = checkSessionGeometry(input.geometry);
  if (!g.valid) throw new AppError(422, 'invalid_geometry', g.message, [{ field: 'geometry', message: g.message, reason: g.reason }]);
  if (!(await meetsCommune(knex, JSON.stringify(g.geometry), commune))) {
    throw new AppError(422, 'invalid_geometry', 'Le parcours ou la zone ne passe pas dans la commune du diagnostic', [{ field: 'geometry', message: 'hors de la commune', reason: 'outside_commune' }]);
  }
  return g.geometry;
}

/** Plans a session: commune of the territory the user organises in → place (QPV, sub-sector, route or area) → save. */
export async function createDiagnostic(db: Database, user: SessionUser, input: DiagnosticInput): Promise<DiagnosticRow> {
  const { knex } = db;
  const t = await requireTerritory(db);
  if (!t.communes.some((c) => c.insee === input.commune && c.inTerritory)) throw invalid('commune', `Commune ${input.commune} hors du territoire`);
  if (!mayOrganiseIn(user, input.commune)) throw forbidden('Vous ne pouvez organiser un diagnostic que dans votre commune');
  const geometry = (await checkPlace(knex, input.commune, input))!;
  const id = await insertDiagnostic(knex, {
    title: input.title, communeInsee: input.commune, qpvCode: input.qpv ?? null, subsectorId: input.subsector ?? null, heldOn: input.heldOn,
    slot: input.slot ?? null, geometry, participants: input.participants ?? [], status: input.status ?? 'planned', decisions: input.decisions ?? null,
  }, user.id);
  return (await findDiagnostic(knex, id))!;
}

/** Edits a session; its status only moves forward. The commune is fixed at creation. */
export async function updateDiagnostic(db: Database, user: SessionUser, id: number, input: Partial<Omit<DiagnosticInput, 'commune'>>): Promise<DiagnosticRow> {
  const { knex } = db;
  const d = await organisedDiagnostic(knex, user, id);
  if (input.status && !canMoveDiagnostic(d.status, input.status)) {
    throw new AppError(409, 'invalid_transition', `Un diagnostic « ${DIAGNOSTIC_STATUS_LABELS[d.status]} » ne revient pas à « ${DIAGNOSTIC_STATUS_LABELS[input.status]} »`, [{ field: 'status', message: 'le statut n\'avance que vers l\'avant' }]);
  }
  const geometry = await checkPlace(knex, d.communeInsee, input);
  const ok = await saveDiagnostic(knex, id, {
    title: input.title, qpvCode: input.qpv, subsectorId: input.subsector, heldOn: input.heldOn, slot: input.slot, geometry,
    participants: input.participants, status: input.status, decisions: input.decisions,
  }, d.status);
  if (!ok) throw new AppError(409, 'conflict', 'Le diagnostic a changé entre-temps : rechargez-le');
  return (await findDiagnostic(knex, id))!;
}

export const diagnosticsOf = (knex: Knex, user: SessionUser, f: { commune?: string | undefined; status?: DiagnosticStatus | undefined }) =>
  listDiagnostics(knex, diagnosticScope(user), f);

/**
 * A session with its observations, the near-identical groups among those still to triage, the earlier observations
 * around it to re-check, and the grid. Someone who does not organise it (a planner) does not see confidential criteria.
 */
export async function diagnosticDetails(db: Database, user: SessionUser, id: number) {
  const { knex } = db;
  const d = await visibleDiagnostic(knex, user, id);
  const t = await requireTerritory(db);
  const criteria = criteriaOf(t.observationGrid);
  const organiser = mayOrganiseIn(user, d.communeInsee);
  const shown = (o: ObservationRow) => organiser || isShareable(criteria.get(o.criterion));
  const [observations, previous] = await Promise.all([observationsOf(knex, id), previousObservations(knex, d, RECHECK_METRES)]);
  const visible = observations.filter(shown);
  return {
    ...d,
    organiser,
    observations: visible,
    nearIdentical: nearIdenticalGroups(visible.filter((o) => o.outcome === 'pending')),
    previous: previous.filter(shown),
    grid: t.observationGrid,
  };
}

/**
 * Earlier observations on the planning map (over a bbox): those of the sessions the user reaches; confidential
 * criteria only for who organises in their commune.
 */
export async function observationsAround(db: Database, user: SessionUser, bbox: [number, number, number, number]) {
  const { knex } = db;
  const criteria = await gridCriteria(db);
  const rows = await observationsInBbox(knex, diagnosticScope(user), bbox);
  return rows.filter((o) => mayOrganiseIn(user, o.communeInsee) || isShareable(criteria.get(o.criterion)));
}


/**
 * Captures an observation: session open for capture → criterion of the grid → the service the lookup suggests for
 * its theme (3.1) → save, once per UUID. The same UUID again answers the stored observation (`created: false`).
 */
export async function addObservation(db: Database, user: SessionUser, id: number, input: ObservationInput): Promise<{ created: boolean; observation: ObservationRow }> {
  const { knex } = db;
  const d = await organisedDiagnostic(knex, user, id);
  const existing = await findObservationByUuid(knex, input.uuid);
  if (existing) return replayedObservation(existing, id);
  if (!acceptsObservations(d.status)) throw new AppError(409, 'invalid_transition', `Le diagnostic est « ${DIAGNOSTIC_STATUS_LABELS[d.status]} » : il ne reçoit plus d'observations`);
  const criterion = (await gridCriteria(db)).get(input.criterion);
  if (!criterion) throw invalid('criterion', `Critère inconnu « ${input.criterion} » dans la grille d'observation`);
  const t = await requireTerritory(db);
  const themeCode = criterion.category ? t.categories.find((c) => c.code === criterion.category)?.theme : undefined;
  const spot = await lookup(db, input.lon, input.lat, themeCode).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'outside_territory') throw invalid('lon', err.message);
    throw err;
  });
  const answer = themeCode ? spot.services[0] : undefined;
  const newId = await insertObservation(knex, {
    diagnosticId: id, uuid: input.uuid, lon: input.lon, lat: input.lat, criterion: input.criterion, kind: input.kind, severity: input.severity ?? null,
    text: input.text ?? '', authorId: user.id, capturedAt: input.capturedAt ? new Date(input.capturedAt) : new Date(),
    suggestion: answer ? { service: { code: answer.service.code, name: answer.service.name }, reason: answer.reason } : null,
  });
  if (newId === null) return replayedObservation((await findObservationByUuid(knex, input.uuid))!, id); // a concurrent sync won
  return { created: true, observation: (await findObservation(knex, id, newId))! };
}

function replayedObservation(o: ObservationRow, diagnosticId: number): { created: false; observation: ObservationRow } {
  if (o.diagnosticId !== diagnosticId) throw new AppError(409, 'conflict', 'Cet identifiant (uuid) est déjà celui d\'une observation d\'un autre diagnostic', [{ field: 'uuid', message: 'déjà utilisé' }]);
  return { created: false, observation: o };
}

/** Adds a photo to an observation (found by its UUID), once per photo UUID; re-encoded like a report's photo. */
export async function addObservationPhoto(knex: Knex, photoSlots: WorkSlots, user: SessionUser, id: number, observationUuid: string, photoUuid: string, bytes: Buffer) {
  await organisedDiagnostic(knex, user, id);
  const o = await findObservationByUuid(knex, observationUuid);
  if (!o || o.diagnosticId !== id) throw notFound(`Observation ${observationUuid}`);
  if (o.photos.some((p) => p.uuid === photoUuid)) return { created: false, observationId: o.id };
  if (o.photos.length >= MAX_PHOTOS_PER_OBSERVATION) throw invalid('photo', `Au plus ${MAX_PHOTOS_PER_OBSERVATION} photos par observation`);
  const photo = await processPhoto(photoSlots, user.id, bytes);
  const saved = await insertObservationPhoto(knex, o.id, photoUuid, photo);
  if (saved.observationId !== o.id) throw new AppError(409, 'conflict', 'Cet identifiant de photo est déjà utilisé', [{ field: 'uuid', message: 'déjà utilisé' }]);
  return saved;
}

export async function observationPhoto(db: Database, user: SessionUser, id: number, observationId: number, photoId: number, thumbnail: boolean) {
  const { knex } = db;
  const d = await visibleDiagnostic(knex, user, id);
  const o = await findObservation(knex, id, observationId);
  const criteria = await gridCriteria(db);
  if (!o || (!mayOrganiseIn(user, d.communeInsee) && !isShareable(criteria.get(o.criterion)))) throw notFound(`Photo ${photoId}`);
  const p = await findObservationPhoto(knex, observationId, photoId);
  if (!p) throw notFound(`Photo ${photoId}`);
  return { mime: thumbnail ? 'image/jpeg' : p.mime, data: thumbnail ? p.thumbnail : p.data };
}

export interface TriageInput {
  to: TriageTarget;
  reason?: string | null | undefined;
  /** Report category when the criterion names none (or to override it). */
  category?: string | undefined;
  /** Action-plan item: title, owner service, due date. */
  title?: string | undefined;
  ownerService?: string | null | undefined;
  dueOn?: string | null | undefined;
}

export interface TriageResult {
  observation: ObservationRow;
  merged: number[];
  report?: CreatedReport;
  actionId?: number;
}

/**
 * Triage of one observation and of the pending observations near-identical to it (same criterion, a few metres: they
 * become `merged` into it): to a report through the one report intake (channel `diagnosis`, routed and timed like any
 * report, idempotent by the observation's UUID), to an action-plan item, or dismissed with a reason.
 */
export async function triageObservation(db: Database, user: SessionUser, id: number, observationId: number, input: TriageInput): Promise<TriageResult> {
  const { knex } = db;
  const d = await organisedDiagnostic(knex, user, id);
  if (d.status === 'closed') throw new AppError(409, 'invalid_transition', 'Le diagnostic est clos');
  const o = await findObservation(knex, id, observationId);
  if (!o) throw notFound(`Observation ${observationId}`);
  const already = { report: 'report', action: 'action', dismiss: 'dismissed' }[input.to];
  if (o.outcome === already) return { observation: o, merged: [] };
  if (o.outcome !== 'pending') throw new AppError(409, 'invalid_transition', `Observation déjà triée (${o.outcome})`);
  const criterion = (await gridCriteria(db)).get(o.criterion);
  const siblings = nearIdentical(o, (await observationsOf(knex, id)).filter((x) => x.outcome === 'pending')).map((x) => x.id);
  const date = new Date(`${d.heldOn}T12:00:00Z`).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });
  const origin = `Constaté lors du diagnostic en marchant « ${d.title} » du ${date}.`;

  if (input.to === 'dismiss') {
    const reason = input.reason?.trim();
    if (!reason) throw invalid('reason', 'Le motif est obligatoire pour écarter une observation');
    const merged = await knex.transaction(async (trx) => {
      await setOutcome(trx, [o.id], { outcome: 'dismissed', reason, by: user.id });
      return setOutcome(trx, siblings, { outcome: 'merged', reason, mergedInto: o.id, by: user.id });
    });
    return { observation: (await findObservation(knex, id, o.id))!, merged };
  }

  if (input.to === 'report') {
    const category = input.category ?? criterion?.category;
    if (!category) throw invalid('category', `Le critère « ${criterion?.name ?? o.criterion} » ne nomme pas de catégorie de signalement : choisissez-en une`);
    const photo = await firstPhotoOf(knex, o.id);
    const { report } = await submitReport(db, user, {
      category,
      description: `${o.text.trim() || criterion?.name || o.criterion}\n\n${origin}`,
      lon: o.lon,
      lat: o.lat,
      urgent: false,
    }, { source: 'diagnosis', idempotencyKey: `diagnosis:${o.uuid}`, photo });
    const merged = await knex.transaction(async (trx) => {
      await setOutcome(trx, [o.id], { outcome: 'report', reason: input.reason ?? null, reportId: report.id, by: user.id });
      return setOutcome(trx, siblings, { outcome: 'merged', reportId: report.id, mergedInto: o.id, by: user.id });
    });
    return { observation: (await findObservation(knex, id, o.id))!, merged, report };
  }

  const ownerService = input.ownerService === undefined ? o.suggestion?.service.code ?? null : input.ownerService;
  if (input.ownerService && !(await ownerExists(knex, { service: input.ownerService })).service) throw invalid('ownerService', `Service inconnu « ${input.ownerService} »`);
  const { actionId, merged } = await knex.transaction(async (trx) => {
    const actionId = await insertAction(trx, {
      title: (input.title?.trim() || `${criterion?.name ?? o.criterion}${o.text ? ` : ${o.text}` : ''}`).slice(0, 300),
      description: `${o.text}\n\n${origin}`.trim(),
      communeInsee: d.communeInsee, qpvCode: d.qpvCode, origin: 'diagnosis', diagnosticId: id, observationId: o.id, reportId: null,
      ownerOrganisation: null, ownerService, dueOn: input.dueOn ?? null, status: 'planned', evidence: null,
    }, user.id);
    await setOutcome(trx, [o.id], { outcome: 'action', reason: input.reason ?? null, actionId, by: user.id });
    const merged = await setOutcome(trx, siblings, { outcome: 'merged', actionId, mergedInto: o.id, by: user.id });
    return { actionId, merged };
  });
  return { observation: (await findObservation(knex, id, o.id))!, merged, actionId };
}

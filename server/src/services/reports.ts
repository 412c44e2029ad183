import type { Knex } from 'knex';
import {
  addFollower, findReport, findReportByIdempotencyKey, followersOf, insertEvent, insertSubmission, nearbyOpenReports, queueMail, REFERENCE_SLOT, timelineOf,
  updateReportIfStatus, type ReportCounterUpdate, type ReportRow,
} from '../data/reports.js';
import type { Database } from '../data/db.js';
import { photosOf } from '../data/photos.js';
import { serviceContacts, serviceWithOrganisation } from '../data/services.js';
import type { CategoryRow, TerritoryInfo } from '../data/territory.js';
import type { SessionUser } from '../data/users.js';
import { canReport, canSee, mayReportIn, reportScope } from '../domain/access.js';
import {
  availableActions, checkAction, computeDelays, isPublicAnswer, mayRate, OPEN_STATUSES, relationsOf, STATUS_LABELS, type ReportAction, type ReportSource, type ReportStatus,
} from '../domain/reports.js';
import { AppError, forbidden, notFound } from '../http/errors.js';
import { lookup } from './lookup.js';
import { requireTerritory } from './territory.js';

export interface ReportInput {
  category: string;
  description: string;
  lon: number;
  lat: number;
  urgent: boolean;
  urgencyCriterion?: string | null | undefined;
}

export interface ProcessedPhoto {
  mime: string;
  data: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
}

/** A category with its delays, from the territory configuration (read with it, every few seconds). */
function categoryOf(t: TerritoryInfo, code: string): CategoryRow {
  const c = t.categoryRules.get(code);
  if (!c) throw new AppError(422, 'invalid_input', `Catégorie inconnue « ${code} »`, [{ field: 'category', message: 'catégorie inconnue' }]);
  return c;
}

const delaysFor = (cat: CategoryRow, at: Date, inQpv: boolean, urgent: boolean, urgencyHours: number | null, obligationHours: number | null = null) => computeDelays(
  { ackHours: cat.ack_hours, resolveHours: cat.resolve_hours, resolveHoursQpv: cat.resolve_hours_qpv, seasonal: typeof cat.seasonal === 'string' ? JSON.parse(cat.seasonal) : cat.seasonal },
  { at, inQpv, urgent, urgencyHours, obligationHours },
);

/** Paris time as `toLocaleString('fr-FR')` writes it, with one formatter for the process (building one costs). */
const parisTime = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });

export interface CreatedReport {
  id: number;
  reference: string;
  status: ReportStatus;
  routing: { service: { code: string; name: string; email: string | null; organisation: { code: string; name: string } }; reason: string; rule: string; unresolved: boolean; alsoNotify: string[] };
  ackDueAt: string;
  resolveDueAt: string;
  possibleDuplicates: Awaited<ReturnType<typeof nearbyOpenReports>>;
}

function createdView(r: ReportRow, duplicates: CreatedReport['possibleDuplicates']): CreatedReport {
  const routing = r.routing as { service: CreatedReport['routing']['service']; reason: string; rule: string };
  return {
    id: r.id,
    reference: r.reference,
    status: r.status,
    routing: { service: routing.service, reason: routing.reason, rule: routing.rule, unresolved: r.unresolved, alsoNotify: r.alsoNotify },
    ackDueAt: new Date(r.ackDueAt).toISOString(),
    resolveDueAt: new Date(r.resolveDueAt).toISOString(),
    possibleDuplicates: duplicates,
  };
}

/** The answer for an Idempotency-Key already used: the report it created. */
async function replayed(knex: Knex, user: SessionUser, key: string): Promise<{ created: false; report: CreatedReport }> {
  const existing = await findReportByIdempotencyKey(knex, user.id, key);
  if (!existing) throw new AppError(409, 'conflict', 'Idempotency-Key déjà utilisée');
  return { created: false, report: createdView((await findReport(knex, existing))!, []) };
}

/**
 * A report submission, as a list of steps: validate → locate → route → compute delays → save and check duplicates
 * (report, first event, follower, outbox and photo in one statement, which also reads the open reports nearby:
 * a 201 means committed). An Idempotency-Key
 * already used by this user answers with the report it created (the save writes nothing then).
 */
export async function submitReport(
  db: Database,
  user: SessionUser,
  input: ReportInput,
  opts: { idempotencyKey?: string | null | undefined; photo?: ProcessedPhoto | null | undefined; source?: ReportSource } = {},
): Promise<{ created: boolean; report: CreatedReport }> {
  const { knex } = db;
  // validate
  if (!canReport(user)) throw forbidden('Seuls les référents des communes et la mission GUP signalent');
  const t = await requireTerritory(db);
  const category = categoryOf(t, input.category);
  if (input.urgent && !t.urgencyCriteria.some((c) => c.code === input.urgencyCriterion)) {
    throw new AppError(422, 'invalid_input', 'Un signalement urgent doit citer un critère d\'urgence connu', [{ field: 'urgencyCriterion', message: 'critère d\'urgence obligatoire' }]);
  }
  // locate and route (DESIGN 3.1 with the category's theme)
  const spot = await lookup(db, input.lon, input.lat, category.theme_code);
  if (!mayReportIn(user, spot.commune.insee)) {
    throw new AppError(403, 'forbidden', `Ce point est à ${spot.commune.name} : vous ne pouvez signaler que dans votre commune`);
  }
  const answer = spot.services[0]!;
  const alsoNotify = [...new Set([...category.also_notify, ...answer.coServices.map((s) => s.code)])].filter((c) => c !== answer.service.code);
  // delays
  const now = new Date();
  const delays = delaysFor(category, now, !!spot.qpv, input.urgent, t.urgencyResolveHours, answer.obligation?.delayHours ?? null); // a convention's obligation sets the delay (DESIGN 3.8)
  // save
  const routing = { service: answer.service, reason: answer.reason, rule: answer.rule };
  const reference = REFERENCE_SLOT; // the database numbers the report: mails name it through this mark
  const body = [
    `Nouveau signalement ${reference} à ${spot.commune.name}${spot.qpv ? ` (QPV ${spot.qpv.name})` : ''}.`,
    `Catégorie : ${category.name}`,
    `Description : ${input.description}`,
    `Routage : ${answer.reason}`,
    `À prendre en compte avant le ${parisTime.format(delays.ackDueAt)}, à traiter avant le ${parisTime.format(delays.resolveDueAt)}.`,
  ].join('\n');
  const mails = [answer.service.code, ...alsoNotify]
    .map((code) => t.routing.services[code])
    .filter((s): s is NonNullable<typeof s> => !!s?.email)
    .map((s) => ({
      to: s.email!,
      subject: `[GUP] ${s.code !== answer.service.code ? 'Copie : ' : ''}${reference} — ${category.name}${input.urgent ? ' (URGENT)' : ''}`,
      body,
    }));
  // save; the possible duplicates (open reports of the category nearby) are read by the same statement
  const { saved, duplicates } = await insertSubmission(knex, {
    report: {
      categoryCode: category.code,
      description: input.description,
      urgent: input.urgent,
      urgencyCriterion: input.urgent ? input.urgencyCriterion ?? null : null,
      status: 'submitted',
      lon: input.lon,
      lat: input.lat,
      communeInsee: spot.commune.insee,
      parcelIdu: spot.parcel?.id ?? null,
      owners: spot.owners.map((o) => ({ name: o.name, kind: o.kind, organisation: o.organisation?.code ?? null, share: o.share })),
      qpvCode: spot.qpv?.code ?? null,
      subsectorId: spot.subSector?.id ?? null,
      serviceCode: answer.service.code,
      routing,
      unresolved: answer.unresolved,
      alsoNotify,
      ackDueAt: delays.ackDueAt,
      resolveDueAt: delays.resolveDueAt,
      delayBasis: delays.basis,
      createdBy: user.id,
      idempotencyKey: opts.idempotencyKey ?? null,
      source: opts.source ?? 'web',
    },
    event: { kind: 'transition', fromStatus: null, toStatus: 'submitted', comment: null, details: { routing: answer.reason, delays: delays.basis }, userId: user.id },
    mails,
    photo: opts.photo ?? null,
    duplicates: { radiusM: t.duplicatesRadiusM, windowDays: t.duplicatesWindowDays, scope: reportScope(user) },
  });
  if (!saved) return replayed(knex, user, opts.idempotencyKey!);
  return {
    created: true,
    report: {
      id: saved.id,
      reference: saved.reference,
      status: 'submitted',
      routing: { ...routing, unresolved: answer.unresolved, alsoNotify },
      ackDueAt: delays.ackDueAt.toISOString(),
      resolveDueAt: delays.resolveDueAt.toISOString(),
      possibleDuplicates: duplicates,
    },
  };
}

/** A report the user may see, or 404 (a report outside one's scope is not revealed). */
export async function visibleReport(knex: Knex, user: SessionUser, id: number): Promise<ReportRow> {
  const r = await findReport(knex, id);
  if (!r || !canSee(user, r)) throw notFound(`Signalement ${id}`);
  return r;
}

export async function reportDetails(knex: Knex, user: SessionUser, id: number) {
  const r = await visibleReport(knex, user, id);
  const [timeline, photos, followers] = await Promise.all([
    timelineOf(knex, id),
    photosOf(knex, id),
    followersOf(knex, id),
  ]);
  return {
    ...r,
    timeline,
    photos: photos.map((p) => ({ ...p, url: `/api/reports/${id}/photos/${p.id}`, thumbnailUrl: `/api/reports/${id}/photos/${p.id}?thumbnail=1` })),
    followers: followers.map((f) => ({ id: f.id, name: f.name })),
    actions: availableActions(r.status, relationsOf(user, r), r.urgent),
    /** Whether closing, for this user, may carry a 1–5 rating (the commune's). */
    mayRate: mayRate(relationsOf(user, r)),
    statusLabel: STATUS_LABELS[r.status],
  };
}

export interface TransitionInput {
  action: ReportAction;
  comment?: string | null | undefined;
  service?: string | undefined;
  duplicateOf?: number | undefined;
  /** The commune's 1–5 rating, when it closes the report. */
  satisfaction?: number | undefined;
}

/** Applies an action allowed by the lifecycle table; each one is an event with who, when and the comment. */
export async function applyAction(db: Database, user: SessionUser, id: number, input: TransitionInput): Promise<{ status: ReportStatus; serviceCode: string }> {
  const { knex } = db;
  const r = await visibleReport(knex, user, id);
  const relations = relationsOf(user, r);
  const comment = input.comment?.trim() || null;
  const check = checkAction(input.action, r.status, relations, { hasComment: !!comment, resolvedAt: r.resolvedAt ? new Date(r.resolvedAt) : null, urgent: r.urgent });
  if (!check.ok) throw new AppError(check.status, check.status === 403 ? 'forbidden' : 'invalid_transition', check.reason);
  const now = new Date();
  const update: Record<string, unknown> = { updated_at: now };
  const details: Record<string, unknown> = {};
  if (check.to) update.status = check.to;
  if (input.action === 'acknowledge') update.acknowledged_at = now;
  if (input.action === 'resolve') update.resolved_at = now;
  // what the statistics read (DESIGN 3.5), kept here, where every transition passes
  const counters: ReportCounterUpdate = {
    firstAckAt: input.action === 'acknowledge' || input.action === 'start' || input.action === 'resolve' ? now : undefined,
    transferred: input.action === 'transfer',
    reopened: input.action === 'reopen',
  };
  // finished when it leaves the open statuses (resolved, rejected, merged), open again when reopened
  if (check.to && OPEN_STATUSES.has(r.status) !== OPEN_STATUSES.has(check.to)) update.finished_at = OPEN_STATUSES.has(check.to) ? null : now;
  if (input.satisfaction !== undefined) {
    if (input.action !== 'close' || !mayRate(relations)) {
      throw new AppError(422, 'invalid_input', 'Seule la commune note un signalement, en le clôturant', [{ field: 'satisfaction', message: 'note réservée à la clôture par la commune' }]);
    }
    update.satisfaction = input.satisfaction;
    update.satisfaction_comment = comment;
    details.satisfaction = input.satisfaction;
  }
  if (input.action === 'flag_urgency') update.urgency_not_justified = true;
  if (input.action === 'transfer') {
    if (!input.service) throw new AppError(422, 'invalid_input', 'Service de destination obligatoire', [{ field: 'service', message: 'obligatoire' }]);
    if (input.service === r.serviceCode) throw new AppError(409, 'invalid_transition', 'Le signalement est déjà routé vers ce service');
    const target = await serviceWithOrganisation(knex, input.service);
    if (!target) throw new AppError(422, 'invalid_input', `Service inconnu « ${input.service} »`, [{ field: 'service', message: 'service inconnu' }]);
    const t = await requireTerritory(db);
    const delays = delaysFor(categoryOf(t, r.categoryCode), now, !!r.qpvCode, r.urgent && !r.urgencyNotJustified, t.urgencyResolveHours);
    Object.assign(update, {
      service_code: target.code,
      routing: JSON.stringify({ service: target, reason: `Réorienté par ${user.name} depuis ${r.serviceName} : ${comment}`, rule: 'transfer' }),
      unresolved: false,
      ack_due_at: delays.ackDueAt,
      resolve_due_at: delays.resolveDueAt,
      acknowledged_at: null,
      ack_at: null,
      delay_basis: delays.basis,
    });
    Object.assign(details, { from: r.serviceCode, to: target.code });
  }
  if (input.action === 'merge') {
    if (!input.duplicateOf || input.duplicateOf === id) throw new AppError(422, 'invalid_input', 'Signalement original obligatoire', [{ field: 'duplicateOf', message: 'identifiant du signalement original' }]);
    const original = await findReport(knex, input.duplicateOf);
    if (!original) throw new AppError(422, 'invalid_input', `Signalement original ${input.duplicateOf} introuvable`, [{ field: 'duplicateOf', message: 'introuvable' }]);
    update.duplicate_of = original.id;
    details.duplicateOf = original.reference;
  }
  if (input.action === 'reopen') {
    update.resolved_at = null;
    update.acknowledged_at = null;
  }
  await knex.transaction(async (trx) => {
    // optimistic check: the status must not have changed since we read it
    if (!(await updateReportIfStatus(trx, id, r.status, update, counters))) throw new AppError(409, 'conflict', 'Le signalement a changé entre-temps : rechargez-le');
    await insertEvent(trx, { reportId: id, kind: check.to ? 'transition' : input.action, fromStatus: r.status, toStatus: check.to, comment, details: Object.keys(details).length ? details : undefined, userId: user.id });
    if (input.action === 'merge') {
      for (const f of await followersOf(trx, id)) await addFollower(trx, input.duplicateOf!, f.id);
      await insertEvent(trx, { reportId: input.duplicateOf!, kind: 'comment', fromStatus: null, toStatus: null, comment: `Doublon fusionné : ${r.reference}`, userId: user.id });
    }
    if (check.to) await notifyStatusChange(trx, r, check.to, comment, update.service_code as string | undefined);
  });
  return { status: check.to ?? r.status, serviceCode: (update.service_code as string | undefined) ?? r.serviceCode };
}

/** The commune (the report's followers) hears of every status change, with the answer; a new service hears of a transfer. */
async function notifyStatusChange(trx: Knex.Transaction, r: ReportRow, to: ReportStatus, comment: string | null, newService: string | undefined) {
  const followers = await followersOf(trx, r.id);
  for (const f of followers) {
    await queueMail(trx, {
      to: f.email,
      reportId: r.id,
      subject: `[GUP] ${r.reference} : ${STATUS_LABELS[to]}`,
      // the commune is told the answer (resolution, rejection reason), never an internal comment such as a transfer reason
      body: `Votre signalement ${r.reference} (${r.categoryName}, ${r.communeName}) est maintenant « ${STATUS_LABELS[to]} ».${isPublicAnswer({ kind: 'transition', toStatus: to, comment }) ? `\n\nRéponse : ${comment}` : ''}`,
    });
  }
  if (newService) {
    for (const s of await serviceContacts(trx, [newService])) {
      if (s.email) await queueMail(trx, { to: s.email, reportId: r.id, subject: `[GUP] ${r.reference} réorienté vers vous — ${r.categoryName}`, body: `${r.description}\n\nMotif : ${comment ?? ''}` });
    }
  }
}

/** A commune user joins an open report instead of filing a duplicate: becomes a follower. */
export async function followReport(knex: Knex, user: SessionUser, id: number): Promise<void> {
  const r = await visibleReport(knex, user, id);
  if (!canReport(user)) throw forbidden();
  await knex.transaction(async (trx) => {
    await addFollower(trx, id, user.id);
    await insertEvent(trx, { reportId: id, kind: 'follow', fromStatus: null, toStatus: null, comment: null, userId: user.id, details: { status: r.status } });
  });
}

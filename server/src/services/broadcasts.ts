import {
  communesOfArea, communesOfQpvs, communeUsersOf, insertAck, insertBroadcast, knownQpvs, listBroadcasts, territoryCommunesIn, type BroadcastRow,
} from '../data/broadcasts.js';
import type { Database } from '../data/db.js';
import type { BroadcastView } from '../domain/api.js';
import { queueMail } from '../data/reports.js';
import { audit, type SessionUser } from '../data/users.js';
import { broadcastScope, mayAcknowledgeBroadcast, mayIssueBroadcast, seesBroadcast } from '../domain/access.js';
import {
  BROADCAST_KIND_LABELS, BROADCAST_MAX_DAYS, BROADCAST_SEVERITY_LABELS, isActiveBroadcast, needsAcknowledgement,
  type BroadcastKind, type BroadcastSeverity,
} from '../domain/broadcasts.js';
import { isOneLine } from '../domain/text.js';
import { AppError, forbidden, notFound } from '../http/errors.js';
import { validatePerimeter } from './subsectors.js';
import { requireTerritory } from './territory.js';

export interface BroadcastInput {
  kind: BroadcastKind;
  severity: BroadcastSeverity;
  title: string;
  text: string;
  area: { communes: string[] } | { qpv: string[] } | { geometry: unknown };
  validFrom?: Date | undefined;
  validTo: Date;
}

const invalidArea = (field: string, message: string) => new AppError(422, 'invalid_input', `Zone invalide : ${message}`, [{ field, message }]);
const parisTime = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });

/** The communes concerned by an area: those listed, those sharing land with the QPV, or with the drawn polygon. */
async function communesConcerned(db: Database, area: BroadcastInput['area']): Promise<{ kind: BroadcastRow['areaKind']; codes: string[]; geojson: string | null; communes: string[] }> {
  const { knex } = db;
  if ('communes' in area) {
    const codes = [...new Set(area.communes)];
    const known = await territoryCommunesIn(knex, codes);
    const unknown = codes.filter((c) => !known.includes(c));
    if (unknown.length) throw invalidArea('area.communes', `commune(s) hors du territoire : ${unknown.join(', ')}`);
    return { kind: 'communes', codes, geojson: null, communes: known };
  }
  if ('qpv' in area) {
    const codes = [...new Set(area.qpv)];
    const known = await knownQpvs(knex, codes);
    const unknown = codes.filter((c) => !known.includes(c));
    if (unknown.length) throw invalidArea('area.qpv', `QPV inconnu(s) : ${unknown.join(', ')}`);
    const communes = await communesOfQpvs(knex, codes);
    if (!communes.length) throw invalidArea('area.qpv', 'ces QPV ne touchent aucune commune du territoire');
    return { kind: 'qpv', codes, geojson: null, communes };
  }
  let geojson: string;
  try {
    ({ geojson } = await validatePerimeter(knex, area.geometry));
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.status, err.code, `Zone invalide : ${err.message}`, [{ field: 'area.geometry', message: err.message }]);
    throw err;
  }
  const communes = await communesOfArea(knex, geojson);
  if (!communes.length) throw invalidArea('area.geometry', 'la zone ne touche aucune commune du territoire');
  return { kind: 'polygon', codes: [], geojson, communes };
}

/**
 * An officer informs the communes: check the role and the validity → find the communes concerned → save with one
 * e-mail per commune user of those communes (the outbox, same transaction) and the audit entry.
 */
export async function issueBroadcast(db: Database, user: SessionUser, input: BroadcastInput): Promise<BroadcastView> {
  if (!mayIssueBroadcast(user)) throw forbidden('Seule la mission GUP diffuse des informations aux communes');
  // the title is the e-mails' subject (a header): one line
  if (!isOneLine(input.title)) throw new AppError(422, 'invalid_input', 'Le titre tient sur une ligne (ni retour à la ligne ni caractère de contrôle)', [{ field: 'title', message: 'une seule ligne' }]);
  const validFrom = input.validFrom ?? new Date();
  if (input.validTo.getTime() <= validFrom.getTime()) throw new AppError(422, 'invalid_input', 'La fin de validité doit suivre son début', [{ field: 'validTo', message: 'après validFrom' }]);
  if (input.validTo.getTime() - validFrom.getTime() > BROADCAST_MAX_DAYS * 86_400_000) {
    throw new AppError(422, 'invalid_input', `Validité de ${BROADCAST_MAX_DAYS} jours au plus`, [{ field: 'validTo', message: `au plus ${BROADCAST_MAX_DAYS} jours après validFrom` }]);
  }
  const t = await requireTerritory(db);
  const area = await communesConcerned(db, input.area);
  const names = new Map(t.communes.map((c) => [c.insee, c.name]));
  const recipients = await communeUsersOf(db.knex, area.communes);
  const ack = needsAcknowledgement(input.severity);
  const subject = `[GUP] ${BROADCAST_SEVERITY_LABELS[input.severity]} — ${BROADCAST_KIND_LABELS[input.kind]} : ${input.title}`;
  const id = await db.knex.transaction(async (trx) => {
    const newId = await insertBroadcast(trx, {
      kind: input.kind, severity: input.severity, title: input.title, body: input.text, areaKind: area.kind, areaCodes: area.codes, geojson: area.geojson,
      communes: area.communes, validFrom, validTo: input.validTo, createdBy: user.id,
    });
    for (const r of recipients) {
      await queueMail(trx, {
        to: r.email,
        reportId: null,
        subject,
        body: [
          `${BROADCAST_KIND_LABELS[input.kind]} — ${BROADCAST_SEVERITY_LABELS[input.severity]}`,
          `Communes concernées : ${area.communes.map((c) => names.get(c) ?? c).join(', ')}`,
          `Du ${parisTime.format(validFrom)} au ${parisTime.format(input.validTo)}`,
          '',
          input.text,
          '',
          ack ? `Merci d'en accuser réception pour ${names.get(r.communeInsee) ?? r.communeInsee} dans GUP (Informations).` : `Information diffusée par ${user.name}.`,
        ].join('\n'),
      });
    }
    await audit(trx, { userId: user.id, action: 'broadcast.issue', entity: 'broadcast', entityId: String(newId), details: { severity: input.severity, communes: area.communes, recipients: recipients.length } });
    return newId;
  });
  return (await broadcastsFor(db, user, { active: false, id }))[0]!;
}

function viewOf(b: BroadcastRow, user: SessionUser, names: Map<string, string>, now: Date): BroadcastView {
  const ack = needsAcknowledgement(b.severity);
  const scope = broadcastScope(user);
  const ackByCommune = new Map(b.acks.map((a) => [a.communeInsee, a]));
  // a commune user sees its own commune among those concerned, not the other communes' answers
  const shown = scope.kind === 'commune' ? b.communes.filter((c) => c === scope.insee) : b.communes;
  return {
    id: b.id,
    kind: b.kind,
    kindLabel: BROADCAST_KIND_LABELS[b.kind],
    severity: b.severity,
    severityLabel: BROADCAST_SEVERITY_LABELS[b.severity],
    title: b.title,
    text: b.body,
    area: { kind: b.areaKind, codes: b.areaCodes, geometry: b.geometry },
    communes: shown.map((insee) => {
      const a = ackByCommune.get(insee);
      return { insee, name: names.get(insee) ?? insee, acknowledged: a ? { by: a.userName, at: a.at } : null };
    }),
    validFrom: b.validFrom,
    validTo: b.validTo,
    active: isActiveBroadcast(b, now),
    needsAcknowledgement: ack,
    acknowledged: ack && scope.kind === 'commune' ? ackByCommune.has(scope.insee) : null,
    pendingAcknowledgements: ack ? b.communes.filter((c) => !ackByCommune.has(c)).length : 0,
    createdBy: { name: b.createdBy.name },
    createdAt: b.createdAt,
  };
}

/** The broadcasts a user sees (broadcastScope): the current ones, or the history; one commune's; one broadcast. */
export async function broadcastsFor(db: Database, user: SessionUser, f: { active: boolean; commune?: string | undefined; id?: number | undefined }): Promise<BroadcastView[]> {
  const t = await requireTerritory(db);
  const names = new Map(t.communes.map((c) => [c.insee, c.name]));
  const rows = await listBroadcasts(db.knex, { scope: broadcastScope(user), active: f.active, commune: f.commune, id: f.id, limit: 200 });
  const now = new Date();
  return rows.map((b) => viewOf(b, user, names, now));
}

/** A commune acknowledges an orange or red broadcast (once; again is a no-op answering the first acknowledgement). */
export async function acknowledgeBroadcast(db: Database, user: SessionUser, id: number): Promise<BroadcastView> {
  const [b] = await listBroadcasts(db.knex, { scope: broadcastScope(user), active: false, id, limit: 1 });
  if (!b || !seesBroadcast(user, b.communes)) throw notFound(`Information ${id}`);
  if (!mayAcknowledgeBroadcast(user, b.communes)) throw forbidden('Seules les communes concernées accusent réception');
  if (!needsAcknowledgement(b.severity)) throw new AppError(409, 'no_acknowledgement', 'Cette information ne demande pas d\'accusé de réception');
  await db.knex.transaction(async (trx) => {
    if (await insertAck(trx, id, user.communeInsee!, user.id)) {
      await audit(trx, { userId: user.id, action: 'broadcast.ack', entity: 'broadcast', entityId: String(id), details: { commune: user.communeInsee } });
    }
  });
  return (await broadcastsFor(db, user, { active: false, id }))[0]!;
}

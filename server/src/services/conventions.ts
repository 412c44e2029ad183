import type { Knex } from 'knex';
import { conventionDocument, findConvention, saveConvention, saveConventionDocument, type ConventionRow } from '../data/conventions.js';
import type { Database } from '../data/db.js';
import type { ConventionView } from '../domain/api.js';
import { findSubsector } from '../data/subsectors.js';
import { invalidateTerritory } from '../data/territory.js';
import { audit, type SessionUser } from '../data/users.js';
import { checkConvention, conventionStatusAt, CONVENTION_STATUS_LABELS, documentFileName, type ConventionInput } from '../domain/conventions.js';
import { AppError, notFound } from '../http/errors.js';
import { requireTerritory } from './territory.js';

const view = (c: ConventionRow, now = new Date()): ConventionView => {
  const effective = conventionStatusAt(c, now);
  return {
    ...c,
    effectiveStatus: effective,
    statusLabel: CONVENTION_STATUS_LABELS[effective],
    document: c.document ? { ...c.document, url: `/api/subsectors/${c.subsectorId}/convention/document` } : null,
  };
};

/** Every signed-in user sees the sub-sectors, hence their conventions; 404 for an unknown sub-sector. */
async function existingSubsector(knex: Knex, id: number) {
  const s = await findSubsector(knex, id);
  if (!s) throw notFound(`Sous-secteur ${id}`);
  return s;
}

/** The convention of a sub-sector, or null when it has none (404 when the sub-sector does not exist). */
export async function getConvention(db: Database, id: number): Promise<ConventionView | null> {
  await existingSubsector(db.knex, id);
  const c = await findConvention(db.knex, id);
  return c ? view(c) : null;
}

const invalid = (field: string, message: string) => new AppError(422, 'invalid_input', `Convention invalide : ${message}`, [{ field, message }]);

/**
 * Creates or replaces a sub-sector's convention: validate (codes against the configuration, coherence) → save with its
 * audit entry (before, after) → forget the cached territory, so that the lookup applies it at once.
 */
export async function putConvention(db: Database, user: SessionUser, id: number, input: ConventionInput): Promise<ConventionView> {
  const sub = await existingSubsector(db.knex, id);
  if (sub.status !== 'active') throw new AppError(409, 'conflict', `Le sous-secteur ${id} est archivé`);
  const t = await requireTerritory(db);
  input.parties.forEach((p, i) => { if (!t.routing.organisations[p]) throw invalid(`parties.${i}`, `organisation inconnue « ${p} »`); });
  input.obligations.forEach((o, i) => {
    const theme = t.routing.themes.find((th) => th.code === o.theme);
    if (!theme) throw invalid(`obligations.${i}.theme`, `thème inconnu « ${o.theme} »`);
    if (theme.mode === 'competence') throw invalid(`obligations.${i}.theme`, `« ${theme.name} » est un thème de compétence : sa gestion ne se conventionne pas par sous-secteur`);
    if (!t.routing.services[o.service]) throw invalid(`obligations.${i}.service`, `service inconnu « ${o.service} »`);
  });
  const check = checkConvention(input);
  if (!check.valid) throw invalid(check.field, check.reason);
  await db.knex.transaction(async (trx) => {
    const before = await findConvention(trx, id);
    await saveConvention(trx, id, input, user.id);
    await audit(trx, {
      userId: user.id, action: before ? 'convention.update' : 'convention.create', entity: 'subsector', entityId: String(id),
      details: { before: before ? { ...before, document: before.document?.name ?? null } : null, after: input },
    });
  });
  invalidateTerritory(db);
  return view((await findConvention(db.knex, id))!);
}

/** PDF files start with `%PDF-` (ISO 32000-1, 7.5.2); the type is decided by these bytes, not by what the client says. */
const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
/** Largest signed document accepted. */
export const CONVENTION_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;

/** Stores the signed PDF of an existing convention (audited) under a safe file name (`documentFileName`). */
export async function putConventionDocument(db: Database, user: SessionUser, id: number, rawName: string | undefined, data: Buffer): Promise<ConventionView> {
  await existingSubsector(db.knex, id);
  const name = documentFileName(rawName, `convention-${id}.pdf`);
  if (data.length === 0) throw new AppError(400, 'invalid_input', 'Document vide', [{ field: 'document', message: 'fichier PDF attendu' }]);
  if (data.length > CONVENTION_DOCUMENT_MAX_BYTES) throw new AppError(413, 'payload_too_large', 'Document trop volumineux', [{ field: 'document', message: `au plus ${CONVENTION_DOCUMENT_MAX_BYTES / 1024 / 1024} Mo` }]);
  if (!data.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) throw new AppError(415, 'invalid_document', 'Le document signé doit être un PDF', [{ field: 'document', message: 'ce fichier n\'est pas un PDF' }]);
  const saved = await db.knex.transaction(async (trx) => {
    if (!(await saveConventionDocument(trx, id, { name, data }, user.id))) return false;
    await audit(trx, { userId: user.id, action: 'convention.document', entity: 'subsector', entityId: String(id), details: { name, size: data.length } });
    return true;
  });
  if (!saved) throw notFound(`Convention du sous-secteur ${id}`);
  return view((await findConvention(db.knex, id))!);
}

/** The signed document, for whoever sees the sub-sector. */
export async function getConventionDocument(db: Database, id: number): Promise<{ name: string; data: Buffer }> {
  await existingSubsector(db.knex, id);
  const doc = await conventionDocument(db.knex, id);
  if (!doc) throw notFound(`Document de la convention du sous-secteur ${id}`);
  return doc;
}

/**
 * Action plan use cases (DESIGN 3.6): items per commune and QPV, kept by the officers and the commune's referents,
 * read by whoever reaches the commune's sessions (same scope), overdue marked, CSV.
 */
import type { Knex } from 'knex';
import type { Database } from '../data/db.js';
import { countActions, findAction, insertAction, listActions, ownerExists, updateAction, type ActionFields, type ActionFilters, type ActionRow } from '../data/actions.js';
import { qpvExists } from '../data/diagnostics.js';
import type { SessionUser } from '../data/users.js';
import { diagnosticScope, inScope, mayOrganiseIn } from '../domain/access.js';
import { AppError, forbidden, notFound } from '../http/errors.js';
import { visibleDiagnostic } from './diagnostics.js';
import { visibleReport } from './reports.js';
import { requireTerritory } from './territory.js';

const invalid = (field: string, message: string) => new AppError(422, 'invalid_input', message, [{ field, message }]);

export const actionsOf = (knex: Knex, user: SessionUser, f: ActionFilters) => listActions(knex, diagnosticScope(user), f);

/** One page of the items the user sees, and how many there are in all. */
export async function actionsPage(knex: Knex, user: SessionUser, f: ActionFilters, page: { limit: number; offset: number }): Promise<{ rows: ActionRow[]; total: number }> {
  const scope = diagnosticScope(user);
  const [rows, total] = await Promise.all([listActions(knex, scope, f, page), countActions(knex, scope, f)]);
  return { rows, total };
}

async function visibleAction(knex: Knex, user: SessionUser, id: number): Promise<ActionRow> {
  const a = await findAction(knex, id);
  if (!a || !inScope(diagnosticScope(user), { communeInsee: a.communeInsee, serviceCode: '' })) throw notFound(`Action ${id}`);
  return a;
}

/** References of an item checked against the database: QPV, owner, the session or report it comes from (seen by the user). */
async function checkReferences(knex: Knex, user: SessionUser, f: Partial<ActionFields>) {
  if (f.qpvCode && !(await qpvExists(knex, f.qpvCode))) throw invalid('qpv', `QPV inconnu « ${f.qpvCode} »`);
  const owners = await ownerExists(knex, { organisation: f.ownerOrganisation, service: f.ownerService });
  if (!owners.organisation) throw invalid('ownerOrganisation', `Organisation inconnue « ${f.ownerOrganisation} »`);
  if (!owners.service) throw invalid('ownerService', `Service inconnu « ${f.ownerService} »`);
  if (f.diagnosticId) await visibleDiagnostic(knex, user, f.diagnosticId).catch(() => { throw invalid('diagnostic', `Diagnostic ${f.diagnosticId} introuvable`); });
  if (f.reportId) await visibleReport(knex, user, f.reportId).catch(() => { throw invalid('report', `Signalement ${f.reportId} introuvable`); });
}

export async function createAction(db: Database, user: SessionUser, f: ActionFields): Promise<ActionRow> {
  const { knex } = db;
  const t = await requireTerritory(db);
  if (!t.communes.some((c) => c.insee === f.communeInsee && c.inTerritory)) throw invalid('commune', `Commune ${f.communeInsee} hors du territoire`);
  if (!mayOrganiseIn(user, f.communeInsee)) throw forbidden('Vous ne pouvez tenir que le plan d\'actions de votre commune');
  await checkReferences(knex, user, f);
  return (await findAction(knex, await insertAction(knex, f, user.id)))!;
}

/** Edits an item (status, owner, due date, evidence…); its commune and origin are fixed. */
export async function editAction(knex: Knex, user: SessionUser, id: number, f: Partial<Omit<ActionFields, 'communeInsee' | 'origin'>>): Promise<ActionRow> {
  const a = await visibleAction(knex, user, id);
  if (!mayOrganiseIn(user, a.communeInsee)) throw forbidden('Seuls la mission GUP et les référents de la commune tiennent ce plan d\'actions');
  await checkReferences(knex, user, f);
  await updateAction(knex, id, f);
  return (await findAction(knex, id))!;
}

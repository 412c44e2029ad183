/**
 * Open311 GeoReport v2 façade for the communes' own software (DESIGN 4): the categories as services, reports as
 * service requests (public reads without personal data), and filing through an API key bound to one commune.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { hashPassword } from '../auth/passwords.js';
import type { Database } from '../data/db.js';
import {
  accountByEmail, communeByInsee, deactivateKey, insertKey, listServiceRequests, open311Categories, urgencyCriteria, userForKeyHash,
} from '../data/open311.js';
import { territory } from '../data/territory.js';
import { upsertUser, audit } from '../data/users.js';
import { inScope, reportScope, SCOPE_NONE, type ReportScope } from '../domain/access.js';
import { NOT_URGENT, statusesFor, toServiceRequest, type Open311Status, type ServiceRequest, type ServiceRequestSource } from '../domain/open311.js';
import { AppError, forbidden, notFound } from '../http/errors.js';
import { submitReport } from './reports.js';

/** At most this many requests per answer (the standard's suggested cap). */
export const MAX_REQUESTS = 1000;
/** Without dates, the requests of the last 90 days (the standard's default). */
export const DEFAULT_WINDOW_DAYS = 90;

/** Only the SHA-256 of a key is stored; the key itself is shown once, when created. */
export const hashApiKey = (key: string) => crypto.createHash('sha256').update(key, 'utf8').digest('hex');

const hours = (h: number) => (h % 24 === 0 ? `${h / 24} j` : `${h} h`);

/** `GET services.json`: every category, grouped by theme. */
export async function open311Services(knex: Knex) {
  return (await open311Categories(knex)).map((c) => ({
    service_code: c.code,
    service_name: c.name,
    description: `${c.name} (thème ${c.themeName}) : prise en compte sous ${hours(c.ackHours)}, traitement sous ${hours(c.resolveHours)}` +
      `${c.resolveHoursQpv ? ` (${hours(c.resolveHoursQpv)} en quartier prioritaire)` : ''}.`,
    metadata: true, // the `urgent` attribute, see services/{code}.json
    type: 'realtime',
    keywords: [c.themeCode, c.code.replace(/_/g, ' ')].join(', '),
    group: c.themeName,
  }));
}

/** `GET services/{code}.json`: the service definition, with the optional `urgent` attribute (a single-value list). */
export async function open311ServiceDefinition(knex: Knex, code: string) {
  const category = (await open311Categories(knex)).find((c) => c.code === code);
  if (!category) throw notFound(`Service « ${code} »`);
  const criteria = await urgencyCriteria(knex);
  return {
    service_code: category.code,
    attributes: [{
      variable: true,
      code: 'urgent',
      datatype: 'singlevaluelist',
      required: false,
      datatype_description: `« ${NOT_URGENT} » (défaut) ou le critère d'urgence qui justifie un traitement accéléré`,
      order: 1,
      description: 'Urgence',
      values: [{ key: NOT_URGENT, name: 'Non urgent' }, ...criteria.map((c) => ({ key: c.code, name: c.name }))],
    }],
  };
}

export interface RequestsQuery {
  ids?: string[] | undefined;
  serviceCodes?: string[] | undefined;
  statuses?: Open311Status[] | undefined;
  startDate?: Date | undefined;
  endDate?: Date | undefined;
}

/**
 * Whose reports a reader of requests gets in full: nobody's without a key (anyone on the internet reads the public
 * view), its commune's with a key (the scope of the key's account, `reportScope`). A wrong or revoked key is a 403.
 */
export async function readerScope(knex: Knex, apiKey: string | undefined): Promise<ReportScope> {
  if (apiKey === undefined) return SCOPE_NONE;
  const user = apiKey ? await userForKeyHash(knex, hashApiKey(apiKey)) : null;
  if (!user) throw forbidden('api_key invalide ou révoquée');
  return reportScope(user);
}

const viewFor = (reader: ReportScope) => (r: ServiceRequestSource) => toServiceRequest(r, inScope(reader, r));

/** `GET requests.json`: the ids override every other filter; without dates, the last 90 days; at most 1000. */
export async function open311Requests(knex: Knex, q: RequestsQuery, reader: ReportScope): Promise<ServiceRequest[]> {
  if (q.ids?.length) return (await listServiceRequests(knex, { references: q.ids, limit: MAX_REQUESTS })).map(viewFor(reader));
  let since = q.startDate;
  if (!since && !q.endDate) since = new Date(Date.now() - DEFAULT_WINDOW_DAYS * 86_400_000);
  if (!since && q.endDate) since = new Date(q.endDate.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
  const rows = await listServiceRequests(knex, {
    categories: q.serviceCodes,
    statuses: q.statuses?.flatMap(statusesFor),
    since,
    until: q.endDate,
    limit: MAX_REQUESTS,
  });
  return rows.map(viewFor(reader));
}

/** `GET requests/{id}.json` (the id is the reference, e.g. GUP-2026-000123). */
export async function open311Request(knex: Knex, reference: string, reader: ReportScope): Promise<ServiceRequest[]> {
  const rows = await listServiceRequests(knex, { references: [reference], limit: 1 });
  if (!rows.length) throw notFound(`Demande ${reference}`);
  return rows.map(viewFor(reader));
}

export interface Open311Submission {
  apiKey: string;
  serviceCode: string;
  lon: number;
  lat: number;
  description: string;
  /** `attribute[urgent]`: an urgency criterion's code, or absent / "non". */
  urgent?: string | undefined;
}

/**
 * `POST requests.json`: the key names the commune's service account; the report is filed under it through the very
 * same use case as the web form (routing, delays, duplicates, outbox), with source `open311`.
 * Bad or revoked key → 403; a point outside the key's commune → 403; unknown service code or urgency → 400.
 */
export async function open311Submit(db: Database, s: Open311Submission) {
  const { knex } = db;
  const user = s.apiKey ? await userForKeyHash(knex, hashApiKey(s.apiKey)) : null;
  if (!user) throw forbidden('api_key invalide ou révoquée');
  const t = await territory(db);
  if (!t?.categoryRules.has(s.serviceCode)) {
    throw new AppError(400, 'invalid_input', `service_code inconnu « ${s.serviceCode} » (voir services.json)`, [{ field: 'service_code', message: 'inconnu' }]);
  }
  const urgency = s.urgent && s.urgent !== NOT_URGENT ? s.urgent : null;
  if (urgency && !t.urgencyCriteria.some((c) => c.code === urgency)) {
    throw new AppError(400, 'invalid_input', `attribute[urgent] : valeur inconnue « ${urgency} » (voir services/${s.serviceCode}.json)`, [{ field: 'attribute[urgent]', message: 'inconnu' }]);
  }
  const { report } = await submitReport(
    db,
    user,
    { category: s.serviceCode, description: s.description, lon: s.lon, lat: s.lat, urgent: !!urgency, urgencyCriterion: urgency },
    { source: 'open311' },
  );
  const due = (iso: string) => new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
  const near = report.possibleDuplicates.filter((d) => d.id !== report.id).map((d) => d.reference);
  return [{
    service_request_id: report.reference,
    service_notice: `Transmis à ${report.routing.service.name} ; prise en compte avant le ${due(report.ackDueAt)}, traitement avant le ${due(report.resolveDueAt)}.` +
      `${near.length ? ` Signalements proches déjà ouverts : ${near.join(', ')}.` : ''}`,
    account_id: null,
  }];
}

/** The service account of a commune's software: one per commune, role commune_user, no usable password. */
const serviceAccountEmail = (insee: string) => `open311.${insee}@service.gup.invalid`;

/**
 * A new API key for one commune (created or reused service account). Returns the key in clear: shown once, only its
 * SHA-256 is kept.
 */
export async function createOpen311Key(knex: Knex, opts: { communeInsee: string; label: string; actorId?: number | null }): Promise<{ key: string; keyId: number; userId: number; email: string; communeName: string }> {
  const commune = await communeByInsee(knex, opts.communeInsee);
  if (!commune) throw notFound(`Commune ${opts.communeInsee}`);
  if (!commune.in_territory) throw new AppError(422, 'invalid_input', `${commune.name} n'est pas une commune du territoire`, [{ field: 'commune', message: 'hors territoire' }]);
  const label = opts.label.trim();
  if (!label) throw new AppError(422, 'invalid_input', 'Libellé obligatoire', [{ field: 'label', message: 'obligatoire' }]);
  const email = serviceAccountEmail(commune.insee);
  const existing = await accountByEmail(knex, email);
  if (existing && (existing.role !== 'commune_user' || existing.commune_insee !== commune.insee)) {
    throw new AppError(409, 'conflict', `Le compte ${email} existe avec un autre rôle ou une autre commune`);
  }
  const userId = existing?.id ?? await upsertUser(knex, {
    email, name: `Logiciel de la commune de ${commune.name} (Open311)`, role: 'commune_user', communeInsee: commune.insee,
    passwordHash: await hashPassword(crypto.randomBytes(32).toString('base64url')), // never given out: no interactive login
  });
  const key = `gup311_${crypto.randomBytes(32).toString('base64url')}`;
  const keyId = await insertKey(knex, { keyHash: hashApiKey(key), communeInsee: commune.insee, userId, label });
  await audit(knex, { userId: opts.actorId ?? null, action: 'open311.key.create', entity: 'open311_key', entityId: String(keyId), details: { before: null, after: { commune: commune.insee, label, active: true } } });
  return { key, keyId, userId, email, communeName: commune.name };
}

/** Revokes a key (by the admin `actorId`, null from the command line): it fails at once. Audited with before and after. */
export async function revokeOpen311Key(knex: Knex, id: number, actorId: number | null = null): Promise<void> {
  const wasActive = await deactivateKey(knex, id);
  if (wasActive === null) throw notFound(`Clé ${id}`);
  await audit(knex, { userId: actorId, action: 'open311.key.revoke', entity: 'open311_key', entityId: String(id), details: { before: { active: wasActive }, after: { active: false } } });
}

import type { Role } from './territory.js';

/** What an account is limited to: its commune (commune users), its service (service agents), its organisation. */
export interface AccountScope {
  communeInsee: string | null;
  serviceCode: string | null;
  organisationCode: string | null;
}

/** The configuration an account's scope is checked against. */
export interface ScopeReferences {
  /** INSEE codes of the territory's communes. */
  communes: ReadonlySet<string>;
  /** Service code → its organisation's code. */
  services: ReadonlyMap<string, string>;
  organisations: ReadonlySet<string>;
}

/** Why a scope is refused (stable constants: the API's details and the UI match on the field). */
export const SCOPE_REASONS = {
  communeRequired: 'une commune du territoire est obligatoire pour ce rôle',
  communeUnknown: "commune inconnue ou hors du territoire",
  communeForbidden: "ce rôle n'est pas limité à une commune",
  serviceRequired: 'un service est obligatoire pour ce rôle',
  serviceUnknown: 'service inconnu',
  serviceForbidden: "ce rôle n'est pas limité à un service",
  organisationUnknown: 'organisation inconnue',
  organisationMismatch: "l'organisation doit être celle du service",
} as const;

export type ScopeCheck = { valid: true; scope: AccountScope } | { valid: false; field: 'communeInsee' | 'serviceCode' | 'organisationCode'; reason: string };

/**
 * The one rule tying an account's role to its scope (DESIGN 3.4): a commune user belongs to exactly one commune of the
 * territory and no service; a service agent to exactly one known service (its organisation is the service's); the
 * other roles see everything and carry no commune nor service (an organisation, if given, must be known). Empty
 * strings count as absent.
 * @example checkAccountScope('commune_user', { communeInsee: '91027' }, refs) // { valid: true, scope: { communeInsee: '91027', serviceCode: null, organisationCode: null } }
 * @example checkAccountScope('service_agent', {}, refs) // { valid: false, field: 'serviceCode', reason: SCOPE_REASONS.serviceRequired }
 */
export function checkAccountScope(role: Role, input: Partial<AccountScope>, refs: ScopeReferences): ScopeCheck {
  const commune = input.communeInsee?.trim() || null;
  const service = input.serviceCode?.trim() || null;
  const organisation = input.organisationCode?.trim() || null;
  const refuse = (field: 'communeInsee' | 'serviceCode' | 'organisationCode', reason: string): ScopeCheck => ({ valid: false, field, reason });
  if (organisation && !refs.organisations.has(organisation)) return refuse('organisationCode', SCOPE_REASONS.organisationUnknown);
  if (role === 'commune_user') {
    if (!commune) return refuse('communeInsee', SCOPE_REASONS.communeRequired);
    if (!refs.communes.has(commune)) return refuse('communeInsee', SCOPE_REASONS.communeUnknown);
    if (service) return refuse('serviceCode', SCOPE_REASONS.serviceForbidden);
    return { valid: true, scope: { communeInsee: commune, serviceCode: null, organisationCode: organisation } };
  }
  if (commune) return refuse('communeInsee', SCOPE_REASONS.communeForbidden);
  if (role === 'service_agent') {
    if (!service) return refuse('serviceCode', SCOPE_REASONS.serviceRequired);
    const owner = refs.services.get(service);
    if (!owner) return refuse('serviceCode', SCOPE_REASONS.serviceUnknown);
    if (organisation && organisation !== owner) return refuse('organisationCode', SCOPE_REASONS.organisationMismatch);
    return { valid: true, scope: { communeInsee: null, serviceCode: service, organisationCode: owner } };
  }
  if (service) return refuse('serviceCode', SCOPE_REASONS.serviceForbidden);
  return { valid: true, scope: { communeInsee: null, serviceCode: null, organisationCode: organisation } };
}

/** Fewest characters of a password: length first (ANSSI), no composition rule. */
export const PASSWORD_MIN_LENGTH = 12;

/**
 * The one password policy (one-time links, `npm run user:create`): at least PASSWORD_MIN_LENGTH characters counted as
 * a person sees them (code points: an emoji is one character, not two UTF-16 units), and not one character repeated.
 * The reason it is refused, or null.
 * @example passwordProblem('un-mot-de-passe-solide') // null
 * @example passwordProblem('😀'.repeat(6)) // '12 caractères au moins'
 * @example passwordProblem('a'.repeat(20)) // 'un seul caractère répété'
 */
export function passwordProblem(password: string): string | null {
  const characters = [...password];
  if (characters.length < PASSWORD_MIN_LENGTH) return `${PASSWORD_MIN_LENGTH} caractères au moins`;
  if (new Set(characters).size === 1) return 'un seul caractère répété';
  return null;
}

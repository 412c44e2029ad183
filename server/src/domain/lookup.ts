/**
 * Managing service for a spot (DESIGN 3.1), as a pure function of the facts found at the point and the territory
 * configuration. Shared by the server (GET /api/lookup, report routing) and the client.
 */
import { conventionInForce, themeObligation, type ConventionFact, type Obligation } from './conventions.js';
import { de } from './french.js';
import { parcelLabel } from './idu.js';
import type { Owner, Ownership } from './ownership.js';
import { PRIVATE_KINDS } from './owners.js';

export interface ServiceInfo {
  code: string;
  name: string;
  email: string | null;
  phone: string | null;
  organisation: { code: string; name: string };
}

export interface ThemeInfo {
  code: string;
  name: string;
  mode: 'ownership' | 'competence';
  /** Fixed service of a competence theme. */
  serviceCode: string | null;
}

/** The part of the territory configuration the rule needs. */
export interface RoutingConfig {
  themes: ThemeInfo[];
  services: Record<string, ServiceInfo>;
  organisations: Record<string, { code: string; name: string; kind: string; insee: string | null }>;
  /** organisation code → theme code or '*' → service code */
  managers: Record<string, Record<string, string>>;
  /** commune INSEE → service code for private land */
  privateLand: Record<string, string>;
  triageServiceCode: string;
  publicDomainOwner: 'commune' | 'agglomeration';
}

export interface SubSectorFact {
  id: number;
  name: string;
  outcome: 'delegated' | 'shared';
  delegateOrganisationCode: string | null;
  threshold: number;
  delegateShare: number | null;
}

/** What was found at the point. */
export interface SpotFacts {
  communeInsee: string;
  communeName: string;
  parcel: { id: string; section: string; number: string } | null;
  ownership: Ownership | null;
  subSector: SubSectorFact | null;
  /** The sub-sector's convention (DESIGN 3.8), whatever its status: the rule checks it is in force at `at`. */
  convention?: ConventionFact | null;
  /** When the question is asked (default: now); decides whether the convention is in force. */
  at?: Date;
}

export type RoutingRule = 'competence' | 'convention' | 'subsector' | 'ownership' | 'joint' | 'private_land' | 'public_domain' | 'triage';

export interface ServiceAnswer {
  theme: Pick<ThemeInfo, 'code' | 'name' | 'mode'>;
  service: ServiceInfo;
  /** Joint owners' other services (copied on reports). */
  coServices: ServiceInfo[];
  rule: RoutingRule;
  unresolved: boolean;
  reason: string;
  /** The convention's obligation that routed the theme (rule `convention`): its delay replaces the category's. */
  obligation: (Obligation & { convention: string; subsectorId: number }) | null;
}

const PERCENT = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }); // made once: toLocaleString builds a formatter per call
const pct = (x: number) => `${PERCENT.format(x * 100)} %`;

/** The service an organisation's manager entry names for a theme (exact theme first, then '*'). */
export function managerService(cfg: RoutingConfig, organisationCode: string | null, themeCode: string): ServiceInfo | null {
  if (!organisationCode) return null;
  const entry = cfg.managers[organisationCode];
  const code = entry?.[themeCode] ?? entry?.['*'];
  return code ? (cfg.services[code] ?? null) : null;
}

/** Organisation holding the public domain at a point: the commune's organisation, or the agglomeration. */
export function publicDomainOrganisation(cfg: RoutingConfig, communeInsee: string): { code: string; name: string } | null {
  const orgs = Object.values(cfg.organisations);
  const org = cfg.publicDomainOwner === 'commune'
    ? orgs.find((o) => o.kind === 'commune' && o.insee === communeInsee)
    : orgs.find((o) => o.kind === 'agglomeration');
  return org ? { code: org.code, name: org.name } : null;
}

function triage(cfg: RoutingConfig, theme: ThemeInfo, why: string): Omit<ServiceAnswer, 'theme'> {
  const service = cfg.services[cfg.triageServiceCode];
  if (!service) throw new Error(`triage service ${cfg.triageServiceCode} is not configured`);
  return { service, coServices: [], rule: 'triage', unresolved: true, reason: `${why} → ${service.name} (tri, à qualifier)`, obligation: null };
}

function byOwnership(cfg: RoutingConfig, theme: ThemeInfo, facts: SpotFacts): Omit<ServiceAnswer, 'theme'> {
  const { parcel, ownership } = facts;
  if (!parcel || !ownership) {
    const org = publicDomainOrganisation(cfg, facts.communeInsee);
    const service = managerService(cfg, org?.code ?? null, theme.code);
    const what = `Aucune parcelle au point : domaine public non cadastré, attribué ${cfg.publicDomainOwner === 'commune' ? 'à la commune' : 'à l\'agglomération'}${org ? ` (${org.name})` : ''}`;
    if (!service) return triage(cfg, theme, `${what}, sans service configuré pour « ${theme.name} »`);
    return { service, coServices: [], rule: 'public_domain', unresolved: false, reason: `${what} → ${service.name}`, obligation: null };
  }
  const label = `Parcelle ${parcelLabel(parcel.section, parcel.number)}`;
  const lead = ownership.owners[0]!;
  if (PRIVATE_KINDS.has(lead.kind)) {
    const code = cfg.privateLand[facts.communeInsee];
    const service = code ? cfg.services[code] : undefined;
    const who = lead.kind === 'private_person' ? 'propriété de personne(s) physique(s)' : `propriété privée (${lead.name})`;
    if (!service) return triage(cfg, theme, `${label} ${who}, sans service « terrains privés » configuré pour ${facts.communeName}`);
    return { service, coServices: [], rule: 'private_land', unresolved: false, reason: `${label} ${who} → service des terrains privés de ${facts.communeName} : ${service.name}`, obligation: null };
  }
  const services = ownership.owners.map((o: Owner) => managerService(cfg, o.organisation?.code ?? null, theme.code));
  const leadService = services[0];
  if (!leadService) return triage(cfg, theme, `${label} propriété ${de(lead.name)}, sans service gestionnaire configuré pour « ${theme.name} »`);
  const coServices = services.slice(1).filter((s): s is ServiceInfo => !!s && s.code !== leadService.code);
  if (ownership.joint) {
    const names = ownership.owners.map((o) => o.organisation?.name ?? o.name).join(' et ');
    return {
      service: leadService,
      coServices,
      rule: 'joint',
      unresolved: false,
      reason: `${label} en indivision entre ${names} (${ownership.owners.length} parts égales) : chef de file ${lead.organisation?.name ?? lead.name} (ordre de la configuration) → ${leadService.name}`,
      obligation: null,
    };
  }
  return { service: leadService, coServices, rule: 'ownership', unresolved: false, reason: `${label} propriété ${de(lead.organisation?.name ?? lead.name)} → ${leadService.name}`, obligation: null };
}

/**
 * Resolves the managing service of every theme (or the given one) at a spot.
 * Order: competence theme → the sub-sector's convention in force (DESIGN 3.8) → delegated sub-sector → ownership
 * (joint, private land, public domain) → triage.
 * @example resolveServices(facts, cfg, 'proprete')[0].reason // "Parcelle AC 193 propriété de Ville d'Athis-Mons → Athis-Mons — Propreté urbaine"
 */
export function resolveServices(facts: SpotFacts, cfg: RoutingConfig, themeCode?: string): ServiceAnswer[] {
  const themes = themeCode ? cfg.themes.filter((t) => t.code === themeCode) : cfg.themes;
  // the convention is checked once per lookup (a Paris date), not per theme
  const convention = facts.convention && facts.subSector && conventionInForce(facts.convention, facts.at ?? new Date()) ? facts.convention : null;
  return themes.map((theme) => {
    const answer = resolveTheme(facts, cfg, theme, convention);
    return { theme: { code: theme.code, name: theme.name, mode: theme.mode }, service: answer.service, coServices: answer.coServices, rule: answer.rule, unresolved: answer.unresolved, reason: answer.reason, obligation: answer.obligation };
  });
}

const DAY_FR = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** Step 1 b: a signed, valid convention's obligation for the theme routes inside its sub-sector. */
function byConvention(cfg: RoutingConfig, theme: ThemeInfo, sub: SubSectorFact, convention: ConventionFact): Omit<ServiceAnswer, 'theme'> | null {
  const ob = themeObligation(convention.obligations, theme.code);
  if (!ob) return null;
  const until = convention.validTo ? ` jusqu'au ${DAY_FR(convention.validTo)}` : '';
  const what = `Sous-secteur « ${sub.name} » : convention « ${convention.title} » signée, en vigueur${until} — ${ob.task}, ${ob.frequency}, délai d'intervention ${ob.delayHours} h`;
  const service = cfg.services[ob.service];
  if (!service) return triage(cfg, theme, `${what}, service « ${ob.service} » inconnu`);
  return { service, coServices: [], rule: 'convention', unresolved: false, reason: `${what} → ${service.name}`, obligation: { ...ob, convention: convention.title, subsectorId: convention.subsectorId } };
}

function resolveTheme(facts: SpotFacts, cfg: RoutingConfig, theme: ThemeInfo, convention: ConventionFact | null): Omit<ServiceAnswer, 'theme'> {
  if (theme.mode === 'competence') {
    const service = theme.serviceCode ? cfg.services[theme.serviceCode] : undefined;
    if (service) return { service, coServices: [], rule: 'competence', unresolved: false, reason: `Thème de compétence « ${theme.name} » : ${service.organisation.name} partout → ${service.name}`, obligation: null };
    return triage(cfg, theme, `Thème de compétence « ${theme.name} » sans service configuré`);
  }
  const sub = facts.subSector;
  if (sub && convention) {
    const bound = byConvention(cfg, theme, sub, convention);
    if (bound) return bound;
  }
  if (sub && sub.outcome === 'delegated' && sub.delegateOrganisationCode) {
    const org = cfg.organisations[sub.delegateOrganisationCode];
    const service = managerService(cfg, sub.delegateOrganisationCode, theme.code);
    const share = sub.delegateShare === null ? '' : ` (${pct(sub.delegateShare)} du foncier, seuil ${pct(sub.threshold)})`;
    const what = `Sous-secteur « ${sub.name} » délégué à ${org?.name ?? sub.delegateOrganisationCode}${share}`;
    if (!service) return triage(cfg, theme, `${what}, sans service configuré pour « ${theme.name} »`);
    return { service, coServices: [], rule: 'subsector', unresolved: false, reason: `${what} → ${service.name}`, obligation: null };
  }
  return byOwnership(cfg, theme, facts);
}

/**
 * The directory (annuaire, DESIGN 3.7): who to call, service by service — referents, deputy, hours, themes, communes
 * and QPV covered — and whether an entry is still trustworthy (verified in the last six months). Pure code, shared by
 * the server and the client.
 */
import type { RoutingConfig } from './lookup.js';

/** A person of the directory: a referent or a deputy. */
export interface DirectoryPerson {
  name: string;
  function?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
}

/** The directory fields of a service, as configured (all optional there). */
export interface DirectoryFields {
  referents: DirectoryPerson[];
  deputy: DirectoryPerson | null;
  hours: string | null;
  /** Last day the entry was checked, `YYYY-MM-DD`. */
  verifiedAt: string | null;
  /** Communes covered, when the configuration says so (INSEE codes). */
  communes: string[] | null;
  /** QPV covered, when the configuration says so. */
  qpv: string[] | null;
}

export const NO_DIRECTORY_FIELDS: DirectoryFields = Object.freeze({ referents: [], deputy: null, hours: null, verifiedAt: null, communes: null, qpv: null });

/** An entry not verified for this many months is flagged, and its organisation reminded once per period. */
export const DIRECTORY_STALE_MONTHS = 6;

/**
 * Whether an entry needs checking: never verified, or verified more than six months before `now`.
 * @example isStaleEntry('2026-01-10', new Date('2026-07-11T08:00:00Z')) // true
 * @example isStaleEntry('2026-01-10', new Date('2026-07-09T08:00:00Z')) // false
 */
export function isStaleEntry(verifiedAt: string | null, now: Date): boolean {
  if (!verifiedAt) return true;
  const limit = new Date(now.getTime());
  limit.setUTCMonth(limit.getUTCMonth() - DIRECTORY_STALE_MONTHS);
  return verifiedAt < limit.toISOString().slice(0, 10);
}

/**
 * The half-year a reminder belongs to: one reminder per entry and period.
 * @example reminderPeriod(new Date('2026-08-01T00:00:00Z')) // '2026-S2'
 */
export function reminderPeriod(now: Date): string {
  return `${now.getUTCFullYear()}-S${now.getUTCMonth() < 6 ? 1 : 2}`;
}

/**
 * Lower case without accents or punctuation, for matching typed words.
 * @example foldText('Propreté — Athis-Mons') // 'proprete athis mons'
 */
export function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * Whether every word typed appears in the text, in any order.
 * @example matchesWords('Athis-Mons — Propreté urbaine', 'proprete athis') // true
 */
export function matchesWords(text: string, query: string): boolean {
  const hay = ` ${foldText(text)}`;
  return foldText(query).split(' ').filter(Boolean).every((w) => hay.includes(` ${w}`));
}

/**
 * The themes a service answers for, from the routing configuration: competence themes it holds, themes its
 * organisation's managers give it (`*`: every ownership theme), and every ownership theme for a private-land service.
 * @example serviceThemes(cfg, 'oph-proximite') // ['proprete', 'espaces_verts', …]
 */
export function serviceThemes(cfg: RoutingConfig, serviceCode: string): string[] {
  const ownershipThemes = cfg.themes.filter((t) => t.mode === 'ownership').map((t) => t.code);
  const out = new Set<string>();
  for (const t of cfg.themes) if (t.mode === 'competence' && t.serviceCode === serviceCode) out.add(t.code);
  for (const byTheme of Object.values(cfg.managers)) {
    for (const [theme, code] of Object.entries(byTheme)) {
      if (code !== serviceCode) continue;
      if (theme === '*') ownershipThemes.forEach((t) => out.add(t));
      else out.add(theme);
    }
  }
  if (Object.values(cfg.privateLand).includes(serviceCode)) ownershipThemes.forEach((t) => out.add(t));
  return cfg.themes.map((t) => t.code).filter((c) => out.has(c));
}

/**
 * The communes a service covers: as configured; else its commune's (a commune's services, and the private-land
 * services named for a commune); else the whole territory (the agglomeration's, the landlords').
 * @example serviceCommunes(cfg, 'com-91027-proprete', null, ['91027', '91326']) // ['91027']
 */
export function serviceCommunes(cfg: RoutingConfig, serviceCode: string, configured: string[] | null, territory: readonly string[]): string[] {
  if (configured && configured.length) return territory.filter((c) => configured.includes(c));
  const service = cfg.services[serviceCode];
  const org = service ? cfg.organisations[service.organisation.code] : undefined;
  const own = new Set<string>();
  if (org?.kind === 'commune' && org.insee) own.add(org.insee);
  for (const [insee, code] of Object.entries(cfg.privateLand)) if (code === serviceCode) own.add(insee);
  return own.size ? territory.filter((c) => own.has(c)) : [...territory];
}

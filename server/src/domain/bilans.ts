/** Rules of the annual review's free-text section per commune (DESIGN 3.5). Pure code. */
import type { AccessUser } from './access.js';
import type { Role } from './territory.js';

/** The longest free text a commune may write (characters). */
export const BILAN_TEXT_MAX = 20_000;

const OFFICERS: ReadonlySet<Role> = new Set(['gup_officer', 'admin']);

/**
 * Who writes (and reads the draft of) a commune's section: a commune user of that commune, or an officer / admin.
 * @example canWriteBilanText({ role: 'commune_user', communeInsee: '91326', serviceCode: null }, '91326') // true
 * @example canWriteBilanText({ role: 'commune_user', communeInsee: '91326', serviceCode: null }, '91027') // false
 */
export function canWriteBilanText(user: AccessUser, insee: string): boolean {
  return OFFICERS.has(user.role) || (user.role === 'commune_user' && user.communeInsee === insee);
}

/**
 * Who validates a commune's section: officers and admins only.
 * @example canValidateBilanText({ role: 'commune_user', communeInsee: '91326', serviceCode: null }) // false
 */
export function canValidateBilanText(user: AccessUser): boolean {
  return OFFICERS.has(user.role);
}

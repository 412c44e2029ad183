/**
 * Cadastral parcel identifiers (IDU): département (2) + commune (3) + prefix (3) + section (2) + plan number (4),
 * e.g. `910270000A0020`. DGFiP files write section and plan number unpadded; the IDU pads them.
 */

export const IDU_PATTERN = /^[0-9][0-9AB][0-9]{3}[0-9]{3}[0-9A-Z]{2}[0-9]{4}$/;

/** INSEE commune code from a DGFiP département + commune pair ("91", "027" → "91027"; "97", "101" → "97101"). */
export function inseeFromDgfip(departement: string, commune: string): string {
  const dep = departement.trim().toUpperCase();
  const com = commune.trim();
  if (dep.length === 3) return dep + com.padStart(3, '0').slice(-2);
  return dep.padStart(2, '0') + com.padStart(3, '0');
}

/**
 * Builds the 14-character IDU from its parts, padding as the DGFiP does.
 * @example buildIdu('91027', '', 'A', '20') // '910270000A0020'
 */
export function buildIdu(insee: string, prefix: string, section: string, number: string): string {
  const p = (prefix.trim() || '000').padStart(3, '0');
  const s = section.trim().toUpperCase().padStart(2, '0');
  const n = number.trim().padStart(4, '0');
  return `${insee}${p}${s}${n}`;
}

/** Splits an IDU into its parts, or null if it is not a valid IDU. */
export function parseIdu(idu: string): { insee: string; prefix: string; section: string; number: string } | null {
  const v = idu.trim().toUpperCase();
  if (!IDU_PATTERN.test(v)) return null;
  return { insee: v.slice(0, 5), prefix: v.slice(5, 8), section: v.slice(8, 10), number: v.slice(10, 14) };
}

/**
 * A cadastral section as people write it: without its padding zero ("0A" → "A", "AC" → "AC").
 * @example sectionLabel('0A') // 'A'
 */
export function sectionLabel(section: string): string {
  return section.replace(/^0+(?=.)/, '');
}

/** Human label of a parcel: section without padding + number without leading zeros ("0A", "0020" → "A 20"). */
export function parcelLabel(section: string, number: string): string {
  return `${sectionLabel(section)} ${number.replace(/^0+(?=.)/, '')}`;
}

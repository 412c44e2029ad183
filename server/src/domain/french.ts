/**
 * French text helpers shared by the server's sentences (lookup reasons) and the client's messages (client/src/i18n):
 * elision of "de" and "le" before a vowel or a mute h. Pure code.
 */

/** Words starting with an aspirated h keep "de"/"le" (le Hameau, de Hautmont) — the common ones in place names. */
const ASPIRATED_H = /^h(aut|ameau|alle|ouill|ors|aie|ache|onte|ang|ard|ay)/i;
const VOWEL = /^[aeiouyàâäéèêëîïôöùûüœæ]/i;

/**
 * Whether a following word elides "de"/"le": a vowel, or an h that is not aspirated (acronyms such as OPH elide by
 * their vowel: "d'OPH").
 * @example elides('Athis-Mons') // true
 * @example elides('Juvisy-sur-Orge') // false
 */
export function elides(word: string): boolean {
  const w = word.trim();
  if (VOWEL.test(w)) return true;
  return /^h/i.test(w) && !ASPIRATED_H.test(w);
}

/**
 * "de" before a name, elided when due.
 * @example de('Athis-Mons') // "d'Athis-Mons"
 * @example de('Juvisy-sur-Orge') // 'de Juvisy-sur-Orge'
 * @example de('OPH Orge Seine Habitat') // "d'OPH Orge Seine Habitat"
 */
export function de(name: string): string {
  return elides(name) ? `d'${name.trim()}` : `de ${name.trim()}`;
}

/**
 * "le" before a name, elided when due.
 * @example le('Espace vert') // "l'Espace vert"
 */
export function le(name: string): string {
  return elides(name) ? `l'${name.trim()}` : `le ${name.trim()}`;
}

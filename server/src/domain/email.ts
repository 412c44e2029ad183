/** Invisible characters that come with an address pasted from a document: Unicode spaces and zero-width ones. */
const INVISIBLE_EDGES = /^[\s\u200B-\u200D\u2060\uFEFF]+|[\s\u200B-\u200D\u2060\uFEFF]+$/g;

/**
 * The one spelling of an e-mail address that accounts are stored, found and rate-limited by: compatibility-normalised
 * (NFKC: full-width letters, the many Unicode spaces), trimmed of spaces and zero-width characters, lower case.
 * @example normalizeEmail('\u00a0Admin@Demo.GUP\u200b') // 'admin@demo.gup'
 * @example normalizeEmail('ａｄｍｉｎ＠demo.gup') // 'admin@demo.gup'
 */
export function normalizeEmail(raw: string): string {
  return raw.normalize('NFKC').replace(INVISIBLE_EDGES, '').toLowerCase();
}

/** A control character, or a space inside an address (around it, INVISIBLE_EDGES are dropped). */
const NOT_IN_ADDRESS = /[\u0000-\u001f\u007f-\u009f\s]/;
/** Longest address accepted (RFC 5321: 64 + 1 + 255). */
export const EMAIL_MAX_LENGTH = 320;

/**
 * The account an identity provider's e-mail claim may name: the claim in the one spelling of normalizeEmail, when it is
 * one plain address — a string of at most 320 characters with one `@`, no control character nor inner space, that
 * compatibility normalisation leaves as it is. Case and spaces around are the project's rule (normalizeEmail); a
 * full-width or ligature look-alike (`ａｇｅｎｔ@…`) is another mailbox for the provider that vouched for it, so it
 * names no account. null otherwise.
 * @example assertedEmail(' Agent@X.fr ') // 'agent@x.fr'
 * @example assertedEmail('ａｇｅｎｔ@x.fr') // null
 * @example assertedEmail(['agent@x.fr']) // null
 */
export function assertedEmail(claim: unknown): string | null {
  if (typeof claim !== 'string') return null;
  const address = claim.replace(INVISIBLE_EDGES, '').normalize('NFC');
  if (address.length === 0 || address.length > EMAIL_MAX_LENGTH || NOT_IN_ADDRESS.test(address)) return null;
  if (!/^[^@]+@[^@]+$/.test(address) || address.normalize('NFKC') !== address) return null;
  return normalizeEmail(address);
}

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

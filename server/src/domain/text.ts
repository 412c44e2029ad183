/** Rules on free text typed by users. Pure code. */

/** Characters that end or break a line, or control a terminal: C0/C1 controls (CR, LF, tab…), U+2028, U+2029. */
const BREAKS_A_LINE = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;

/**
 * Whether a text fits on one line: a title that becomes an e-mail subject (a header) or a file name must hold no line
 * break nor control character.
 * @example isOneLine('Travaux rue Victor-Hugo') // true
 * @example isOneLine('Travaux\r\nBcc: tous@example.org') // false
 */
export function isOneLine(text: string): boolean {
  return text.search(BREAKS_A_LINE) === -1;
}

/**
 * The text on one line: each run of the characters `isOneLine` refuses becomes one space. What an e-mail subject (a
 * header) is made of when it leaves, whatever its source: the checks at write time come first, this is the last.
 * @example oneLine('Travaux\r\nBcc: tous@example.org') // 'Travaux Bcc: tous@example.org'
 */
export function oneLine(text: string): string {
  return text.replace(BREAKS_A_LINE, ' ');
}

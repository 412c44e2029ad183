/**
 * The one CSV writer of the API (French spreadsheet defaults: `;` separator, CRLF, UTF-8 with a BOM), safe to open in
 * a spreadsheet: every text cell is quoted (RFC 4180), and a formula can start nowhere. A spreadsheet may split a cell
 * again on `,`, tab or `;` (a "text import" with other separators), so a formula start (`= + - @`, tab, CR) is
 * neutralised with a `'` at the start of the cell AND after any separator or line break inside it.
 */

/** Separators a spreadsheet may split on, then spaces it may trim, then a formula start. */
const FORMULA_AFTER_SEPARATOR = /([,;\t\r\n][ \u00a0]*)([=+\-@\t\r])/g;
const FORMULA_AT_START = /^([ \u00a0]*)([=+\-@\t\r])/;

/**
 * One cell: numbers as they are (a number is never a formula: `-2.36` stays a number), anything else as quoted text
 * with formula starts neutralised; null and undefined as an empty cell.
 * @example csvCell('Poubelle,=1+1') // '"Poubelle,\'=1+1"'
 * @example csvCell(-2.5) // '-2.5'
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  let text = String(value).replace(FORMULA_AT_START, "$1'$2");
  // a tab or CR is a separator and a formula start at once ("a,\t=1"): repeat until nothing is left to neutralise
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(FORMULA_AFTER_SEPARATOR, "$1'$2");
  }
  return `"${text.replace(/"/g, '""')}"`;
}

/** A column: its header and how a row gives its value. */
export type CsvColumn<T> = readonly [header: string, value: (row: T) => unknown];

/**
 * The whole file: BOM, header line, one line per row, CRLF line ends.
 * @example toCsv([['ref', (r) => r.ref]], [{ ref: 'GUP-1' }]) // '\uFEFF"ref"\r\n"GUP-1"\r\n'
 */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const line = (cells: unknown[]) => cells.map(csvCell).join(';');
  const lines = [line(columns.map(([h]) => h)), ...rows.map((r) => line(columns.map(([, f]) => f(r))))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

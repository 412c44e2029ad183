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

/** Paris local time as French spreadsheets read it; one formatter for the process. */
const PARIS_DATE_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * A date cell: Europe/Paris local time, `dd/mm/yyyy hh:mm` (what a French spreadsheet recognises), empty when absent.
 * @example csvDateTime('2026-07-14T10:05:00Z') // '14/07/2026 12:05'
 */
export function csvDateTime(value: string | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  const parts = Object.fromEntries(PARIS_DATE_TIME.formatToParts(new Date(value)).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

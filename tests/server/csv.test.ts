import { describe, expect, it } from 'vitest';
import { csvCell, csvDateTime, toCsv } from '../../server/src/http/csv.js';

/** Splits a line as a spreadsheet that honours no quotes and splits on `sep` would: the pieces it would evaluate. */
const naivePieces = (line: string, sep: RegExp) => line.split(sep).map((p) => p.replace(/^[\s"]+/, ''));
const FORMULA_START = /^[=+\-@\t\r]/;

describe('CSV writer', () => {
  it.each([
    ['Poubelle,=1+1', '"Poubelle,\'=1+1"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+33 1 23', '"\'+33 1 23"'],
    ['-2', '"\'-2"'],
    ['@SUM(A1)', '"\'@SUM(A1)"'],
    ['\tcaché', '"\'\tcaché"'],
    ['a;=1+1', '"a;\'=1+1"'],
    ['a\t=1+1', '"a\t\'=1+1"'],
    ['a, =1+1', '"a, \'=1+1"'],
    ['ligne 1\r\n=1+1', '"ligne 1\r\n\'=1+1"'],
    ['Tag « gros » ; rue Victor-Hugo', '"Tag « gros » ; rue Victor-Hugo"'],
    ['', '""'],
  ])('when a text cell is %j, then it is quoted and no formula can start in it', (text, expected) => {
    expect(csvCell(text)).toBe(expected);
  });

  it('when a cell holds a formula after any separator, then no piece of any naive split starts a formula', () => {
    const nasty = ['Poubelle,=1+1', 'x;+cmd', 'x\t-2+3', 'x, @A1', 'x,\t=1', 'a,b;c\t=d', '=a,=b;=c'];
    for (const text of nasty) {
      const cell = csvCell(text);
      for (const sep of [/,/, /;/, /\t/, /\r?\n/]) {
        for (const piece of naivePieces(cell, sep)) expect(piece, `${text} split on ${sep}`).not.toMatch(FORMULA_START);
      }
    }
  });

  it('when a cell is a number, then it stays a number (a negative longitude is not a formula); null is empty', () => {
    expect(csvCell(-2.36)).toBe('-2.36');
    expect(csvCell(48.7)).toBe('48.7');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('when a file is written, then it has a BOM, quoted headers, `;` between cells and CRLF line ends', () => {
    const csv = toCsv<{ a: string; n: number }>([['ref', (r) => r.a], ['x', (r) => r.n]], [{ a: 'GUP-1', n: 1.5 }, { a: 'Poubelle,=1+1', n: -1 }]);
    expect(csv).toBe('\uFEFF"ref";"x"\r\n"GUP-1";1.5\r\n"Poubelle,\'=1+1";-1\r\n');
  });
});

describe('CSV dates', () => {
  it('when a date is written, then it is Paris local time as dd/mm/yyyy hh:mm, summer and winter', () => {
    expect(csvDateTime('2026-07-14T10:05:00Z')).toBe('14/07/2026 12:05');
    expect(csvDateTime(new Date('2026-12-31T23:30:00Z'))).toBe('01/01/2027 00:30');
    expect(csvDateTime(null)).toBe('');
  });
});

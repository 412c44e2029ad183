/**
 * The one spreadsheet (XLSX) writer of the API, beside the CSV writer: same columns, numbers as numbers, text as text
 * (a cell typed String is never a formula in XLSX). write-excel-file (one dependency, fflate).
 */
import writeXlsxFile from 'write-excel-file/node';
import type { CsvColumn } from './csv.js';

/** A workbook of one sheet: header row in bold, one row per item. */
export async function toXlsx<T>(columns: readonly CsvColumn<T>[], rows: readonly T[], sheet: string): Promise<Buffer> {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'number' && Number.isFinite(v)) return { type: Number, value: v };
    return { type: String, value: String(v) };
  };
  const data = [
    columns.map(([h]) => ({ type: String, value: h, fontWeight: 'bold' as const })),
    ...rows.map((r) => columns.map(([, f]) => cell(f(r)))),
  ];
  return writeXlsxFile(data as never, { sheet: sheet.slice(0, 31) }).toBuffer();
}

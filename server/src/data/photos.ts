import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

export interface PhotoRow {
  id: number;
  reportId: number;
  mime: string;
  data: Buffer;
  thumbnail: Buffer;
}

/** pg returns bytea as a Buffer, PGlite as a Uint8Array: the same bytes either way, not copied. */
const asBuffer = (v: Uint8Array): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));

/** One photo of one report (both ids must match: a photo id alone never reveals another report's photo). */
export async function findPhoto(db: Db, reportId: number, photoId: number): Promise<PhotoRow | null> {
  const row = await db('report_photos').where({ id: photoId, report_id: reportId })
    .first('id', 'report_id as reportId', 'mime', 'data', 'thumbnail');
  if (!row) return null;
  return { ...row, data: asBuffer(row.data), thumbnail: asBuffer(row.thumbnail) } as PhotoRow;
}

/** The photos of a report, without their bytes. */
export async function photosOf(db: Db, reportId: number): Promise<{ id: number; mime: string; width: number; height: number; createdAt: string }[]> {
  return db('report_photos').where({ report_id: reportId }).select('id', 'mime', 'width', 'height', 'created_at as createdAt');
}

import type { Knex } from 'knex';
import type { ConventionFact, ConventionInput, ConventionStatus, Obligation } from '../domain/conventions.js';

/** Signed conventions of active sub-sectors, as the lookup needs them (read with the territory snapshot). */
export const SIGNED_CONVENTIONS_SQL = `SELECT c.subsector_id, c.title, c.status, to_char(c.valid_from, 'YYYY-MM-DD') AS valid_from,
  to_char(c.valid_to, 'YYYY-MM-DD') AS valid_to, c.obligations
  FROM subsector_conventions c JOIN subsectors s ON s.id = c.subsector_id AND s.status = 'active'
  WHERE c.status = 'signed' ORDER BY c.subsector_id`;

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export function conventionFactOf(r: Record<string, unknown>): ConventionFact {
  return {
    subsectorId: Number(r.subsector_id),
    title: String(r.title),
    status: r.status as ConventionStatus,
    validFrom: (r.valid_from as string | null) ?? null,
    validTo: (r.valid_to as string | null) ?? null,
    obligations: json<Obligation[]>(r.obligations) ?? [],
  };
}

/** A convention as stored, without its document's bytes. */
export interface ConventionRow extends ConventionFact {
  parties: string[];
  document: { name: string; size: number; uploadedAt: string } | null;
  updatedBy: number | null;
  updatedAt: string;
}

/** The convention of a sub-sector, or null. */
export async function findConvention(knex: Knex, subsectorId: number): Promise<ConventionRow | null> {
  const { rows } = await knex.raw(
    `SELECT subsector_id, title, status, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to,
       obligations, parties, document_name, document_size, document_uploaded_at, updated_by, updated_at
     FROM subsector_conventions WHERE subsector_id = ?`,
    [subsectorId],
  );
  const r = rows[0] as Record<string, any> | undefined;
  if (!r) return null;
  return {
    ...conventionFactOf(r),
    parties: json<string[]>(r.parties) ?? [],
    document: r.document_name ? { name: r.document_name, size: Number(r.document_size), uploadedAt: new Date(r.document_uploaded_at).toISOString() } : null,
    updatedBy: r.updated_by ?? null,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** Creates or replaces a sub-sector's convention (its document is kept). */
export async function saveConvention(knex: Knex, subsectorId: number, c: ConventionInput, userId: number): Promise<void> {
  const row = {
    subsector_id: subsectorId, title: c.title, parties: JSON.stringify(c.parties), status: c.status, valid_from: c.validFrom, valid_to: c.validTo,
    obligations: JSON.stringify(c.obligations), updated_by: userId, updated_at: knex.fn.now(),
  };
  await knex('subsector_conventions').insert(row).onConflict('subsector_id').merge(['title', 'parties', 'status', 'valid_from', 'valid_to', 'obligations', 'updated_by', 'updated_at']);
}

/** Stores the signed document of an existing convention; false when there is none. */
export async function saveConventionDocument(knex: Knex, subsectorId: number, doc: { name: string; data: Buffer }, userId: number): Promise<boolean> {
  const n = await knex('subsector_conventions').where({ subsector_id: subsectorId }).update({
    document: doc.data, document_name: doc.name, document_size: doc.data.length, document_uploaded_at: knex.fn.now(), updated_by: userId, updated_at: knex.fn.now(),
  });
  return n > 0;
}

/** The signed document's bytes and name, or null. */
export async function conventionDocument(knex: Knex, subsectorId: number): Promise<{ name: string; data: Buffer } | null> {
  const r = (await knex('subsector_conventions').where({ subsector_id: subsectorId }).whereNotNull('document').first('document_name', 'document')) as { document_name: string; document: Buffer | Uint8Array } | undefined;
  return r ? { name: r.document_name, data: Buffer.from(r.document) } : null;
}

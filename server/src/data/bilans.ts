/** The annual review's own reads (DESIGN 3.5): the outlines drawn on its map. Figures come from `data/stats.ts`. */
import type { Knex } from 'knex';
import type { Geometry } from 'geojson';

type Db = Knex | Knex.Transaction;
const json = (v: unknown): Geometry => (typeof v === 'string' ? JSON.parse(v) : v) as Geometry;

/** The outline of the commune (or of every commune of the territory when `insee` is null) and the QPV inside it. */
export async function bilanOutlines(db: Db, insee: string | null): Promise<{ communes: Geometry[]; qpv: Geometry[] }> {
  const { rows } = await db.raw(
    `SELECT 'commune' AS kind, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00005), 6)::json AS g FROM communes WHERE (?::text IS NULL AND in_territory) OR insee = ?
     UNION ALL
     SELECT 'qpv', ST_AsGeoJSON(ST_SimplifyPreserveTopology(q.geom, 0.00002), 6)::json FROM qpv q
      WHERE ?::text IS NULL OR EXISTS (SELECT 1 FROM communes c WHERE c.insee = ? AND ST_Intersects(c.geom, q.geom))`,
    [insee, insee, insee, insee],
  );
  const of = (k: string) => (rows as { kind: string; g: unknown }[]).filter((r) => r.kind === k && r.g).map((r) => json(r.g));
  return { communes: of('commune'), qpv: of('qpv') };
}

export interface BilanTextRow {
  insee: string;
  draft: string;
  draftAt: string;
  validated: string | null;
  validatedAt: string | null;
}

const TEXT_SELECT = `commune_insee AS insee, draft, draft_at AS "draftAt", validated, validated_at AS "validatedAt"`;

/** The sections of a year, of one commune or of all. */
export async function bilanTexts(db: Db, year: number, insee: string | null): Promise<BilanTextRow[]> {
  const q = db('bilan_texts').select(db.raw(TEXT_SELECT)).where({ year }).orderBy('commune_insee');
  if (insee) q.andWhere({ commune_insee: insee });
  return (await q) as BilanTextRow[];
}

/** Writes the draft of a commune's section (creates it or replaces the draft; the validated text stays). */
export async function saveBilanDraft(db: Db, year: number, insee: string, text: string, userId: number): Promise<BilanTextRow> {
  const { rows } = await db.raw(
    `INSERT INTO bilan_texts (year, commune_insee, draft, draft_by, draft_at) VALUES (?, ?, ?, ?, now())
     ON CONFLICT (year, commune_insee) DO UPDATE SET draft = EXCLUDED.draft, draft_by = EXCLUDED.draft_by, draft_at = now()
     RETURNING ${TEXT_SELECT}`,
    [year, insee, text, userId],
  );
  return rows[0] as BilanTextRow;
}

/** Validates the current draft (it becomes the text every reader sees); null when there is no draft. */
export async function validateBilanDraft(db: Db, year: number, insee: string, userId: number): Promise<BilanTextRow | null> {
  const { rows } = await db.raw(
    `UPDATE bilan_texts SET validated = draft, validated_by = ?, validated_at = now() WHERE year = ? AND commune_insee = ? RETURNING ${TEXT_SELECT}`,
    [userId, year, insee],
  );
  return (rows[0] as BilanTextRow | undefined) ?? null;
}

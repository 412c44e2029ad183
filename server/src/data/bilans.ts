/**
 * The annual review's own reads (DESIGN 3.5): the outlines drawn on its map, the year's walking diagnoses and action-plan
 * items (whole years, never capped: the list APIs' caps would silently drop a busy year). Figures come from `data/stats.ts`.
 */
import type { Knex } from 'knex';
import type { Geometry } from 'geojson';
import type { DiagnosticScope } from '../domain/access.js';
import type { ActionStatus, ObservationOutcome } from '../domain/diagnostics.js';
import { actionOverdueSql, diagnosticPredicate } from './access.js';

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

export interface BilanSessionRow {
  title: string;
  heldOn: string;
  communeName: string;
  observations: number;
  /** Observations by outcome (outcomes without any are absent). */
  outcomes: Partial<Record<ObservationOutcome, number>>;
}

export interface BilanActionRow {
  title: string;
  status: ActionStatus;
  dueOn: string | null;
  communeName: string;
}

/** The calendar year as dates (`held_on`, `due_on`) and as instants (`created_at`, UTC like the stored timestamps' year). */
export const yearBounds = (year: number) => ({ first: `${year}-01-01`, last: `${year}-12-31`, start: `${year}-01-01T00:00:00Z`, end: `${year + 1}-01-01T00:00:00Z` });

/** `AND <alias>.commune_insee = ?` when one commune is reviewed. */
const communeFilter = (alias: string, insee: string | null) => (insee ? { sql: ` AND ${alias}.commune_insee = ?`, bindings: [insee] } : { sql: '', bindings: [] });

/**
 * The sessions held in `year` that `scope` reaches (of one commune when `insee` is given), oldest first, each with its
 * observations counted by outcome — one statement, the whole year.
 */
export async function bilanSessions(db: Db, scope: DiagnosticScope, year: number, insee: string | null): Promise<BilanSessionRow[]> {
  const visible = diagnosticPredicate(scope, 'd');
  const commune = communeFilter('d', insee);
  const y = yearBounds(year);
  const { rows } = await db.raw(
    `SELECT d.title, to_char(d.held_on, 'YYYY-MM-DD') AS "heldOn", m.name AS "communeName",
            coalesce(o.total, 0)::int AS observations, coalesce(o.outcomes, '{}'::json) AS outcomes
       FROM diagnostics d
       JOIN communes m ON m.insee = d.commune_insee
       LEFT JOIN LATERAL (
         SELECT sum(n)::int AS total, json_object_agg(outcome, n) AS outcomes
           FROM (SELECT outcome, count(*)::int AS n FROM diagnostic_observations WHERE diagnostic_id = d.id GROUP BY outcome) c
       ) o ON true
      WHERE ${visible.sql} AND d.held_on BETWEEN ?::date AND ?::date${commune.sql}
      ORDER BY d.held_on, d.id`,
    [...visible.bindings, y.first, y.last, ...commune.bindings],
  );
  return (rows as (BilanSessionRow & { outcomes: unknown })[]).map((r) => ({ ...r, outcomes: typeof r.outcomes === 'string' ? JSON.parse(r.outcomes) : r.outcomes }));
}

/**
 * The action-plan items that `scope` reaches (of one commune when `insee` is given) created or due in `year`, in the
 * action list's order (overdue first, then by due date) — one statement, the whole year.
 */
export async function bilanActions(db: Db, scope: DiagnosticScope, year: number, insee: string | null): Promise<BilanActionRow[]> {
  const visible = diagnosticPredicate(scope, 'a');
  const commune = communeFilter('a', insee);
  const y = yearBounds(year);
  const { rows } = await db.raw(
    `SELECT a.title, a.status, to_char(a.due_on, 'YYYY-MM-DD') AS "dueOn", m.name AS "communeName"
       FROM action_items a
       JOIN communes m ON m.insee = a.commune_insee
      WHERE ${visible.sql}${commune.sql}
        AND ((a.created_at >= ?::timestamptz AND a.created_at < ?::timestamptz) OR a.due_on BETWEEN ?::date AND ?::date)
      ORDER BY ${actionOverdueSql('a')} DESC, a.due_on NULLS LAST, a.id`,
    [...visible.bindings, ...commune.bindings, y.start, y.end, y.first, y.last],
  );
  return rows as BilanActionRow[];
}

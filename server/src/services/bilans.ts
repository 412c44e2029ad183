/**
 * The annual review (bilan, DESIGN 3.5) of a calendar year, for one commune or the territory: partners and perimeter,
 * activity by theme, QPV and month with the delays against commitments (the statistics of `data/stats.ts`, the same
 * functions as /api/stats), transfers and unresolved, recurring hotspots on a map. Scope follows `reportScope`: a
 * commune user reads its own commune's bilan only; officers, admins and planners any commune or the territory.
 */
import type { FeatureCollection, Geometry } from 'geojson';
import { bilanActions, bilanOutlines, bilanSessions, bilanTexts, saveBilanDraft, validateBilanDraft, yearBounds } from '../data/bilans.js';
import { audit } from '../data/users.js';
import { BILAN_TEXT_MAX, canValidateBilanText, canWriteBilanText } from '../domain/bilans.js';
import type { Database } from '../data/db.js';
import { hotspots, type StatsMeasures } from '../data/stats.js';
import type { SessionUser } from '../data/users.js';
import { reportScope, type ReportScope } from '../domain/access.js';
import { HOTSPOT_DEFAULT_MIN, type StatsDimension } from '../domain/stats.js';
import { AppError, forbidden, notFound } from '../http/errors.js';
import { requireTerritory } from './territory.js';
import { outcomeFlips } from '../data/subsectors.js';
import { diagnosticScope } from '../domain/access.js';
import { ACTION_STATUSES, ACTION_STATUS_LABELS, OBSERVATION_OUTCOMES, OUTCOME_LABELS } from '../domain/diagnostics.js';
import type { StatsRowView } from '../domain/api.js';
import { statsFor, todayInParis } from './stats.js';
import type { WorkSlots } from '../http/work-slots.js';

export const BILAN_FIRST_YEAR = 2000;

export interface Bilan {
  year: number;
  /** The commune reviewed, or null for the whole territory. */
  commune: { insee: string; name: string } | null;
  territory: string;
  asOf: string;
  partners: string[];
  perimeter: { communes: string[]; qpv: number };
  totals: StatsMeasures;
  byTheme: StatsRowView[];
  byQpv: StatsRowView[];
  byMonth: StatsRowView[];
  hotspots: FeatureCollection;
  hotspotMin: number;
  outlines: { communes: Geometry[]; qpv: Geometry[] };
  /** The communes' free-text sections: the validated text for every reader, the draft for its commune and officers. */
  texts: BilanText[];
  /** Walking diagnoses held in the year, with what became of their observations (label → count). */
  diagnostics: { title: string; heldOn: string; commune: string; observations: number; outcomes: Record<string, number> }[];
  /** Action-plan items created or due in the year, by status label. */
  actions: { total: number; byStatus: Record<string, number>; items: { title: string; status: string; dueOn: string | null; commune: string }[] };
  /** Sub-sector decisions of the year (outcome or delegate flips); the territory's bilan only (sub-sectors have no commune). */
  subsectorFlips: { name: string; at: string; from: string; to: string }[];
}

export interface BilanText {
  insee: string;
  name: string;
  validated: string | null;
  validatedAt: string | null;
  /** The draft, when the reader may write it and it differs from the validated text. */
  draft?: string;
  draftAt?: string;
}

/** The commune whose bilan the caller asks (its own when omitted), or null for the territory; 403/404 otherwise. */
function bilanCommune(user: SessionUser, scope: ReportScope, asked: string | undefined): string | null {
  if (scope.kind === 'all') return asked ?? null;
  if (scope.kind === 'commune') {
    if (asked && asked !== scope.insee) throw forbidden('Le bilan d\'une autre commune ne vous est pas accessible');
    return scope.insee;
  }
  throw forbidden(`Le bilan est réservé aux communes et à la mission GUP (${user.role})`);
}

/** Checks the year: from BILAN_FIRST_YEAR to the current one (400 naming `year`). */
export function bilanYear(text: string): number {
  const year = Number(text);
  const current = Number(todayInParis().slice(0, 4));
  if (!/^\d{4}$/.test(text) || year < BILAN_FIRST_YEAR || year > current) {
    throw new AppError(400, 'invalid_input', `Année invalide : de ${BILAN_FIRST_YEAR} à ${current}`, [{ field: 'year', message: `année de ${BILAN_FIRST_YEAR} à ${current}` }]);
  }
  return year;
}

/**
 * The bilan of a year for one commune or the territory, as the caller may read it: who may read it is decided first
 * (403 even while the caller's slots are taken), then it is computed in one of the caller's document slots (`slots`,
 * the app's `documents`: 429 while two of theirs run, 503 when the server runs four).
 */
export async function bilanFor(db: Database, slots: WorkSlots, user: SessionUser, year: number, communeAsked: string | undefined): Promise<Bilan> {
  const insee = bilanCommune(user, reportScope(user), communeAsked);
  return slots.run(user.id, () => computeBilan(db, user, year, insee));
}

async function computeBilan(db: Database, user: SessionUser, year: number, insee: string | null): Promise<Bilan> {
  const { knex } = db;
  const scope = reportScope(user);
  const t = await requireTerritory(db);
  const commune = insee ? t.communes.find((c) => c.insee === insee) : null;
  if (insee && !commune) throw notFound('Commune', [{ field: 'commune', message: `commune inconnue « ${insee} »` }]);
  const period = { from: `${year}-01-01`, to: `${year}-12-31` };
  const filters = insee ? { commune: insee } : {};
  const by = (groupBy: StatsDimension) => statsFor(knex, user, { period, groupBy, filters, live: false });
  const [theme, qpv, month, hot, outlines] = await Promise.all([
    by('theme'), by('qpv'), by('month'),
    hotspots(knex, scope, period, HOTSPOT_DEFAULT_MIN, filters),
    bilanOutlines(knex, insee),
  ]);
  const dScope = diagnosticScope(user);
  const [sessions, actionRows] = dScope.kind === 'none' ? [[], []] : await Promise.all([bilanSessions(knex, dScope, year, insee), bilanActions(knex, dScope, year, insee)]);
  const diagnostics = sessions.map((d) => ({
    title: d.title, heldOn: d.heldOn, commune: d.communeName, observations: d.observations,
    outcomes: Object.fromEntries(OBSERVATION_OUTCOMES.filter((o) => d.outcomes[o]).map((o) => [OUTCOME_LABELS[o], d.outcomes[o]!])),
  }));
  const actions = {
    total: actionRows.length,
    byStatus: Object.fromEntries(ACTION_STATUSES.map((st) => [ACTION_STATUS_LABELS[st], actionRows.filter((a) => a.status === st).length])),
    items: actionRows.map((a) => ({ title: a.title, status: ACTION_STATUS_LABELS[a.status], dueOn: a.dueOn, commune: a.communeName })),
  };
  const org = new Map(t.organisations.map((o) => [o.code, o.name]));
  const decision = (x: { outcome: string; delegate: string | null }) => (x.outcome === 'delegated' ? `déléguée à ${org.get(x.delegate ?? '') ?? x.delegate}` : 'gestion partagée');
  const subsectorFlips = insee ? [] : (await outcomeFlips(knex, yearBounds(year))).map((f) => ({ name: f.name, at: new Date(f.at).toISOString().slice(0, 10), from: decision(f.from), to: decision(f.to) }));
  const names = new Map(t.communes.map((c) => [c.insee, c.name]));
  const texts = (await bilanTexts(knex, year, insee)).flatMap((r): BilanText[] => {
    const draft = canWriteBilanText(user, r.insee) && r.draft !== r.validated ? { draft: r.draft, draftAt: r.draftAt } : {};
    return r.validated !== null || draft.draft !== undefined ? [{ insee: r.insee, name: names.get(r.insee) ?? r.insee, validated: r.validated, validatedAt: r.validatedAt, ...draft }] : [];
  });
  const perimeter = insee ? [commune!.name] : t.communes.filter((c) => c.inTerritory).map((c) => c.name);
  return {
    year, commune: commune ? { insee: commune.insee, name: commune.name } : null, territory: t.name, asOf: theme.asOf,
    partners: t.organisations.filter((o) => !o.insee || !insee || o.insee === insee).map((o) => o.name),
    perimeter: { communes: perimeter, qpv: outlines.qpv.length },
    totals: theme.totals, byTheme: theme.rows, byQpv: qpv.rows, byMonth: month.rows,
    hotspots: hot as FeatureCollection, hotspotMin: HOTSPOT_DEFAULT_MIN, outlines, texts, diagnostics, actions, subsectorFlips,
  };
}

/** The French headings of the bilan's figures (HTML, PDF and CSV say the same). */
export const BILAN_LABELS = {
  key: 'Regroupement',
  received: 'Signalements reçus',
  ackOnTimeRate: 'Pris en compte dans les délais',
  resolvedOnTimeRate: 'Résolus dans les délais',
  transfers: 'Transferts',
  backlog: 'Non résolus en fin d\'année',
} as const;

/** A rate as a French percentage, "—" when nothing was due. */
export const bilanRate = (r: number | null): string => (r === null ? '—' : `${(r * 100).toFixed(1).replace('.', ',')} %`);

/** The bilan as CSV rows: one per section and group, with the totals first. */
export function bilanCsvRows(b: Bilan): { section: string; key: string; label: string; m: StatsMeasures }[] {
  const scopeName = b.commune ? b.commune.name : b.territory;
  return [
    { section: 'total', key: b.commune?.insee ?? 'territoire', label: scopeName, m: b.totals },
    ...b.byTheme.map((r) => ({ section: 'thematique', key: r.key ?? '', label: r.label, m: r })),
    ...b.byQpv.map((r) => ({ section: 'qpv', key: r.key ?? '', label: r.label, m: r })),
    ...b.byMonth.map((r) => ({ section: 'mois', key: r.key ?? '', label: r.label, m: r })),
  ];
}

/** The commune of a section, known to the territory (404 naming `insee`). */
async function sectionCommune(db: Database, insee: string): Promise<void> {
  const t = await requireTerritory(db);
  if (!t.communes.some((c) => c.insee === insee)) throw notFound('Commune', [{ field: 'insee', message: `commune inconnue « ${insee} »` }]);
}

/** Writes a commune's draft section (its commune users, officers, admins); audited. */
export async function writeBilanText(db: Database, user: SessionUser, year: number, insee: string, text: string) {
  if (!canWriteBilanText(user, insee)) throw forbidden('Seuls la commune et la mission GUP rédigent cette section');
  await sectionCommune(db, insee);
  if (text.length > BILAN_TEXT_MAX) throw new AppError(400, 'invalid_input', `Texte trop long (${BILAN_TEXT_MAX} caractères au plus)`, [{ field: 'text', message: 'trop long' }]);
  return db.knex.transaction(async (trx) => {
    const row = await saveBilanDraft(trx, year, insee, text, user.id);
    await audit(trx, { userId: user.id, action: 'bilan.text.write', entity: 'bilan_text', entityId: `${year}/${insee}`, details: { length: text.length } });
    return row;
  });
}

/** Validates a commune's draft (officers, admins); 409 when nothing was written; audited. */
export async function validateBilanText(db: Database, user: SessionUser, year: number, insee: string) {
  if (!canValidateBilanText(user)) throw forbidden('Seule la mission GUP valide les sections des communes');
  await sectionCommune(db, insee);
  return db.knex.transaction(async (trx) => {
    const row = await validateBilanDraft(trx, year, insee, user.id);
    if (!row) throw new AppError(409, 'conflict', 'Aucun texte rédigé à valider pour cette commune et cette année');
    await audit(trx, { userId: user.id, action: 'bilan.text.validate', entity: 'bilan_text', entityId: `${year}/${insee}` });
    return row;
  });
}

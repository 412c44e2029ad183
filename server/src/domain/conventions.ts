/**
 * Sub-sector management conventions (cahiers des charges localisés, DESIGN 3.8): while signed and valid, an
 * obligation for a theme overrides the lookup inside its sub-sector (before the delegation rule) and the category's
 * delay. Pure code, shared by the server (lookup, report intake, the convention's API) and the client.
 */

export const CONVENTION_STATUSES = ['draft', 'signed', 'expired'] as const;
export type ConventionStatus = (typeof CONVENTION_STATUSES)[number];

export const CONVENTION_STATUS_LABELS: Record<ConventionStatus, string> = { draft: 'Projet', signed: 'Signée', expired: 'Échue' };

/** One obligation: theme × task × responsible service × frequency × intervention delay (hours). */
export interface Obligation {
  theme: string;
  task: string;
  service: string;
  frequency: string;
  delayHours: number;
}

/** A convention as written by a planner (`PUT /api/subsectors/:id/convention`), the same type for the client's form. */
export interface ConventionInput {
  title: string;
  parties: string[];
  status: ConventionStatus;
  validFrom: string | null;
  validTo: string | null;
  obligations: Obligation[];
}

/** What the lookup needs of a convention (no document, no parties). */
export interface ConventionFact {
  subsectorId: number;
  title: string;
  status: ConventionStatus;
  /** First and last day of validity, `YYYY-MM-DD` in Paris time; null: open-ended on that side. */
  validFrom: string | null;
  validTo: string | null;
  obligations: readonly Obligation[];
}

/** Day in Paris time as `YYYY-MM-DD` (en-CA writes ISO dates); one formatter for the process. */
const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * The Paris calendar day of an instant.
 * @example parisDay(new Date('2026-12-31T23:30:00Z')) // '2027-01-01'
 */
export function parisDay(at: Date): string {
  return PARIS_DAY.format(at);
}

/**
 * The status a convention has on a day: a signed convention past its last day is expired, whatever is stored.
 * @example conventionStatusAt({ status: 'signed', validFrom: '2026-01-01', validTo: '2026-06-30' }, new Date('2026-07-01T10:00:00Z')) // 'expired'
 */
export function conventionStatusAt(c: Pick<ConventionFact, 'status' | 'validFrom' | 'validTo'>, at: Date): ConventionStatus {
  if (c.status !== 'signed') return c.status;
  return c.validTo !== null && parisDay(at) > c.validTo ? 'expired' : 'signed';
}

/**
 * Whether a convention binds on this instant: signed, its first day reached and its last day not passed (Paris days).
 * @example conventionInForce({ status: 'signed', validFrom: '2026-01-01', validTo: null }, new Date('2026-03-01T00:00:00Z')) // true
 */
export function conventionInForce(c: Pick<ConventionFact, 'status' | 'validFrom' | 'validTo'>, at: Date): boolean {
  if (c.status !== 'signed') return false;
  const day = parisDay(at);
  return (c.validFrom === null || c.validFrom <= day) && (c.validTo === null || day <= c.validTo);
}

/**
 * The obligation of a theme that routes and times its reports: a convention names one service per theme
 * (`checkConvention`), but may list several tasks for it (sweeping, bulky waste…); a report does not say which task it
 * concerns, so the most demanding one binds — the shortest delay, the first listed on a tie. Null when none is for the theme.
 * @example themeObligation([{ theme: 'proprete', task: 'Balayage', delayHours: 48, … }, { theme: 'proprete', task: 'Encombrants', delayHours: 24, … }], 'proprete')?.task // 'Encombrants'
 */
export function themeObligation(obligations: readonly Obligation[], themeCode: string): Obligation | null {
  let best: Obligation | null = null;
  for (const o of obligations) if (o.theme === themeCode && (best === null || o.delayHours < best.delayHours)) best = o;
  return best;
}

/**
 * The obligation that routes a theme in the convention's sub-sector now (`themeObligation`), when the convention is in
 * force; otherwise null.
 * @example bindingObligation(conv, 'proprete', new Date())?.service // 'oph-proximite'
 */
export function bindingObligation(c: ConventionFact | null | undefined, themeCode: string, at: Date): Obligation | null {
  if (!c || !conventionInForce(c, at)) return null;
  return themeObligation(c.obligations, themeCode);
}

/** Why a convention cannot be saved as given: reason constants the API and the UI share. */
export const CONVENTION_REASONS = {
  signedNeedsDates: 'une convention signée doit avoir une date de début',
  datesOrder: 'la date de fin précède la date de début',
  signedNeedsParties: 'une convention signée doit nommer au moins deux parties',
  signedNeedsObligations: 'une convention signée doit porter au moins une obligation',
  sameTask: 'reprend une autre obligation (même thème, même tâche)',
  twoServices: 'un thème est confié à un seul service par convention (les signalements sont orientés par thème)',
} as const;

const taskKey = (task: string) => task.normalize('NFD').replace(/\p{M}/gu, '').replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * The first obligation that conflicts with an earlier one of the same theme: the same task again (accents, case and
 * spaces ignored), or another service — a convention gives each theme to one service, the one its reports go to.
 * Several tasks of one theme for the same service are fine (the most demanding binds: `themeObligation`).
 * @example obligationConflict([{ theme: 'proprete', service: 'a', task: 'Balayage', … }, { theme: 'proprete', service: 'b', task: 'Encombrants', … }]) // { index: 1, with: 0, field: 'service', … }
 */
export function obligationConflict(obligations: readonly Obligation[]): { index: number; with: number; field: 'task' | 'service'; reason: string } | null {
  for (let i = 1; i < obligations.length; i++) {
    const o = obligations[i]!;
    for (let j = 0; j < i; j++) {
      const p = obligations[j]!;
      if (p.theme !== o.theme) continue;
      if (taskKey(p.task) === taskKey(o.task)) return { index: i, with: j, field: 'task', reason: CONVENTION_REASONS.sameTask };
      if (p.service !== o.service) return { index: i, with: j, field: 'service', reason: CONVENTION_REASONS.twoServices };
    }
  }
  return null;
}

/**
 * Checks a convention's coherence (its codes are checked against the configuration by the caller):
 * `{ valid: true }` or the first problem with its field.
 * @example checkConvention({ status: 'signed', validFrom: null, validTo: null, parties: ['a', 'b'], obligations: [o] }) // { valid: false, field: 'validFrom', reason: … }
 */
export function checkConvention(c: { status: ConventionStatus; validFrom: string | null; validTo: string | null; parties: readonly string[]; obligations: readonly Obligation[] }):
  { valid: true } | { valid: false; field: string; reason: string } {
  if (c.validFrom !== null && c.validTo !== null && c.validTo < c.validFrom) return { valid: false, field: 'validTo', reason: CONVENTION_REASONS.datesOrder };
  const conflict = obligationConflict(c.obligations);
  if (conflict) {
    const [o, p] = [c.obligations[conflict.index]!, c.obligations[conflict.with]!];
    const n = `l'obligation n° ${conflict.index + 1}`;
    return {
      valid: false, field: `obligations.${conflict.index}.${conflict.field}`,
      reason: conflict.field === 'task'
        ? `${n} ${CONVENTION_REASONS.sameTask} : l'obligation n° ${conflict.with + 1} (thème « ${p.theme} », tâche « ${p.task} »)`
        : `${n} confie le thème « ${o.theme} » à « ${o.service} », l'obligation n° ${conflict.with + 1} (« ${p.task} ») à « ${p.service} » : ${CONVENTION_REASONS.twoServices}`,
    };
  }
  if (c.status === 'signed') {
    if (c.validFrom === null) return { valid: false, field: 'validFrom', reason: CONVENTION_REASONS.signedNeedsDates };
    if (new Set(c.parties).size < 2) return { valid: false, field: 'parties', reason: CONVENTION_REASONS.signedNeedsParties };
    if (c.obligations.length === 0) return { valid: false, field: 'obligations', reason: CONVENTION_REASONS.signedNeedsObligations };
  }
  return { valid: true };
}

/** Longest file name kept for a signed document (characters). */
export const DOCUMENT_NAME_MAX = 200;
/** Invisible characters dropped from a file name: controls and format characters (bidi overrides, zero-width). */
const INVISIBLE_IN_NAME = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** Characters that would make a name a path or break a quoted header value. */
const PATH_OR_QUOTE = /[\\/"]/g;

/**
 * The file name a signed document is stored and downloaded under: the uploader's, with invisible characters dropped
 * (a right-to-left override can dress `fdp.exe` as `exe.pdf`), path separators and quotes turned into `_`, at most
 * DOCUMENT_NAME_MAX characters, always ending in `.pdf` (the bytes were checked to be a PDF); `fallback` when nothing is left.
 * @example documentFileName('convention\u202Efdp.exe', 'convention-3.pdf') // 'conventionfdp.exe.pdf'
 * @example documentFileName('../../etc/passwd', 'convention-3.pdf') // '.._.._etc_passwd.pdf'
 * @example documentFileName('  ', 'convention-3.pdf') // 'convention-3.pdf'
 */
export function documentFileName(raw: string | undefined, fallback: string): string {
  const cleaned = (raw ?? '').normalize('NFC').replace(INVISIBLE_IN_NAME, '').replace(PATH_OR_QUOTE, '_').trim();
  if (!cleaned) return fallback;
  const pdf = /\.pdf$/i.test(cleaned) ? cleaned : `${cleaned}.pdf`;
  const chars = Array.from(pdf);
  return chars.length <= DOCUMENT_NAME_MAX ? pdf : `${chars.slice(0, DOCUMENT_NAME_MAX - 4).join('')}.pdf`;
}

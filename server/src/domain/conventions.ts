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
 * The obligation that routes a theme in the convention's sub-sector now: the first one listed for the theme, when the
 * convention is in force; otherwise null.
 * @example bindingObligation(conv, 'proprete', new Date())?.service // 'oph-proximite'
 */
export function bindingObligation(c: ConventionFact | null | undefined, themeCode: string, at: Date): Obligation | null {
  if (!c || !conventionInForce(c, at)) return null;
  return c.obligations.find((o) => o.theme === themeCode) ?? null;
}

/** Why a convention cannot be saved as given: reason constants the API and the UI share. */
export const CONVENTION_REASONS = {
  signedNeedsDates: 'une convention signée doit avoir une date de début',
  datesOrder: 'la date de fin précède la date de début',
  signedNeedsParties: 'une convention signée doit nommer au moins deux parties',
  signedNeedsObligations: 'une convention signée doit porter au moins une obligation',
} as const;

/**
 * Checks a convention's coherence (its codes are checked against the configuration by the caller):
 * `{ valid: true }` or the first problem with its field.
 * @example checkConvention({ status: 'signed', validFrom: null, validTo: null, parties: ['a', 'b'], obligations: [o] }) // { valid: false, field: 'validFrom', reason: … }
 */
export function checkConvention(c: { status: ConventionStatus; validFrom: string | null; validTo: string | null; parties: readonly string[]; obligations: readonly Obligation[] }):
  { valid: true } | { valid: false; field: string; reason: string } {
  if (c.validFrom !== null && c.validTo !== null && c.validTo < c.validFrom) return { valid: false, field: 'validTo', reason: CONVENTION_REASONS.datesOrder };
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

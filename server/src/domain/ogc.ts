/**
 * The query parameters of OGC API – Features (Part 1 Core) as pure parsers: `bbox`, `datetime`, `limit`, and the
 * opaque keyset cursor of the `next` links. Each answers `{ ok: true, value }` or `{ ok: false, message }` (French,
 * naming what is wrong), so that the route can answer a 400 naming the parameter.
 */
import { isRfc3339 } from './cql2.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** The page size: default 100, at most 10 000 (DESIGN 3.9). */
export const OGC_LIMITS = Object.freeze({ defaultLimit: 100, maxLimit: 10_000, maxCursorLength: 200 });

/** WGS84 longitude/latitude, the only CRS served (CRS84). */
export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

/**
 * `limit`: an integer from 1 to 10 000; absent → 100.
 * @example parseLimit('250') // { ok: true, value: 250 }
 */
export function parseLimit(text: string | undefined): Parsed<number> {
  if (text === undefined) return ok(OGC_LIMITS.defaultLimit);
  if (!/^\d{1,6}$/.test(text)) return fail('entier attendu');
  const n = Number(text);
  if (n < 1 || n > OGC_LIMITS.maxLimit) return fail(`entre 1 et ${OGC_LIMITS.maxLimit}`);
  return ok(n);
}

/**
 * `bbox`: `ouest,sud,est,nord` in WGS84 degrees (6 numbers with heights are accepted, heights ignored); the box must
 * not cross the antimeridian.
 * @example parseBbox('2.35,48.69,2.37,48.71') // { ok: true, value: [2.35, 48.69, 2.37, 48.71] }
 */
export function parseBbox(text: string): Parsed<[number, number, number, number]> {
  if (text.length > 200) return fail('trop long');
  const parts = text.split(',');
  if (parts.length !== 4 && parts.length !== 6) return fail('4 nombres attendus : ouest,sud,est,nord');
  const n = parts.map((p) => (/^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(p) ? Number(p) : NaN));
  if (n.some((x) => !Number.isFinite(x))) return fail('nombres attendus : ouest,sud,est,nord');
  const [w, s, e, no] = parts.length === 4 ? n : [n[0]!, n[1]!, n[3]!, n[4]!];
  if ([w, e].some((x) => x! < -180 || x! > 180) || [s, no].some((y) => y! < -90 || y! > 90)) return fail('longitudes dans [-180, 180], latitudes dans [-90, 90]');
  if (s! > no!) return fail('le sud doit être au plus le nord');
  if (w! > e!) return fail('une boîte qui traverse l\'antiméridien n\'est pas prise en charge');
  return ok([w!, s!, e!, no!]);
}

/** A time interval, bounds included, null for an open end; ISO 8601 instants in UTC. */
export interface Interval {
  start: string | null;
  end: string | null;
}

/**
 * `datetime`: an instant, or an interval `début/fin` with `..` (or nothing) for an open end (RFC 3339). A date alone
 * is the whole day (UTC): as an instant, from its 00:00 to its 23:59:59.999; as an interval's end, up to its end.
 * @example parseDatetime('2026-01-01/..') // { ok: true, value: { start: '2026-01-01T00:00:00.000Z', end: null } }
 */
export function parseDatetime(text: string): Parsed<Interval> {
  if (text.length > 100) return fail('trop long');
  const parts = text.split('/');
  if (parts.length > 2) return fail('instant ou intervalle début/fin attendu');
  const bound = (s: string, edge: 'start' | 'end'): Parsed<string | null> => {
    if (parts.length === 2 && (s === '..' || s === '')) return ok(null);
    const dateOnly = isRfc3339(s, true);
    if (!dateOnly && !isRfc3339(s, false)) return fail(`date RFC 3339 attendue (AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ssZ), reçu « ${s.slice(0, 40)} »`);
    const t = new Date(dateOnly ? `${s}T00:00:00Z` : s).getTime();
    return ok(new Date(dateOnly && edge === 'end' ? t + 86_400_000 - 1 : t).toISOString());
  };
  if (parts.length === 1) {
    const start = bound(parts[0]!, 'start');
    const end = bound(parts[0]!, 'end');
    if (!start.ok) return start;
    if (!end.ok) return end;
    return ok({ start: start.value, end: end.value });
  }
  const start = bound(parts[0]!, 'start');
  if (!start.ok) return start;
  const end = bound(parts[1]!, 'end');
  if (!end.ok) return end;
  if (start.value === null && end.value === null) return fail('au moins une borne est nécessaire');
  if (start.value && end.value && start.value > end.value) return fail('le début doit précéder la fin');
  return ok({ start: start.value, end: end.value });
}

/**
 * The keyset cursor of a `next` link: the last key of the page, opaque to the client (base64url of its JSON).
 * @example encodeCursor('910270000A0020') // 'IjkxMDI3MDAwMEEwMDIwIg'
 */
export function encodeCursor(key: string | number): string {
  const text = JSON.stringify(key);
  return btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The key a cursor carries, of the collection's key type (`integer` ids ≥ 1, or `string` keys of at most 64
 * characters); anything else is refused.
 * @example decodeCursor(encodeCursor(42), 'integer') // { ok: true, value: 42 }
 */
export function decodeCursor(cursor: string, type: 'integer' | 'string'): Parsed<string | number> {
  if (cursor.length > OGC_LIMITS.maxCursorLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) return fail('curseur invalide');
  let key: unknown;
  try {
    const bytes = Uint8Array.from(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    key = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail('curseur invalide');
  }
  if (type === 'integer' && Number.isSafeInteger(key) && (key as number) >= 0) return ok(key as number);
  if (type === 'string' && typeof key === 'string' && key.length <= 64 && !key.includes('\u0000')) return ok(key);
  return fail('curseur invalide');
}

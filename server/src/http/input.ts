import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from './errors.js';

/** The largest value of a PostgreSQL `integer` (the `serial` ids of every table). */
export const MAX_ID = 2_147_483_647;

/** A database id as a JSON number: a whole number from 1 to MAX_ID. */
export const idValue = z.number().int('identifiant : entier attendu').min(1, 'identifiant : entier positif attendu').max(MAX_ID, `identifiant : au plus ${MAX_ID}`);

/** A database id as written in a path or a query string: digits only (no sign, point, exponent or space), 1 to MAX_ID. */
export const idParam = z.string({ error: 'identifiant : un seul entier positif attendu' })
  .regex(/^\d{1,10}$/, 'identifiant : entier positif attendu (chiffres seulement)')
  .transform(Number)
  .pipe(idValue);

/**
 * The one parser of ids in paths and query strings: the id, or a 400 naming the field.
 * @example parseId('42', 'id', 'Identifiant de signalement invalide') // 42
 * @example parseId('2147483648', 'id', '…') // throws AppError 400 { field: 'id' }
 */
export function parseId(raw: unknown, field: string, message: string): number {
  const r = idParam.safeParse(raw);
  if (!r.success) throw new AppError(400, 'invalid_input', message, [{ field, message: r.error.issues[0]?.message ?? 'identifiant invalide' }]);
  return r.data;
}

const NUL = '\u0000';

/**
 * Where a NUL byte hides in a parsed value (strings, keys, arrays, objects at any depth): the dotted path of the first
 * one (`prefix` for the value itself), or null. Iterative: a deeply nested body cannot overflow the stack.
 * @example nulField({ a: [{ b: 'x\u0000' }] }) // 'a.0.b'
 */
export function nulField(value: unknown, prefix = ''): string | null {
  const stack: [unknown, string][] = [[value, prefix]];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes(NUL)) return path || '(valeur)';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], join(path, String(i))]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes(NUL)) return join(path, k.replaceAll(NUL, '\\u0000'));
        stack.push([child, join(path, k)]);
      }
    }
  }
  return null;
}

/** The 400 for a NUL byte in a field (PostgreSQL refuses them in text: 22021). */
export function nulByteError(field: string): AppError {
  return new AppError(400, 'invalid_input', `Caractère nul (U+0000) interdit dans « ${field} »`, [{ field, message: 'caractère nul (U+0000) interdit' }]);
}

/** Throws nulByteError when the path (as sent: `%00`), the query string or the parsed body carries a NUL byte. */
export function assertNoNul(input: { path?: string; query?: unknown; body?: unknown }): void {
  if (input.path !== undefined && (input.path.includes('%00') || input.path.includes(NUL))) throw nulByteError('path');
  const inQuery = nulField(input.query);
  if (inQuery !== null) throw nulByteError(inQuery);
  const inBody = nulField(input.body);
  if (inBody !== null) throw nulByteError(inBody);
}

/**
 * Express middleware: no NUL byte in the path, the query string or the body parsed so far (JSON, a form). Mounted after
 * each body parser (express.json globally, the Open311 form parser, the multipart parser of reports).
 */
export const rejectNulBytes: RequestHandler = (req, _res, next) => {
  assertNoNul({ path: req.path, query: req.query, body: req.body as unknown });
  next();
};

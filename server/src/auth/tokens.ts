import crypto from 'node:crypto';
import { API_TOKEN_PREFIX } from '../domain/tokens.js';

/** The prefix and 32 random bytes in base64url (43 characters). */
const API_TOKEN_PATTERN = new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

/** A new personal API token: the prefix and 32 random bytes (base64url). Shown once; only its SHA-256 is stored. */
export function newApiToken(): string {
  return API_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/**
 * The personal API token of an `Authorization` header: undefined when the header is absent or names another scheme
 * (the request may still carry a session cookie), null when it is a Bearer header whose value is not a GUP token
 * (malformed, too long, foreign characters: refused without asking the database).
 * @example bearerToken('Bearer gup_pat_' + 'a'.repeat(43)) // 'gup_pat_aaa…'
 * @example bearerToken('Bearer nope') // null
 * @example bearerToken('Basic dXNlcjpwdw==') // undefined
 */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bearer(?:\s+(.*))?$/is.exec(header);
  if (!m) return undefined;
  const value = (m[1] ?? '').trim();
  return API_TOKEN_PATTERN.test(value) ? value : null;
}

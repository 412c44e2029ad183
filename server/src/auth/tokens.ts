import crypto from 'node:crypto';
import { API_TOKEN_PREFIX } from '../domain/tokens.js';

/** The prefix and 32 random bytes in base64url (43 characters). */
const API_TOKEN_PATTERN = new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);
/** A Bearer header whose value claims to be a GUP token (by its prefix). */
const GUP_BEARER = new RegExp(`^\\s*bearer\\s+(${API_TOKEN_PREFIX}.*)$`, 'is');

/** A new personal API token: the prefix and 32 random bytes (base64url). Shown once; only its SHA-256 is stored. */
export function newApiToken(): string {
  return API_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/**
 * The personal API token of an `Authorization` header: undefined when the header is absent, names another scheme, or
 * carries a Bearer value that is not GUP's (no `gup_pat_` prefix: a proxy's or another system's credential — the request
 * may still carry a session cookie); null when it is a GUP token that is malformed (wrong length, foreign characters:
 * refused without asking the database).
 * @example bearerToken('Bearer gup_pat_' + 'a'.repeat(43)) // 'gup_pat_aaa…'
 * @example bearerToken('Bearer gup_pat_nope') // null
 * @example bearerToken('Bearer eyJhbGciOi…') // undefined
 * @example bearerToken('Basic dXNlcjpwdw==') // undefined
 */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  const m = GUP_BEARER.exec(header);
  if (!m) return undefined;
  const value = m[1]!.trim();
  return API_TOKEN_PATTERN.test(value) ? value : null;
}

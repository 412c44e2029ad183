/** Personal API tokens (DESIGN 3.9) as the API shows them to their owner: the shapes shared by server and client. */

/** A token as its owner sees it in the list: never the secret, nor its hash. Dates are ISO 8601. */
export interface ApiTokenInfo {
  id: number;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** null: never expires. */
  expiresAt: string | null;
}

/** The answer to a token's creation: what is kept, and the secret, shown this once. */
export interface CreatedApiToken extends ApiTokenInfo {
  token: string;
}

/** Every personal API token starts with it: recognisable in a leaked file, by secret scanners, and in a header. */
export const API_TOKEN_PREFIX = 'gup_pat_';

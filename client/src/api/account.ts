/** The signed-in user's own account: personal API tokens and single sign-on (DESIGN 3.9). */
import type { ApiTokenInfo, CreatedApiToken } from '@gup/server/domain';
import { request } from './http';

export const listTokens = () => request<{ tokens: ApiTokenInfo[] }>('/api/auth/tokens').then((r) => r.tokens);

/** Creates a token; its secret is in the answer, this once. `expiresInDays` null: never expires. */
export const createToken = (label: string, expiresInDays: number | null) =>
  request<CreatedApiToken>('/api/auth/tokens', { body: { label, expiresInDays } });

export const revokeToken = (id: number) => request<void>(`/api/auth/tokens/${id}`, { method: 'DELETE' });

/** Whether the server offers single sign-on (ProConnect); public. */
export const fetchSingleSignOn = () =>
  request<{ enabled: boolean; provider: string | null }>('/api/auth/oidc', { allow401: true });

/** Where the browser goes to sign in at the identity provider (a full-page navigation, not a fetch). */
export const SINGLE_SIGN_ON_URL = '/api/auth/oidc/login';

/** One function per API endpoint the client calls. */
import { request } from './http';
import type { LookupResult, ParcelDetail, SearchResult, Territory, User } from './types';

export const login = (email: string, password: string) =>
  request<{ user: User }>('/api/auth/login', { body: { email, password }, allow401: true }).then((r) => r.user);

/** Ends the session; a session opened by single sign-on answers the identity provider's logout URL, to go to next. */
export const logout = () =>
  request<{ endSessionUrl: string } | undefined>('/api/auth/logout', { method: 'POST', allow401: true }).then((r) => r?.endSessionUrl ?? null);

export const fetchMe = () => request<{ user: User }>('/api/auth/me', { allow401: true }).then((r) => r.user);

export const fetchTerritory = () => request<Territory>('/api/territory');

export const lookup = (lon: number, lat: number, signal?: AbortSignal) =>
  request<LookupResult>(`/api/lookup?${new URLSearchParams({ lon: String(lon), lat: String(lat) })}`, signal ? { signal } : {});

export const search = (q: string, signal?: AbortSignal) =>
  request<{ results: SearchResult[] }>(`/api/search?${new URLSearchParams({ q })}`, signal ? { signal } : {}).then((r) => r.results);

export const fetchParcel = (id: string, signal?: AbortSignal) =>
  request<ParcelDetail>(`/api/parcels/${encodeURIComponent(id)}`, signal ? { signal } : {});

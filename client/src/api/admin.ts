/** The administration API (`/api/admin/…`, admins only) and the one-time password link (`/api/auth/password`). */
import type {
  AdminAccount, AuditEntry, ConfigEffect, ImportHistoryEntry, ImportJob, Open311KeyView, OutboxMessage, OutboxStatus, Role,
} from '@gup/server/domain';
import { request } from './http';

export type { AdminAccount, AuditEntry, ConfigEffect, ImportHistoryEntry, ImportJob, Open311KeyView, OutboxMessage, OutboxStatus };

export interface AccountFields { name: string; role: Role; communeInsee?: string | null; serviceCode?: string | null; organisationCode?: string | null }

export const listAccounts = () => request<{ users: AdminAccount[] }>('/api/admin/users').then((r) => r.users);
export const createAccount = (a: AccountFields & { email: string }) => request<{ user: AdminAccount }>('/api/admin/users', { body: a }).then((r) => r.user);
export const changeAccount = (id: number, c: Partial<AccountFields> & { active?: boolean }) =>
  request<{ user: AdminAccount }>(`/api/admin/users/${id}`, { method: 'PATCH', body: c }).then((r) => r.user);
export const resetPassword = (id: number) => request<{ expiresAt: string }>(`/api/admin/users/${id}/password-reset`, { method: 'POST' });

/** The territory configuration as a plain JSON object (the schema is the import's: server/src/domain/territory.ts). */
export type TerritoryConfigJson = Record<string, unknown> & { categories: CategoryJson[] };
export interface CategoryJson { code: string; name: string; theme: string; ackHours: number; resolveHours: number; resolveHoursQpv?: number; [k: string]: unknown }

export const fetchConfig = () => request<{ config: TerritoryConfigJson }>('/api/admin/config').then((r) => r.config);
export const previewConfig = (config: unknown) => request<{ effect: ConfigEffect }>('/api/admin/config/preview', { body: { config } }).then((r) => r.effect);
export const saveConfig = (config: unknown) => request<{ effect: ConfigEffect }>('/api/admin/config', { method: 'PUT', body: { config } }).then((r) => r.effect);

export const listImports = () => request<{ jobs: ImportJob[]; files: ImportHistoryEntry[] }>('/api/admin/imports');
export const fetchImport = (id: number) => request<{ job: ImportJob }>(`/api/admin/imports/${id}`).then((r) => r.job);
export function startImport(files: readonly File[]): Promise<ImportJob> {
  const form = new FormData();
  for (const f of files) form.append('files', f, f.name);
  return request<{ job: ImportJob }>('/api/admin/imports', { body: form }).then((r) => r.job);
}

export const listKeys = () => request<{ keys: Open311KeyView[] }>('/api/admin/open311-keys').then((r) => r.keys);
export const createKey = (communeInsee: string, label: string) =>
  request<{ key: { id: number; key: string; communeName: string; label: string } }>('/api/admin/open311-keys', { body: { communeInsee, label } }).then((r) => r.key);
export const revokeKey = (id: number) => request<void>(`/api/admin/open311-keys/${id}`, { method: 'DELETE' });

export const listOutbox = (status?: OutboxStatus) =>
  request<{ delivery: 'smtp' | 'kept'; counts: Record<OutboxStatus, number>; messages: OutboxMessage[] }>(`/api/admin/outbox${status ? `?status=${status}` : ''}`);
export const retryMessage = (id: number) => request<{ retried: number }>(`/api/admin/outbox/${id}/retry`, { method: 'POST' });

export interface AuditQuery { action?: string; user?: string; from?: string; to?: string }
export function listAudit(q: AuditQuery): Promise<AuditEntry[]> {
  const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v) as [string, string][]);
  return request<{ entries: AuditEntry[] }>(`/api/admin/audit${params.size ? `?${params}` : ''}`).then((r) => r.entries);
}

/** Sets a password with a one-time link's token (no session needed). */
export const setPassword = (token: string, password: string) => request<void>('/api/auth/password', { body: { token, password }, allow401: true });

/**
 * Answers of the administration API (`/api/admin/…`, DESIGN 3.7), declared once for the server and the browser.
 * Types only.
 */
import type { Role } from './territory.js';

/** An account as the administration sees it (never the password). */
export interface AdminAccount {
  id: number;
  email: string;
  name: string;
  role: Role;
  communeInsee: string | null;
  serviceCode: string | null;
  organisationCode: string | null;
  active: boolean;
  demo: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

/** What one imported file changed (the import's summary). */
export interface ImportFileSummary {
  file: string;
  kind: string;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
  note?: string;
  ms?: number;
}

/** An import started from the browser, polled for its progress. */
export interface ImportJob {
  id: number;
  userId: number | null;
  userName: string | null;
  status: 'running' | 'done' | 'failed';
  files: { name: string; bytes: number }[];
  currentFile: string | null;
  summaries: ImportFileSummary[];
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** One file of the import history (command line, browser, configuration editor). */
export interface ImportHistoryEntry { id: number; kind: string; fileName: string; sha256: string; summary: ImportFileSummary; importedAt: string }

export interface ConfigDelays { ackHours: number; resolveHours: number; resolveHoursQpv: number | null; seasonal: unknown }

/** What a configuration change would do (dry run) or did (save). */
export interface ConfigEffect {
  summary: ImportFileSummary;
  /** Categories whose delays change (or that appear). */
  delays: { code: string; name: string; before: ConfigDelays | null; after: ConfigDelays }[];
  /** Routing rules that change: theme services, managers (organisation × theme), private land, triage. */
  routes: { rule: 'theme' | 'manager' | 'privateLand' | 'triage'; key: string; before: string | null; after: string | null }[];
  /** Active sub-sectors whose outcome or delegate flips. */
  subsectors: { id: number; name: string; before: string; after: string }[];
}

export interface AuditEntry {
  id: number;
  at: string;
  userId: number | null;
  userName: string | null;
  userEmail: string | null;
  action: string;
  entity: string | null;
  entityId: string | null;
  details: unknown;
}

export interface Open311KeyView { id: number; communeInsee: string; label: string; active: boolean; createdAt: string; userEmail: string }

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxMessage {
  id: number;
  to: string;
  subject: string;
  body: string;
  reportId: number | null;
  reference: string | null;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

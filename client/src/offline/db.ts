/**
 * The device's store for field capture (IndexedDB through `idb`): the sessions prepared for the field, and the
 * observations and photos captured on this device, queued until the server has them. Nothing captured lives only in
 * memory: a closed tab or a dead network loses nothing.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DiagnosticDetails, ObservationInput } from '../api/diagnostics';

/** An observation made on this device. `synced`: the server has it; `rejected`: the server refused it (4xx), with why. */
export interface QueuedObservation {
  uuid: string;
  diagnosticId: number;
  /** Who captured it: only that user's session sends it (a shared phone never files someone else's capture). */
  userId: number | string;
  body: ObservationInput;
  state: 'pending' | 'synced' | 'rejected';
  error?: string;
  savedAt: string;
}
export interface QueuedPhoto {
  uuid: string;
  observationUuid: string;
  diagnosticId: number;
  blob: Blob | null;
  state: 'pending' | 'synced' | 'rejected';
  error?: string;
}
export interface PreparedSession {
  id: number;
  details: DiagnosticDetails;
  preparedAt: string;
  tiles: number;
}

interface FieldSchema extends DBSchema {
  sessions: { key: number; value: PreparedSession };
  observations: { key: string; value: QueuedObservation; indexes: { byDiagnostic: number } };
  photos: { key: string; value: QueuedPhoto; indexes: { byObservation: string } };
}

let db: Promise<IDBPDatabase<FieldSchema>> | undefined;

export function fieldDb(): Promise<IDBPDatabase<FieldSchema>> {
  db ??= openDB<FieldSchema>('gup-field', 1, {
    upgrade(d) {
      d.createObjectStore('sessions', { keyPath: 'id' });
      d.createObjectStore('observations', { keyPath: 'uuid' }).createIndex('byDiagnostic', 'diagnosticId');
      d.createObjectStore('photos', { keyPath: 'uuid' }).createIndex('byObservation', 'observationUuid');
    },
  });
  return db;
}

/** Saves an observation and its photos in one transaction (all or nothing on the device too). */
export async function queueObservation(o: QueuedObservation, photos: QueuedPhoto[]): Promise<void> {
  const tx = (await fieldDb()).transaction(['observations', 'photos'], 'readwrite');
  await Promise.all([tx.objectStore('observations').put(o), ...photos.map((p) => tx.objectStore('photos').put(p)), tx.done]);
}

/** How many of a user's observations and photos still wait to be sent (rejected ones are shown apart, not waiting). */
export async function pendingCount(userId: number | string): Promise<number> {
  const d = await fieldDb();
  const [all, photos] = await Promise.all([d.getAll('observations'), d.getAll('photos')]);
  const mine = new Set(all.filter((o) => o.userId === userId).map((o) => o.uuid));
  return all.filter((o) => mine.has(o.uuid) && o.state === 'pending').length + photos.filter((p) => mine.has(p.observationUuid) && p.state === 'pending').length;
}

export async function observationsOfSession(diagnosticId: number, userId: number | string): Promise<QueuedObservation[]> {
  return (await (await fieldDb()).getAllFromIndex('observations', 'byDiagnostic', diagnosticId)).filter((o) => o.userId === userId);
}

export async function photosOf(observationUuid: string): Promise<QueuedPhoto[]> {
  return (await fieldDb()).getAllFromIndex('photos', 'byObservation', observationUuid);
}

export const savePreparedSession = async (s: PreparedSession) => { await (await fieldDb()).put('sessions', s); };
export const preparedSession = async (id: number) => (await fieldDb()).get('sessions', id);

/** Forgets everything on the device (sign-out): nothing of a session stays on a shared phone. Pending captures are kept. */
export async function forgetPreparedSessions(): Promise<void> {
  await (await fieldDb()).clear('sessions');
}

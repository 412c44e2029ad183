/**
 * Sends what this device captured: each pending observation (idempotent by its UUID: a replay after a lost answer
 * creates nothing twice), then its photos (idempotent by their own UUIDs). A network failure or a 5xx stops the round
 * (retried on reconnection, at start and every 30 s); a 4xx marks the item rejected with the server's reason.
 * One round at a time per tab; only the signed-in user's captures.
 */
import { ApiError } from '../api/http';
import { postObservation, postObservationPhoto } from '../api/diagnostics';
import { fieldDb, type QueuedObservation } from './db';

/** Errors that a later retry may cure: offline, server trouble, timeouts, rate limits; not the session expiring. */
const retryable = (err: unknown) => !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 408 || err.status === 429 || err.status === 401;

let running: Promise<{ sent: number; failed: boolean }> | null = null;

/** Sends the captures of `userId` (the signed-in user: the server files them under the session's account). */
export function syncQueue(userId: number | string): Promise<{ sent: number; failed: boolean }> {
  running ??= round(userId).finally(() => { running = null; });
  return running;
}

async function round(userId: number | string): Promise<{ sent: number; failed: boolean }> {
  const d = await fieldDb();
  let sent = 0;
  const observations = (await d.getAll('observations')).filter((o) => o.userId === userId && o.state !== 'rejected').sort((a, b) => a.savedAt.localeCompare(b.savedAt));
  for (const o of observations) {
    if (o.state === 'pending') {
      const outcome = await send(() => postObservation(o.diagnosticId, o.body));
      if (outcome === 'retry') return { sent, failed: true };
      await d.put('observations', { ...o, ...(outcome === true ? { state: 'synced' } : { state: 'rejected', error: outcome }) } as QueuedObservation);
      if (outcome !== true) continue;
      sent++;
    }
    for (const p of await d.getAllFromIndex('photos', 'byObservation', o.uuid)) {
      if (p.state !== 'pending' || !p.blob) continue;
      const outcome = await send(() => postObservationPhoto(p.diagnosticId, p.observationUuid, p.uuid, p.blob!));
      if (outcome === 'retry') return { sent, failed: true };
      // once the server has it, the device keeps no copy of the picture
      await d.put('photos', outcome === true ? { ...p, blob: null, state: 'synced' } : { ...p, state: 'rejected', error: outcome });
      if (outcome === true) sent++;
    }
  }
  return { sent, failed: false };
}

/** true when stored, 'retry' when worth retrying later, else the server's reason for refusing. */
async function send(call: () => Promise<unknown>): Promise<true | 'retry' | string> {
  try {
    await call();
    return true;
  } catch (err) {
    if (retryable(err)) return 'retry';
    return err instanceof ApiError ? err.message || err.code : String(err);
  }
}

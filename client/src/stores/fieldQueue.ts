import { defineStore } from 'pinia';
import { pendingCount } from '../offline/db';
import { syncQueue } from '../offline/queue';
import { useSessionStore } from './session';

interface FieldQueueState {
  /** Observations and photos captured on this device that the server does not have yet. */
  pending: number;
  /** A sync round is running. */
  syncing: boolean;
  /** The browser believes it is online. */
  online: boolean;
  /** When the last round ended (ISO), null before the first. */
  lastSyncAt: string | null;
  /** The listeners (online, timer) are installed. */
  started: boolean;
}

/** Retry period while something waits (on top of the `online` event and the app's start). */
const RETRY_MS = 30_000;

/** The device's field-capture queue as the UI sees it: the pending count always on screen, sync on demand. */
export const useFieldQueueStore = defineStore('fieldQueue', {
  state: (): FieldQueueState => ({ pending: 0, syncing: false, online: typeof navigator === 'undefined' ? true : navigator.onLine, lastSyncAt: null, started: false }),
  actions: {
    async refresh(): Promise<void> {
      const user = useSessionStore().user;
      this.pending = user ? await pendingCount(user.id) : 0;
    },
    /** Sends what waits (when online); the count follows. */
    async sync(): Promise<void> {
      await this.refresh();
      const user = useSessionStore().user;
      if (!user || !this.online || this.pending === 0) return;
      this.syncing = true;
      try {
        await syncQueue(user.id);
      } finally {
        this.syncing = false;
        this.lastSyncAt = new Date().toISOString();
        await this.refresh();
      }
    },
    /** At the app's start: count, sync, and retry on reconnection and every 30 s. */
    start(): void {
      if (this.started || typeof window === 'undefined') return;
      this.started = true;
      window.addEventListener('online', () => { this.online = true; void this.sync(); });
      window.addEventListener('offline', () => { this.online = false; });
      window.setInterval(() => { if (this.pending > 0) void this.sync(); }, RETRY_MS);
      void this.sync().catch(() => undefined);
      // and whenever someone signs in (their own captures, queued on this device earlier)
      const session = useSessionStore();
      session.$subscribe(() => { if (session.user) void this.sync().catch(() => undefined); });
    },
  },
});

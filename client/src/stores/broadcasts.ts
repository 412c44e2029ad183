import { defineStore } from 'pinia';
import { fetchBroadcasts } from '../api/information';
import type { BroadcastView } from '../api/types';

const DISMISSED_KEY = 'gup.broadcasts.dismissed';

function readDismissed(userId: number): number[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(`${DISMISSED_KEY}.${userId}`) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((n): n is number => typeof n === 'number') : [];
  } catch {
    return [];
  }
}

/**
 * The current broadcasts of a commune user's commune, read once on arrival (per signed-in user) and shared by the
 * header's count and the arrival banner. The server decides which broadcasts the user sees (`seesBroadcast`); the
 * banner's dismissals last for the browser tab's session (sessionStorage).
 */
export const useBroadcastsStore = defineStore('broadcasts', {
  state: () => ({ current: [] as BroadcastView[], loadedFor: null as number | null, dismissed: [] as number[] }),
  getters: {
    /** Current broadcasts still awaiting this commune's acknowledgement. */
    toAcknowledge: (s): BroadcastView[] => s.current.filter((b) => b.needsAcknowledgement && b.acknowledged === false),
  },
  actions: {
    /**
     * Reads them once per signed-in user, and only while the browser is online: offline (the field pages) it asks
     * nothing and retries nothing — the next page opened online reads them. Any failure (network, expired session)
     * means "no banner": never the login redirect, never an error shown.
     */
    async load(userId: number): Promise<void> {
      if (this.loadedFor === userId || (typeof navigator !== 'undefined' && navigator.onLine === false)) return;
      this.loadedFor = userId;
      this.dismissed = readDismissed(userId);
      this.current = await fetchBroadcasts(true, { allow401: true }).catch(() => []);
    },
    /** Replaces a broadcast after the user acknowledged it (the banner and the count follow). */
    updated(b: BroadcastView): void {
      this.current = this.current.map((c) => (c.id === b.id ? b : c));
    },
    dismiss(ids: number[]): void {
      this.dismissed = [...new Set([...this.dismissed, ...ids])];
      try {
        sessionStorage.setItem(`${DISMISSED_KEY}.${this.loadedFor}`, JSON.stringify(this.dismissed));
      } catch {
        /* private mode without storage: dismissed for this page only */
      }
    },
  },
});

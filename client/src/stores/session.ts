import { defineStore } from 'pinia';
import * as api from '../api/endpoints';
import type { User } from '../api/types';
import { forgetPreparedSessions } from '../offline/db';
import { forgetOfflineAnswers } from '../offline/prepare';

interface SessionState {
  /** The signed-in user, null when signed out or not yet known. */
  user: User | null;
  /** True once the server was asked who is signed in (so a reload does not bounce to login). */
  checked: boolean;
}

/** Who is signed in. The session itself is an httpOnly cookie the client never sees. */
export const useSessionStore = defineStore('session', {
  state: (): SessionState => ({ user: null, checked: false }),
  getters: {
    signedIn: (s): boolean => s.user !== null,
  },
  actions: {
    /** Asks the server for the current session once; a 401 simply means "signed out". */
    async restore(): Promise<void> {
      if (this.checked) return;
      try {
        this.user = await api.fetchMe();
      } catch {
        this.user = null;
      }
      this.checked = true;
    },
    /** Signs in; throws the ApiError (401 wrong credentials, 429 too many attempts…). */
    async signIn(email: string, password: string): Promise<void> {
      this.user = await api.login(email, password);
      this.checked = true;
    },
    /** Signs out; returns the identity provider's logout URL when the session came from single sign-on, else null. */
    async signOut(): Promise<string | null> {
      try {
        return await api.logout();
      } finally {
        this.forget();
        // the answers and sessions cached for the field leave the device (captures not yet sent stay queued)
        await Promise.all([forgetOfflineAnswers(), forgetPreparedSessions()]).catch(() => undefined);
      }
    },
    /** Drops the user locally (expired session). */
    forget(): void {
      this.user = null;
      this.checked = true;
    },
  },
});

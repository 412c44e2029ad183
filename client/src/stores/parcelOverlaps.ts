import { defineStore } from 'pinia';
import { ApiError } from '../api/http';
import { fetchOverlaps, type OverlapReport } from '../api/subsectors';

interface ParcelOverlapsState {
  /** INSEE code of the commune listed; '' before the first choice. */
  commune: string;
  /** Page shown (1-based). */
  page: number;
  /** The page of groups, frozen plain data (also drawn on the map while the list is open). */
  report: OverlapReport | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** Error text from the server, in French. */
  message: string;
  /** The group the planner asked to see on the map. */
  focusedId: string | null;
}

/** The GIS team's data-quality list: overlapping and nested parcels of one commune, page by page. */
export const useParcelOverlapsStore = defineStore('parcelOverlaps', {
  state: (): ParcelOverlapsState => ({ commune: '', page: 1, report: null, status: 'idle', message: '', focusedId: null }),
  getters: {
    pages: (s): number => (s.report ? Math.max(1, Math.ceil(s.report.total / s.report.limit)) : 1),
  },
  actions: {
    async load(commune: string, page = 1): Promise<void> {
      this.commune = commune;
      this.page = page;
      this.status = 'loading';
      this.focusedId = null;
      try {
        const report = await fetchOverlaps(commune, page);
        if (this.commune !== commune || this.page !== page) return;
        this.report = Object.freeze(report);
        this.status = 'ready';
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        this.status = 'error';
        this.message = err.message;
      }
    },
    focus(id: string | null): void {
      this.focusedId = id;
    },
    close(): void {
      this.report = null;
      this.status = 'idle';
      this.focusedId = null;
    },
  },
});

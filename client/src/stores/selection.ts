import type { MultiPolygon, Polygon } from 'geojson';
import { defineStore } from 'pinia';
import { fetchParcel, lookup } from '../api/endpoints';
import { ApiError, isAbort } from '../api/http';
import type { LookupResult } from '../api/types';

interface SelectionState {
  /** The spot asked about ("who manages here?"), [lon, lat]; null when the panel is closed. */
  point: [number, number] | null;
  /** `outside`: the point is outside the territory (404); `error`: anything else went wrong. */
  status: 'idle' | 'loading' | 'ready' | 'outside' | 'error';
  /** The lookup answer for `point` when status is `ready`. */
  result: LookupResult | null;
  /** Server message for `outside` / `error` (French), empty when the server could not be reached. */
  errorMessage: string;
  /** Outline of the parcel under the point, drawn as the highlight; null on public domain. */
  parcelGeometry: Polygon | MultiPolygon | null;
}

let controller: AbortController | null = null;

/** The selected spot and what the server says about it. */
export const useSelectionStore = defineStore('selection', {
  state: (): SelectionState => ({ point: null, status: 'idle', result: null, errorMessage: '', parcelGeometry: null }),
  actions: {
    /** Selects a spot and looks it up (any lookup still running is cancelled). */
    async select(point: [number, number]): Promise<void> {
      controller?.abort();
      const ctrl = new AbortController();
      controller = ctrl;
      this.$patch({ point, status: 'loading', result: null, errorMessage: '', parcelGeometry: null });
      try {
        const result = await lookup(point[0], point[1], ctrl.signal);
        this.$patch({ result, status: 'ready' });
        if (result.parcel) {
          const parcel = await fetchParcel(result.parcel.id, ctrl.signal);
          this.parcelGeometry = parcel.geometry;
        }
      } catch (err) {
        if (isAbort(err) || ctrl !== controller) return;
        if (this.status === 'ready') return; // only the highlight failed: the answer stands
        const apiError = err instanceof ApiError ? err : null;
        this.status = apiError?.status === 404 ? 'outside' : 'error';
        this.errorMessage = apiError?.message ?? '';
      }
    },
    /** Closes the selection (panel and highlight). */
    clear(): void {
      controller?.abort();
      controller = null;
      this.$reset();
    },
  },
});

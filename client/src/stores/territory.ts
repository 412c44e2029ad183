import { defineStore } from 'pinia';
import { fetchTerritory } from '../api/endpoints';
import type { Territory } from '../api/types';

interface TerritoryState {
  /** The territory's configuration for the map (organisations, themes, bbox, basemap…); null until loaded. */
  territory: Territory | null;
  /** `failed`: the map still works with defaults (no legend per organisation, no basemap). */
  status: 'idle' | 'loading' | 'ready' | 'failed';
  /** The basemap's tiles could not be fetched (offline): it is dropped for this session. */
  basemapUnavailable: boolean;
}

/** The territory served by this GUP instance, loaded once per session. */
export const useTerritoryStore = defineStore('territory', {
  state: (): TerritoryState => ({ territory: null, status: 'idle', basemapUnavailable: false }),
  getters: {
    organisations: (s) => s.territory?.organisations ?? [],
    /** The basemap to draw, null when none is configured or it is unreachable. */
    basemap: (s) => (s.basemapUnavailable ? null : (s.territory?.basemap ?? null)),
    communeName: (s) => (insee: string) => s.territory?.communes.find((c) => c.insee === insee)?.name ?? insee,
  },
  actions: {
    markBasemapUnavailable(): void {
      this.basemapUnavailable = true;
    },
    async load(): Promise<void> {
      if (this.status === 'ready' || this.status === 'loading') return;
      this.status = 'loading';
      try {
        this.territory = await fetchTerritory();
        this.status = 'ready';
      } catch {
        this.status = 'failed';
      }
    },
  },
});

import { defineStore } from 'pinia';
import type { BBox } from '../api/types';

/** Layers the user can switch on and off; also their order in the `l` URL parameter. */
export const LAYER_KEYS = ['basemap', 'communes', 'parcels', 'qpv', 'subsectors', 'reports'] as const;
export type LayerKey = (typeof LAYER_KEYS)[number];

/** A camera move asked by the UI (search result…), carried out by the map's renderless sync component. */
export interface FlyRequest {
  /** Increases with each request so the same target can be asked twice. */
  seq: number;
  bbox?: BBox;
  point?: [number, number];
}

interface MapViewState {
  /** Map centre [lon, lat] as last reported by the map (or restored from the URL); null = fit the territory. */
  center: [number, number] | null;
  /** Zoom level as last reported by the map; null with center null. */
  zoom: number | null;
  /** Visible layers, in LAYER_KEYS order. */
  layers: LayerKey[];
  /** Pending camera move, null once none was asked. */
  flyRequest: FlyRequest | null;
}

/** Where the map looks and what it shows: plain data, mirrored in the URL. The map object lives elsewhere. */
export const useMapViewStore = defineStore('mapView', {
  state: (): MapViewState => ({ center: null, zoom: null, layers: [...LAYER_KEYS], flyRequest: null }),
  getters: {
    isVisible: (s) => (key: LayerKey) => s.layers.includes(key),
  },
  actions: {
    /** Records the camera after a move. */
    setView(center: [number, number], zoom: number): void {
      this.center = center;
      this.zoom = zoom;
    },
    setLayers(layers: readonly LayerKey[]): void {
      this.layers = LAYER_KEYS.filter((k) => layers.includes(k));
    },
    toggleLayer(key: LayerKey, visible: boolean): void {
      this.setLayers(visible ? [...this.layers, key] : this.layers.filter((k) => k !== key));
    },
    /** Asks the map to move to a bbox (preferred) or a point. */
    flyTo(target: { bbox?: BBox; point?: [number, number] }): void {
      this.flyRequest = { seq: (this.flyRequest?.seq ?? 0) + 1, ...target };
    },
  },
});

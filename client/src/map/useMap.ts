import type { Map as MaplibreMap } from 'maplibre-gl';
import { inject, type InjectionKey, type ShallowRef } from 'vue';

/**
 * The MapLibre map is provided by <MapCanvas> to its children and never stored in Pinia
 * (STYLE: "The map object is never in a store"). Children render only once it is loaded.
 */
export const MAP_KEY: InjectionKey<ShallowRef<MaplibreMap | null>> = Symbol('gup-map');

/** The loaded map of the enclosing <MapCanvas>. */
export function useMap(): MaplibreMap {
  const map = inject(MAP_KEY, null)?.value;
  if (!map) throw new Error('useMap() must be called inside a loaded <MapCanvas>');
  return map;
}

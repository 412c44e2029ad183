import type { Map as MaplibreMap } from 'maplibre-gl';

/**
 * Drawing order of every map layer, bottom to top. Layer components mount in any order;
 * each layer is inserted below the first layer after it in this list that is already on the map.
 */
export const LAYER_ORDER = [
  'basemap',
  'communes-outside',
  'subsectors-fill',
  'parcels-fill',
  'parcels-outline',
  'parcels-joint',
  'subsectors-outline',
  'subsectors-borderline',
  'parcel-overlaps-fill',
  'parcel-overlaps-outline',
  'communes-outline',
  'qpv-fill',
  'qpv-outline',
  'selection-fill',
  'selection-casing',
  'selection-outline',
  'reports-overdue',
  'reports-circle',
  'selection-point',
] as const;

/** The id to pass as `beforeId` to `map.addLayer` for `layerId`, undefined to put it on top. */
export function beforeIdFor(map: MaplibreMap, layerId: string): string | undefined {
  const index = (LAYER_ORDER as readonly string[]).indexOf(layerId);
  if (index < 0) return undefined;
  return LAYER_ORDER.slice(index + 1).find((id) => map.getLayer(id) !== undefined);
}

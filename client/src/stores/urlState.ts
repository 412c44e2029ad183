import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import { LAYER_KEYS, type LayerKey } from './mapView';

/**
 * The map's state as URL query parameters, so that a view survives a reload and can be shared:
 * `?c=2.36,48.703&z=16&l=parcels,qpv&sel=2.3601,48.7031`.
 */
export interface ViewQuery {
  center: [number, number] | null;
  zoom: number | null;
  /** null: parameter absent, default layers. */
  layers: LayerKey[] | null;
  selection: [number, number] | null;
}

const first = (v: LocationQuery[string] | undefined): string | null => (Array.isArray(v) ? (v[0] ?? null) : v) ?? null;

/** "lon,lat" → [lon, lat] when both are finite and plausible WGS84 degrees. */
export function parseLonLat(text: string | null): [number, number] | null {
  if (!text) return null;
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 2) return null;
  const [lon, lat] = parts as [number, number];
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) return null;
  return [lon, lat];
}

/** Reads the view from a route query; anything malformed is ignored. */
export function parseViewQuery(query: LocationQuery): ViewQuery {
  const zoomText = first(query.z);
  const zoom = zoomText === null ? NaN : Number(zoomText);
  const layersText = first(query.l);
  const center = parseLonLat(first(query.c));
  return {
    center,
    zoom: center && Number.isFinite(zoom) && zoom >= 0 && zoom <= 24 ? zoom : null,
    layers: layersText === null ? null : LAYER_KEYS.filter((k) => layersText.split(',').includes(k)),
    selection: parseLonLat(first(query.sel)),
  };
}

const fixed = (n: number, digits: number) => String(Number(n.toFixed(digits)));

/** Writes the view into a query, keeping unrelated parameters. Centre to ~1 m, selection to ~0.1 m. */
export function formatViewQuery(view: ViewQuery, keep: LocationQuery = {}): LocationQueryRaw {
  const query: LocationQueryRaw = { ...keep };
  for (const k of ['c', 'z', 'l', 'sel']) delete query[k];
  if (view.center && view.zoom !== null) {
    query.c = `${fixed(view.center[0], 5)},${fixed(view.center[1], 5)}`;
    query.z = fixed(view.zoom, 2);
  }
  if (view.layers) query.l = view.layers.join(',');
  if (view.selection) query.sel = `${fixed(view.selection[0], 6)},${fixed(view.selection[1], 6)}`;
  return query;
}

import type { ExpressionSpecification, VectorSourceSpecification } from 'maplibre-gl';

/** Vector tile layers served by the API; the source-layer name equals the layer name. */
export type TileLayer = 'parcels' | 'qpv' | 'communes' | 'subsectors' | 'reports';

/**
 * A vector source for one of the API's tile layers. URLs must be absolute for MapLibre's workers;
 * the session cookie goes along (same origin).
 */
export function vectorTiles(layer: TileLayer, zooms: { minzoom?: number; maxzoom?: number } = {}): VectorSourceSpecification {
  return {
    type: 'vector',
    tiles: [`${window.location.origin}/api/tiles/${layer}/{z}/{x}/{y}.mvt`],
    minzoom: zooms.minzoom ?? 0,
    maxzoom: zooms.maxzoom ?? 16, // deeper zooms reuse (overzoom) the z16 tiles
  };
}

/** True when a tile attribute is true, whether encoded as a boolean, a number or a string. */
export function isTrue(attribute: string): ExpressionSpecification {
  return ['match', ['to-string', ['get', attribute]], ['true', '1', 't'], true, false];
}

/**
 * The vector tiles a prepared session's map needs offline: for each layer, the tiles of the session's bbox (plus a
 * margin) at the zooms the field map uses (a layer's tiles stop at its max zoom; deeper zooms reuse them).
 */
export interface TileSpec { layer: string; minzoom: number; maxzoom: number }

/** The layers of the field map and their zooms (those of their sources in map/layers). */
export const FIELD_TILES: TileSpec[] = [
  { layer: 'parcels', minzoom: 14, maxzoom: 16 },
  { layer: 'qpv', minzoom: 12, maxzoom: 14 },
  { layer: 'communes', minzoom: 12, maxzoom: 14 },
];

const lon2x = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const lat2y = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/**
 * Tile URLs covering `bbox` grown by `margin` degrees.
 * @example tileUrls([2.36, 48.70, 2.361, 48.701], [{ layer: 'qpv', minzoom: 14, maxzoom: 14 }], 0) // ['/api/tiles/qpv/14/8299/5647.mvt']
 */
export function tileUrls(bbox: [number, number, number, number], specs: TileSpec[], margin = 0.002): string[] {
  const [w, s, e, n] = [bbox[0] - margin, bbox[1] - margin, bbox[2] + margin, bbox[3] + margin];
  const urls: string[] = [];
  for (const spec of specs) {
    for (let z = spec.minzoom; z <= spec.maxzoom; z++) {
      for (let x = lon2x(w, z); x <= lon2x(e, z); x++) {
        for (let y = lat2y(n, z); y <= lat2y(s, z); y++) urls.push(`/api/tiles/${spec.layer}/${z}/${x}/${y}.mvt`);
      }
    }
  }
  return urls;
}

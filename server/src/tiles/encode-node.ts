import { geoJSONToTile, type GeoJSONVTFeature, type GeoJSONVTTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Knex } from 'knex';
import { BUFFER, EXTENT, type TileCoords } from './coords.js';
import type { LayerName, Sql, TileLayer, Visibility } from './layers.js';
import type { EncodeOptions, Rendered } from './encoded.js';
import { attributeList, tileFeaturesCte, withLayerVersion } from './sql.js';

/**
 * The tile's features as one GeoJSON FeatureCollection built by PostGIS, clipped to the buffered tile. Clipped in
 * EPSG:4326 against `tile.area`, the buffered tile's exact image (Web Mercator maps rectangles to rectangles): no
 * round trip through EPSG:3857 for thousands of parcels; simplified first (SIMPLIFY_UNITS), and coordinates written
 * with the decimals the zoom needs, a hundredth of a tile unit (7 at z13, 8 at z16; a tenth moved tiny parcels across
 * geojson-vt's thresholds, and the encoders disagreed): the z13 parcels tile over Athis-Mons went from 4.6 MB of
 * GeoJSON and 0.65–0.8 s to 3.5 MB and 0.6 s on the embedded database (warm, measured in Node).
 */
export function geojsonSql(layer: TileLayer, coords: TileCoords, visibility: Visibility): Sql {
  const cte = tileFeaturesCte(coords, layer, visibility);
  return {
    sql: `${cte.sql}
          SELECT '{"type":"FeatureCollection","features":[' || coalesce(string_agg(ST_AsGeoJSON(c.*, 'geom', ${geojsonDecimals(coords.z)}), ','), '') || ']}' AS geojson
          FROM (SELECT ST_ClipByBox2D(ST_Simplify(f.geom, ?, true), tile.area) AS geom, ${attributeList(layer, 'f')}
                FROM features f, tile) c
          WHERE NOT ST_IsEmpty(c.geom)`,
    bindings: [...cte.bindings, SIMPLIFY_UNITS * tileUnitDegrees(coords.z)],
  };
}

/**
 * Douglas–Peucker tolerance before encoding, in tile units: geojson-vt simplifies by half a unit anyway, and a
 * degree of latitude spans up to 1.5 times more units than one of longitude at our latitudes (1 / cos 48.7°).
 */
const SIMPLIFY_UNITS = 0.25;

/** A tile unit at zoom z, in degrees of longitude. */
const tileUnitDegrees = (z: number) => 360 / (2 ** z * EXTENT);

/**
 * Decimals of a degree for a hundredth of a tile unit at zoom z (a tile unit is 360° / (2^z × EXTENT) of longitude).
 * @example geojsonDecimals(13) // 7
 */
export function geojsonDecimals(z: number): number {
  return Math.ceil(Math.log10(100 / tileUnitDegrees(z)));
}

/** Twice the signed area of a ring (shoelace). */
function ringArea2(ring: readonly [number, number][]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]![0] - ring[i]![0]) * (ring[j]![1] + ring[i]![1]);
  return sum;
}

/** Drops polygon rings that collapsed to zero area on the integer grid, and features left without rings (as ST_AsMVTGeom does). */
function withoutCollapsed(features: GeoJSONVTFeature[]): GeoJSONVTFeature[] {
  const kept: GeoJSONVTFeature[] = [];
  for (const f of features) {
    if (f.type !== 3) kept.push(f);
    else {
      const rings = f.geometry.filter((r) => ringArea2(r) !== 0);
      if (rings.length > 0) kept.push({ ...f, geometry: rings });
    }
  }
  return kept;
}

/**
 * Encodes a tile in Node, for a PostGIS without protobuf (the embedded one): PostGIS selects and clips, geojson-vt
 * projects to tile coordinates and simplifies by half a tile unit (dropping smaller rings) like ST_AsMVTGeom, and
 * vt-pbf writes the protobuf. Null when the tile holds no feature.
 */
export async function encodeInNode(knex: Knex, name: LayerName, layer: TileLayer, coords: TileCoords, visibility: Visibility, opts: EncodeOptions = {}): Promise<Rendered> {
  const query = geojsonSql(layer, coords, visibility);
  const { sql, bindings } = opts.version ? withLayerVersion(query, name) : query;
  const { rows } = await knex.raw(sql, bindings);
  const row = rows[0] as { geojson: string; version?: string | number | null };
  return { tile: encodeCollection(name, coords, JSON.parse(row.geojson) as GeoJSON.FeatureCollection), ...(opts.version ? { version: String(row.version ?? 0) } : {}) };
}

function encodeCollection(name: LayerName, { z, x, y }: TileCoords, collection: GeoJSON.FeatureCollection): Uint8Array | null {
  if (collection.features.length === 0) return null;
  // maxZoom above z: geojson-vt simplifies only below its maxZoom; tolerance is in tile units at zoom z
  const tile = geoJSONToTile(collection, z, x, y, { maxZoom: z + 1, tolerance: 0.5, extent: EXTENT, buffer: BUFFER });
  const features = withoutCollapsed(tile?.features ?? []);
  if (features.length === 0) return null;
  return fromGeojsonVt({ [name]: { ...tile, features } as GeoJSONVTTile }, { version: 2, extent: EXTENT });
}

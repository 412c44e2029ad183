import { BUFFER, EXTENT, type TileCoords } from './coords.js';
import type { LayerName, Sql, TileLayer, Visibility } from './layers.js';

/**
 * `WITH tile AS (…), features AS (…)`: the tile's envelopes and the layer's features meeting it, shared by both
 * encoders so they select exactly the same rows.
 * - `tile.env`: the tile in EPSG:3857; `tile.buffered`: the same with the buffer; `tile.area`: buffered, EPSG:4326
 *   (Web Mercator maps rectangles to rectangles, so this box is exact) for the GiST index on `geom`.
 */
export function tileFeaturesCte(coords: TileCoords, layer: TileLayer, visibility: Visibility): Sql {
  const { z, x, y } = coords;
  const features = layer.features(visibility, z);
  return {
    sql: `WITH tile AS (
            SELECT e.env, e.buffered, ST_Transform(e.buffered, 4326) AS area
            FROM (SELECT ST_TileEnvelope(?, ?, ?) AS env, ST_TileEnvelope(?, ?, ?, margin => ?) AS buffered) e
          ),
          features AS (${features.sql})`,
    bindings: [z, x, y, z, x, y, BUFFER / EXTENT, ...features.bindings],
  };
}

/** Attribute columns of `features` as a select list (fixed names from the layer table, never request values). */
export const attributeList = (layer: TileLayer, alias: string) => layer.attributes.map((a) => `${alias}.${a}`).join(', ');

/**
 * An encoder's one-row query with the layer's data version beside it (column `version`), read in the same snapshot:
 * a tile asked without If-None-Match (first view) costs one round trip instead of two.
 */
export function withLayerVersion(query: Sql, name: LayerName): Sql {
  return { sql: `SELECT (SELECT version FROM data_versions WHERE layer = ?) AS version, t.* FROM (${query.sql}) t`, bindings: [name, ...query.bindings] };
}

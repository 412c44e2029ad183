import type { Knex } from 'knex';
import { BUFFER, EXTENT, type TileCoords } from './coords.js';
import type { LayerName, Sql, TileLayer, Visibility } from './layers.js';
import { attributeList, tileFeaturesCte, withLayerVersion } from './sql.js';
import type { EncodeOptions, Rendered } from './encoded.js';

/** The whole tile as one ST_AsMVT query (PostGIS built with protobuf-c). */
export function mvtSql(name: LayerName, layer: TileLayer, coords: TileCoords, visibility: Visibility): Sql {
  const cte = tileFeaturesCte(coords, layer, visibility);
  return {
    sql: `${cte.sql}
          SELECT ST_AsMVT(m, ?, ${EXTENT}, 'geom') AS mvt
          FROM (SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), tile.env, ${EXTENT}, ${BUFFER}, true) AS geom, ${attributeList(layer, 'f')}
                FROM features f, tile) m
          WHERE m.geom IS NOT NULL`,
    bindings: [...cte.bindings, name],
  };
}

/** Encodes a tile with ST_AsMVT (tile null when it holds no feature), with the layer's version if asked. */
export async function encodeWithPostgis(knex: Knex, name: LayerName, layer: TileLayer, coords: TileCoords, visibility: Visibility, opts: EncodeOptions = {}): Promise<Rendered> {
  const query = mvtSql(name, layer, coords, visibility);
  const { sql, bindings } = opts.version ? withLayerVersion(query, name) : query;
  const { rows } = await knex.raw(sql, bindings);
  const row = rows[0] as { mvt: Uint8Array | null; version?: string | number | null } | undefined;
  const mvt = row?.mvt;
  return { tile: mvt && mvt.length > 0 ? mvt : null, ...(opts.version ? { version: String(row?.version ?? 0) } : {}) };
}

import type { Knex } from 'knex';
import { BUFFER, EXTENT, type TileCoords } from './coords.js';
import type { LayerName, Sql, TileLayer, Visibility } from './layers.js';
import { attributeList, tileFeaturesCte } from './sql.js';

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

/** Encodes a tile with ST_AsMVT; null when it holds no feature. */
export async function encodeWithPostgis(knex: Knex, name: LayerName, layer: TileLayer, coords: TileCoords, visibility: Visibility): Promise<Uint8Array | null> {
  const { sql, bindings } = mvtSql(name, layer, coords, visibility);
  const { rows } = await knex.raw(sql, bindings);
  const mvt = (rows[0] as { mvt: Uint8Array | null } | undefined)?.mvt;
  return mvt && mvt.length > 0 ? mvt : null;
}

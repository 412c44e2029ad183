import type { Knex } from 'knex';
import type { Database } from '../data/db.js';
import type { TileCoords } from './coords.js';
import type { EncodeOptions, Rendered } from './encoded.js';
import { encodeInNode } from './encode-node.js';
import { encodeWithPostgis } from './encode-postgis.js';
import { TILE_LAYERS, type LayerName, type Visibility } from './layers.js';

export type Encoder = 'postgis' | 'node';

/**
 * ST_AsMVT when the database has it (detected once at start, `db.hasMvt`), the Node encoder otherwise or when forced.
 * Forcing 'postgis' on a database without protobuf is a configuration error.
 */
export function chooseEncoder(db: Pick<Database, 'hasMvt'>, forced?: Encoder): Encoder {
  if (forced === 'postgis' && !db.hasMvt) throw new Error('ST_AsMVT indisponible : PostGIS compilé sans protobuf-c');
  return forced ?? (db.hasMvt ? 'postgis' : 'node');
}

/** The encoded tile, or null when no feature of the layer falls in it. */
export async function renderTile(knex: Knex, encoder: Encoder, name: LayerName, coords: TileCoords, visibility: Visibility): Promise<Uint8Array | null> {
  return (await encode(knex, encoder, name, coords, visibility, {})).tile;
}

/** The encoded tile and the layer's data version it was read with (one query): for a tile asked without If-None-Match. */
export async function renderTileWithVersion(knex: Knex, encoder: Encoder, name: LayerName, coords: TileCoords, visibility: Visibility): Promise<{ tile: Uint8Array | null; version: string }> {
  const { tile, version } = await encode(knex, encoder, name, coords, visibility, { version: true });
  return { tile, version: version! };
}

function encode(knex: Knex, encoder: Encoder, name: LayerName, coords: TileCoords, visibility: Visibility, opts: EncodeOptions): Promise<Rendered> {
  const layer = TILE_LAYERS[name];
  return encoder === 'postgis'
    ? encodeWithPostgis(knex, name, layer, coords, visibility, opts)
    : encodeInNode(knex, name, layer, coords, visibility, opts);
}

import crypto from 'node:crypto';
import { hotQuery, type Connection } from '../data/connection.js';
import { MAX_ZOOM, type TileCoords } from './coords.js';
import { SEE_ALL, TILE_LAYERS, type LayerName } from './layers.js';

const LAYER_VERSION = { name: 'gup_layer_version', text: 'SELECT version FROM data_versions WHERE layer = $1' };

/**
 * Current data version of a layer: bumped by the triggers of migration 002 in the transaction that changes the data
 * under it. One primary-key lookup, read on every request (no cache, so an ETag is never older than the data, whoever
 * wrote it: another worker, the import command, psql), as a prepared statement (hotQuery): it is all a revalidated
 * tile costs the database. Read it before the tile's query: a change committed in between only makes the next
 * request miss.
 */
export async function layerVersion(conn: Connection, name: LayerName): Promise<string> {
  const rows = await hotQuery<{ version: string | number }>(conn, LAYER_VERSION, [name]);
  return String(rows[0]?.version ?? 0);
}

/** Fingerprint of the layer definitions: a deploy that changes a layer's SQL invalidates every ETag of that layer. */
const definitionHash = Object.fromEntries(
  Object.entries(TILE_LAYERS).map(([name, layer]) => [
    name,
    crypto.createHash('sha256').update(JSON.stringify([layer.attributes, layer.minZoom, layer.features(SEE_ALL, layer.minZoom), layer.features(SEE_ALL, MAX_ZOOM)])).digest('hex').slice(0, 12),
  ]),
) as Record<LayerName, string>;

export interface EtagInput {
  name: LayerName;
  version: string;
  coords: TileCoords;
  /** Which encoder wrote the bytes (they differ between encoders). */
  encoder: string;
  /** Visibility key, for the layers that depend on the user. */
  scope?: string;
  now?: number;
}

/**
 * Strong ETag of a tile: layer, data version, definitions, encoder, z/x/y, visibility and, for clock-dependent
 * layers, the current time slot; hashed so that nothing about the user leaks.
 */
export function tileEtag({ name, version, coords, encoder, scope = '', now = Date.now() }: EtagInput): string {
  const { clockSeconds } = TILE_LAYERS[name] as { clockSeconds?: number };
  const slot = clockSeconds ? Math.floor(now / (clockSeconds * 1000)) : 0;
  const key = [name, version, definitionHash[name], encoder, coords.z, coords.x, coords.y, scope, slot].join('|');
  return `"${crypto.createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an If-None-Match header matches an ETag (weak comparison, RFC 9110 13.1.2). Evaluated here rather than with
 * `req.fresh`, which ignores validators sent with `Cache-Control: no-cache` (as fetch() does for explicit headers).
 * @example etagMatches('W/"a", "b"', '"b"') // true
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}

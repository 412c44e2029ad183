import type { AppContext } from '../http/context.js';
import { AppError, notFound } from '../http/errors.js';
import { Reply, route } from '../http/route.js';
import { parseTileCoords } from '../tiles/coords.js';
import { reportScope, scopeKey } from '../domain/access.js';
import { isLayerName, SEE_ALL, TILE_LAYERS } from '../tiles/layers.js';
import { chooseEncoder, renderTile, renderTileWithVersion, type Encoder } from '../tiles/render.js';
import { etagMatches, layerVersion, tileEtag } from '../tiles/versions.js';

export const MVT_TYPE = 'application/vnd.mapbox-vector-tile';
const CACHE_CONTROL = 'private, max-age=0, must-revalidate';
/** `/api/tiles/{layer}/{z}/{x}/{y}.mvt`, the path as sent (not decoded: layer names and numbers need no escapes). */
const TILE_PATH = /^\/api\/tiles\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\.mvt$/;

export interface TilesOptions {
  /** Force an encoder (tests compare both on one database); default: ST_AsMVT when available. */
  encoder?: Encoder;
}

/**
 * `GET /api/tiles/:layer/:z/:x/:y.mvt`: vector tiles, revalidated by ETag (304 without rendering), 204 when empty
 * or below the layer's zoom. Lean (server/src/http/lean.ts) and quiet: a map move fires dozens, mostly revalidations.
 * The route takes the whole of `/api/tiles/…` to answer a malformed tile path with the form expected.
 */
export function tilesRoutes(ctx: AppContext, opts: TilesOptions = {}) {
  const { knex } = ctx.db;
  const encoder = chooseEncoder(ctx.db, opts.encoder);

  return [route({
    method: 'GET', path: '/api/tiles/{*tile}', access: 'signed-in', lean: true, quiet: true,
    handle: async ({ path, headers }, { user }) => {
      const m = TILE_PATH.exec(path);
      if (!m) throw new AppError(404, 'not_found', `Route inconnue : GET ${path} (attendu /api/tiles/{couche}/{z}/{x}/{y}.mvt)`);
      const name = m[1]!;
      if (!isLayerName(name)) throw notFound(`Couche ${name}`);
      const coords = parseTileCoords({ z: m[2], x: m[3], y: m[4] });
      const layer = TILE_LAYERS[name];
      if (coords.z < layer.minZoom) return new Reply(204, { 'cache-control': CACHE_CONTROL });

      const visibility = layer.perUser ? reportScope(user) : SEE_ALL;
      const etagOf = (version: string) => tileEtag({ name, version, coords, encoder, ...(layer.perUser ? { scope: scopeKey(visibility) } : {}) });
      const ifNoneMatch = headers['if-none-match'];
      let etag: string;
      let tile: Uint8Array | null;
      if (ifNoneMatch) {
        // a revalidation: the version alone decides, the tile is only rendered when it changed
        etag = etagOf(await layerVersion(ctx.db, name));
        if (etagMatches(ifNoneMatch, etag)) return new Reply(304, { 'cache-control': CACHE_CONTROL, etag });
        tile = await renderTile(knex, encoder, name, coords, visibility);
      } else {
        const rendered = await renderTileWithVersion(knex, encoder, name, coords, visibility);
        etag = etagOf(rendered.version);
        tile = rendered.tile;
      }
      const cacheHeaders = { 'cache-control': CACHE_CONTROL, etag };
      if (!tile) return new Reply(204, cacheHeaders);
      return new Reply(200, { ...cacheHeaders, 'content-type': MVT_TYPE }, tile);
    },
  })];
}

import { Router } from 'express';
import { currentUser } from '../auth/middleware.js';
import type { AppContext } from '../http/context.js';
import { notFound } from '../http/errors.js';
import { parseTileCoords } from '../tiles/coords.js';
import { isLayerName, reportsVisibleTo, SEE_ALL, TILE_LAYERS } from '../tiles/layers.js';
import { chooseEncoder, renderTile, type Encoder } from '../tiles/render.js';
import { etagMatches, layerVersion, tileEtag } from '../tiles/versions.js';

export const MVT_TYPE = 'application/vnd.mapbox-vector-tile';
const CACHE_CONTROL = 'private, max-age=0, must-revalidate';

export interface TilesOptions {
  /** Force an encoder (tests compare both on one database); default: ST_AsMVT when available. */
  encoder?: Encoder;
}

/** `GET /:layer/:z/:x/:y.mvt`: vector tiles, revalidated by ETag (304 without rendering), 204 when empty. */
export function tilesRouter(ctx: AppContext, opts: TilesOptions = {}): Router {
  const router = Router();
  const { knex } = ctx.db;
  const encoder = chooseEncoder(ctx.db, opts.encoder);

  router.get('/:layer/:z/:x/:y.mvt', async (req, res) => {
    const name = req.params.layer;
    if (!isLayerName(name)) throw notFound(`Couche ${name}`);
    const coords = parseTileCoords(req.params);
    const layer = TILE_LAYERS[name];
    res.set('Cache-Control', CACHE_CONTROL);
    if (coords.z < layer.minZoom) return void res.status(204).end();

    const visibility = layer.perUser ? reportsVisibleTo(currentUser(req)) : SEE_ALL;
    const version = await layerVersion(knex, name);
    const etag = tileEtag({ name, version, coords, encoder, ...(layer.perUser ? { scope: visibility.key } : {}) });
    res.set('ETag', etag);
    if (etagMatches(req.get('If-None-Match'), etag)) return void res.status(304).end();

    const tile = await renderTile(knex, encoder, name, coords, visibility);
    if (!tile) return void res.status(204).end();
    res.type(MVT_TYPE).send(Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength));
  });

  return router;
}

import { z } from 'zod';

/** Web Mercator tile address (XYZ scheme, y down, like ST_TileEnvelope and MapLibre). */
export interface TileCoords {
  z: number;
  x: number;
  y: number;
}

export const MAX_ZOOM = 22;
/** Tile coordinate space of the encoded geometries, and the margin kept around the tile (in those units). */
export const EXTENT = 4096;
export const BUFFER = 64;

const integer = (field: string) =>
  z.string().regex(/^\d{1,8}$/, `${field} : entier positif attendu`).transform(Number);

const coordsSchema = z
  .object({ z: integer('z').pipe(z.number().max(MAX_ZOOM, `z : zoom maximal ${MAX_ZOOM}`)), x: integer('x'), y: integer('y') })
  .superRefine((c, ctx) => {
    const size = 2 ** c.z;
    for (const k of ['x', 'y'] as const) {
      if (c[k] >= size) ctx.addIssue({ code: 'custom', path: [k], message: `${k} : doit être < ${size} au zoom ${c.z}` });
    }
  });

/**
 * Validates z/x/y as given in a URL (strings). Throws a ZodError (→ 400 naming the field) when they are not
 * integers, z > 22, or x/y fall outside the 2^z × 2^z grid.
 * @example parseTileCoords({ z: '16', x: '33197', y: '22588' }) // { z: 16, x: 33197, y: 22588 }
 */
export function parseTileCoords(params: { z?: unknown; x?: unknown; y?: unknown }): TileCoords {
  return coordsSchema.parse({ z: params.z, x: params.x, y: params.y });
}

/**
 * The tile containing a WGS84 point at a zoom.
 * @example tileOf(2.36, 48.703, 16) // { z: 16, x: 33197, y: 22588 }  (Noyer Renard, Athis-Mons)
 */
export function tileOf(lon: number, lat: number, zoom: number): TileCoords {
  const n = 2 ** zoom;
  const rad = (lat * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { z: zoom, x: Math.min(Math.max(x, 0), n - 1), y: Math.min(Math.max(y, 0), n - 1) };
}

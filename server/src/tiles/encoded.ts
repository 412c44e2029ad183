/** What the two tile encoders (ST_AsMVT in PostGIS, geojson-vt + vt-pbf in Node) take and give back. */

export interface EncodeOptions {
  /** Also read the layer's data version, in the same query. */
  version?: boolean;
}

/** An encoded tile (null when no feature of the layer falls in it) and, when asked, the layer's data version. */
export interface Rendered {
  tile: Uint8Array | null;
  version?: string;
}

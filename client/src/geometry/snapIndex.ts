/**
 * Snapping targets for drawing: the vertices and edges of the parcels around the drawing and of the existing
 * sub-sectors, in a uniform grid (degrees) so that a pointer move looks at a handful of candidates only.
 * Pure code; the caller gives the projection (map.project) so that distances are in screen pixels.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

export interface SnapIndex {
  /** Grid cell size in degrees. */
  cell: number;
  /** Flat [x, y, x, y…] of every vertex. */
  vertices: Float64Array;
  /** Flat [x1, y1, x2, y2…] of every edge. */
  segments: Float64Array;
  /** Cell key → vertex indices and segment indices. */
  grid: Map<string, { v: number[]; s: number[] }>;
  /** Segments spanning too many cells, always tested. */
  long: number[];
}

export type Project = (lon: number, lat: number) => { x: number; y: number };

const key = (cx: number, cy: number) => `${cx}:${cy}`;
const MAX_CELLS_PER_SEGMENT = 64;

/**
 * Indexes the outlines of polygons (parcels, sub-sectors). About 50 m cells by default.
 * @example snapTarget(buildSnapIndex([parcel]), [2.36, 48.70], map.project, 10)
 */
export function buildSnapIndex(geometries: Iterable<Polygon | MultiPolygon>, cell = 0.0005): SnapIndex {
  const seen = new Set<string>();
  const vertices: number[] = [];
  const segments: number[] = [];
  const grid = new Map<string, { v: number[]; s: number[] }>();
  const long: number[] = [];
  const at = (cx: number, cy: number) => {
    const k = key(cx, cy);
    let c = grid.get(k);
    if (!c) grid.set(k, (c = { v: [], s: [] }));
    return c;
  };
  for (const g of geometries) {
    const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
    for (const ring of rings) {
      for (let i = 0; i < ring.length; i++) {
        const [x, y] = ring[i] as [number, number];
        const vk = `${x},${y}`;
        if (!seen.has(vk)) {
          seen.add(vk);
          at(Math.floor(x / cell), Math.floor(y / cell)).v.push(vertices.length / 2);
          vertices.push(x, y);
        }
        if (i + 1 >= ring.length) continue;
        const [x2, y2] = ring[i + 1] as [number, number];
        const s = segments.length / 4;
        segments.push(x, y, x2, y2);
        const [c0, c1] = [Math.floor(Math.min(x, x2) / cell), Math.floor(Math.max(x, x2) / cell)];
        const [r0, r1] = [Math.floor(Math.min(y, y2) / cell), Math.floor(Math.max(y, y2) / cell)];
        if ((c1 - c0 + 1) * (r1 - r0 + 1) > MAX_CELLS_PER_SEGMENT) {
          long.push(s);
          continue;
        }
        for (let cx = c0; cx <= c1; cx++) for (let cy = r0; cy <= r1; cy++) at(cx, cy).s.push(s);
      }
    }
  }
  return { cell, vertices: Float64Array.from(vertices), segments: Float64Array.from(segments), grid, long };
}

/**
 * The snapping position near a pointer: the nearest vertex within `radiusPx`, else the nearest point of an edge
 * within `radiusPx`, else undefined. `radiusDeg` bounds the cells looked at (the radius in degrees at this zoom).
 */
export function snapTarget(index: SnapIndex, lngLat: Position, project: Project, radiusPx: number, radiusDeg: number): Position | undefined {
  const [lon, lat] = lngLat as [number, number];
  const pointer = project(lon, lat);
  const c0 = Math.floor((lon - radiusDeg) / index.cell);
  const c1 = Math.floor((lon + radiusDeg) / index.cell);
  const r0 = Math.floor((lat - radiusDeg) / index.cell);
  const r1 = Math.floor((lat + radiusDeg) / index.cell);
  const vs = new Set<number>();
  const ss = new Set<number>(index.long);
  for (let cx = c0; cx <= c1; cx++) {
    for (let cy = r0; cy <= r1; cy++) {
      const c = index.grid.get(key(cx, cy));
      if (!c) continue;
      for (const v of c.v) vs.add(v);
      for (const s of c.s) ss.add(s);
    }
  }
  const r2 = radiusPx * radiusPx;
  let best: Position | undefined;
  let bestD2 = r2;
  for (const v of vs) {
    const x = index.vertices[2 * v]!;
    const y = index.vertices[2 * v + 1]!;
    if (Math.abs(x - lon) > radiusDeg || Math.abs(y - lat) > radiusDeg) continue;
    const p = project(x, y);
    const d2 = (p.x - pointer.x) ** 2 + (p.y - pointer.y) ** 2;
    if (d2 <= bestD2) {
      bestD2 = d2;
      best = [x, y];
    }
  }
  if (best) return best;
  for (const s of ss) {
    const [x1, y1, x2, y2] = [index.segments[4 * s]!, index.segments[4 * s + 1]!, index.segments[4 * s + 2]!, index.segments[4 * s + 3]!];
    if (Math.min(x1, x2) - radiusDeg > lon || Math.max(x1, x2) + radiusDeg < lon) continue;
    if (Math.min(y1, y2) - radiusDeg > lat || Math.max(y1, y2) + radiusDeg < lat) continue;
    const a = project(x1, y1);
    const b = project(x2, y2);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((pointer.x - a.x) * dx + (pointer.y - a.y) * dy) / len2));
    const d2 = (a.x + t * dx - pointer.x) ** 2 + (a.y + t * dy - pointer.y) ** 2;
    if (d2 <= bestD2) {
      bestD2 = d2;
      best = [x1 + t * (x2 - x1), y1 + t * (y2 - y1)];
    }
  }
  return best;
}

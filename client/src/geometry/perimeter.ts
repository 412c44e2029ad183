/**
 * From the polygons drawn with terra-draw to one sub-sector perimeter, and back. Pure code (no map, no Vue).
 *
 * terra-draw draws simple polygons without holes, so a perimeter is drawn as a set of rings:
 * a ring drawn inside another one is a hole of it, a ring inside a hole is an island again (even/odd nesting);
 * disjoint rings are the parts of a MultiPolygon. Rings that cross each other are left as they are and the
 * validation (`checkDrawing`) reports the crossing with its location, like a self-intersection.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { checkPerimeter, type GeometryCheck } from '@gup/server/domain';

export type Perimeter = Polygon | MultiPolygon;
export type Ring = Position[];

/** Twice the signed area of a ring in degrees² (positive when counter-clockwise). Only for orientation and nesting. */
function signedArea2(ring: Ring): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return sum;
}

/** Ray casting: whether a point lies strictly inside a closed ring (points on the outline count as outside or inside at random). */
export function pointInRing(p: Position, ring: Ring): boolean {
  const [x, y] = p as [number, number];
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A ring with its first position repeated at the end, and consecutive duplicates removed. */
export function closeRing(ring: Ring): Ring {
  const out: Ring = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push([p[0]!, p[1]!]);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0]!, first[1]!]);
  return out;
}

/** Whether a ring has at least three distinct positions (a surface). */
export function isSurface(ring: Ring): boolean {
  return new Set(ring.map((p) => `${p[0]},${p[1]}`)).size >= 3;
}

const oriented = (ring: Ring, counterClockwise: boolean): Ring => ((signedArea2(ring) > 0) === counterClockwise ? ring : [...ring].reverse());

/** A point representing a ring for the nesting test: the middle of its first edge (never a shared snapped vertex). */
const probe = (ring: Ring): Position => [(ring[0]![0]! + ring[1]![0]!) / 2, (ring[0]![1]! + ring[1]![1]!) / 2];

/**
 * Combines drawn rings into a Polygon (one part) or a MultiPolygon, holes by nesting; null when no ring is a surface.
 * Outer rings are counter-clockwise and holes clockwise (RFC 7946).
 * @example combineRings([outer, innerDrawnInsideOuter]) // { type: 'Polygon', coordinates: [outer, inner] }
 */
export function combineRings(rings: readonly Ring[]): Perimeter | null {
  const closed = rings.map(closeRing).filter(isSurface);
  if (closed.length === 0) return null;
  const areas = closed.map((r) => Math.abs(signedArea2(r)));
  // The smallest ring containing each ring is its parent; the nesting depth decides shell or hole.
  const parent = closed.map((ring, i) => {
    const p = probe(ring);
    let best = -1;
    closed.forEach((other, j) => {
      if (j === i || areas[j]! <= areas[i]! || !pointInRing(p, other)) return;
      if (best < 0 || areas[j]! < areas[best]!) best = j;
    });
    return best;
  });
  const depth = (i: number): number => (parent[i]! < 0 ? 0 : 1 + depth(parent[i]!));
  const polygons = new Map<number, Ring[]>();
  closed.forEach((ring, i) => {
    if (depth(i) % 2 === 0) polygons.set(i, [oriented(ring, true)]);
  });
  closed.forEach((ring, i) => {
    if (depth(i) % 2 === 1) polygons.get(parent[i]!)?.push(oriented(ring, false));
  });
  const parts = [...polygons.values()];
  return parts.length === 1 ? { type: 'Polygon', coordinates: parts[0]! } : { type: 'MultiPolygon', coordinates: parts };
}

/** Every ring of a perimeter (shells and holes), each to be drawn as one terra-draw polygon. */
export function ringsOf(geometry: Perimeter): Ring[] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.flat().map((ring) => ring.map((p) => [p[0]!, p[1]!]));
}

/** Bbox [w, s, e, n] of rings. */
export function ringsBbox(rings: readonly Ring[]): [number, number, number, number] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const ring of rings) {
    for (const [x, y] of ring as [number, number][]) {
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < s) s = y;
      if (y > n) n = y;
    }
  }
  return Number.isFinite(w) ? [w, s, e, n] : null;
}

/**
 * The perimeter of a drawing and its validity, with the shared rule `checkPerimeter` (reason constants, location of
 * a crossing) — crossings between two drawn rings are self-intersections of the perimeter too.
 */
export function checkDrawing(rings: readonly Ring[]): { perimeter: Perimeter | null; check: GeometryCheck | null } {
  const perimeter = combineRings(rings);
  if (!perimeter) return { perimeter: null, check: null };
  return { perimeter, check: checkPerimeter(perimeter) };
}

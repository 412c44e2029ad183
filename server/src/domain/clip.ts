/**
 * Area of (parcel ∩ perimeter) without general polygon clipping, for the live preview (a few µs per parcel where
 * Turf's `intersect` takes milliseconds). Pure code, shared by the server and the client.
 *
 * Coordinates are projected once to Lambert's cylindrical equal-area projection, x = R·λ, y = R·sin φ (relative to
 * an origin near the data): the plane in which Turf's `area` is an exact shoelace, so areas agree with it.
 * Then, with W = bbox(parcel) and O its centre:
 *   1. S' = S ∩ W, each ring of S clipped by the rectangle W (Sutherland–Hodgman: any ring, convex window);
 *   2. the indicator of S' is the signed sum of the triangles (O, a, b) over its edges a→b (the shoelace fan),
 *      so area(P ∩ S) = Σ sign(O, a, b) · area(P ∩ triangle(O, a, b)), each a convex clip of P's rings.
 * Both steps only clip by convex windows, whose degenerate cases (shared edges, vertices on edges — what snapping
 * produces) move no vertex by more than rounding: no classification of points as inside or outside is needed.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** Mean Earth radius of Turf's `area` (@turf/helpers `earthRadius`). */
const EARTH_RADIUS = 6371008.8;
const RAD = Math.PI / 180;

/** A projected ring: flat [x0, y0, x1, y1…] in metres, not closed; outer rings counter-clockwise, holes clockwise. */
export type FlatRing = number[];

/** The projection origin: λ0 (radians) and sin φ0. */
export interface Origin {
  lambda0: number;
  sinPhi0: number;
}

export interface ProjectedArea {
  rings: FlatRing[];
  /** [minX, minY, maxX, maxY] in projected metres. */
  bbox: [number, number, number, number];
}

export const originAt = (lon: number, lat: number): Origin => ({ lambda0: lon * RAD, sinPhi0: Math.sin(lat * RAD) });

/** Twice the signed area of a flat ring (positive counter-clockwise). */
export function signedArea2(r: FlatRing): number {
  let s = 0;
  const n = r.length;
  for (let i = 0; i < n; i += 2) {
    const j = i + 2 < n ? i + 2 : 0;
    s += r[i]! * r[j + 1]! - r[j]! * r[i + 1]!;
  }
  return s;
}

function reverse(r: FlatRing): FlatRing {
  const out: FlatRing = new Array(r.length);
  for (let i = 0, n = r.length; i < n; i += 2) {
    out[n - 2 - i] = r[i]!;
    out[n - 1 - i] = r[i + 1]!;
  }
  return out;
}

/**
 * Projects a Polygon or MultiPolygon: each polygon's first ring counter-clockwise, the others (holes) clockwise;
 * the closing position is dropped.
 */
export function projectArea(g: Polygon | MultiPolygon, o: Origin): ProjectedArea {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const rings: FlatRing[] = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const poly of polygons) {
    poly.forEach((ring: Position[], k: number) => {
      const n = ring.length - (ring.length > 1 && ring[0]![0] === ring[ring.length - 1]![0] && ring[0]![1] === ring[ring.length - 1]![1] ? 1 : 0);
      if (n < 3) return;
      const r: FlatRing = new Array(2 * n);
      for (let i = 0; i < n; i++) {
        const x = EARTH_RADIUS * (ring[i]![0]! * RAD - o.lambda0);
        const y = EARTH_RADIUS * (Math.sin(ring[i]![1]! * RAD) - o.sinPhi0);
        r[2 * i] = x;
        r[2 * i + 1] = y;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      const ccw = signedArea2(r) > 0;
      rings.push(ccw === (k === 0) ? r : reverse(r));
    });
  }
  return { rings, bbox: [minX, minY, maxX, maxY] };
}

/** Keeps the part of a ring left of the directed line a→b (Sutherland–Hodgman, one edge of a convex window). */
function clipHalfPlane(r: FlatRing, ax: number, ay: number, bx: number, by: number): FlatRing {
  const out: FlatRing = [];
  const n = r.length;
  if (n === 0) return out;
  const dx = bx - ax;
  const dy = by - ay;
  let px = r[n - 2]!;
  let py = r[n - 1]!;
  let pSide = dx * (py - ay) - dy * (px - ax);
  for (let i = 0; i < n; i += 2) {
    const cx = r[i]!;
    const cy = r[i + 1]!;
    const cSide = dx * (cy - ay) - dy * (cx - ax);
    if (cSide >= 0) {
      if (pSide < 0) {
        const t = pSide / (pSide - cSide);
        out.push(px + t * (cx - px), py + t * (cy - py));
      }
      out.push(cx, cy);
    } else if (pSide >= 0) {
      const t = pSide / (pSide - cSide);
      out.push(px + t * (cx - px), py + t * (cy - py));
    }
    px = cx;
    py = cy;
    pSide = cSide;
  }
  return out;
}

/** A ring clipped by the rectangle [minX, minY, maxX, maxY]. */
function clipRect(r: FlatRing, [minX, minY, maxX, maxY]: [number, number, number, number]): FlatRing {
  let out = clipHalfPlane(r, minX, minY, maxX, minY);
  out = clipHalfPlane(out, maxX, minY, maxX, maxY);
  out = clipHalfPlane(out, maxX, maxY, minX, maxY);
  return clipHalfPlane(out, minX, maxY, minX, minY);
}

const boxesMeet = (a: readonly number[], b: readonly number[]) => !(a[2]! < b[0]! || b[2]! < a[0]! || a[3]! < b[1]! || b[3]! < a[1]!);

/** The ring's bbox (flat ring). */
function ringBox(r: FlatRing): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i]! < minX) minX = r[i]!;
    if (r[i]! > maxX) maxX = r[i]!;
    if (r[i + 1]! < minY) minY = r[i + 1]!;
    if (r[i + 1]! > maxY) maxY = r[i + 1]!;
  }
  return [minX, minY, maxX, maxY];
}

/** A perimeter projected once per preview, with the bbox of each ring. */
export interface ProjectedPerimeter extends ProjectedArea {
  ringBoxes: [number, number, number, number][];
}

export function projectPerimeter(g: Polygon | MultiPolygon, o: Origin): ProjectedPerimeter {
  const p = projectArea(g, o);
  return { ...p, ringBoxes: p.rings.map(ringBox) };
}

/**
 * Area in m² of (area ∩ perimeter), both projected with the same origin.
 * @example intersectionArea(projectArea(parcel, o), projectPerimeter(drawn, o)) // ≈ turfArea(intersect(parcel, drawn))
 */
export function intersectionArea(a: ProjectedArea, s: ProjectedPerimeter): number {
  const w = a.bbox;
  if (!boxesMeet(w, s.bbox)) return 0;
  const ox = (w[0] + w[2]) / 2;
  const oy = (w[1] + w[3]) / 2;
  let twice = 0;
  for (let k = 0; k < s.rings.length; k++) {
    if (!boxesMeet(w, s.ringBoxes[k]!)) continue;
    const local = clipRect(s.rings[k]!, w);
    const n = local.length;
    if (n < 6) continue;
    for (let i = 0; i < n; i += 2) {
      const j = i + 2 < n ? i + 2 : 0;
      const ax = local[i]!;
      const ay = local[i + 1]!;
      const bx = local[j]!;
      const by = local[j + 1]!;
      const orient = (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);
      if (orient === 0) continue;
      // The triangle (O, a, b) counter-clockwise, its sign carried by `orient`.
      const [px, py, qx, qy] = orient > 0 ? [ax, ay, bx, by] : [bx, by, ax, ay];
      for (const ring of a.rings) {
        let part = clipHalfPlane(ring, ox, oy, px, py);
        part = clipHalfPlane(part, px, py, qx, qy);
        part = clipHalfPlane(part, qx, qy, ox, oy);
        if (part.length >= 6) twice += orient > 0 ? signedArea2(part) : -signedArea2(part);
      }
    }
  }
  return Math.max(0, twice / 2);
}

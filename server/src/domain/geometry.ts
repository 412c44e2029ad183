/**
 * Validation of a drawn or uploaded perimeter (GeoJSON Polygon or MultiPolygon in WGS84). Bad user data returns
 * `{ valid: false, reason, message, location? }` with a reason constant that tests and the UI match on.
 * Pure code, shared by the server and the client (which shows the location while drawing).
 */
import turfArea from '@turf/area';
import type { MultiPolygon, Polygon, Position } from 'geojson';

export const GEOMETRY_REASONS = {
  notPolygon: 'not_polygon',
  tooFewPoints: 'too_few_points',
  unclosedRing: 'unclosed_ring',
  badCoordinate: 'bad_coordinate',
  swappedCoordinates: 'swapped_coordinates',
  outsideFrance: 'outside_france',
  tooManyVertices: 'too_many_vertices',
  selfIntersection: 'self_intersection',
} as const;
export type GeometryReason = (typeof GEOMETRY_REASONS)[keyof typeof GEOMETRY_REASONS];

export type GeometryCheck =
  | { valid: true; geometry: Polygon | MultiPolygon; vertices: number }
  | { valid: false; reason: GeometryReason; message: string; location?: Position };

export const MAX_VERTICES = 10_000;

/**
 * Bounds of the land a sub-sector computation may take in (preview, save, and the land sent to the browser for the
 * live preview, whose bbox is the perimeter's grown by 150 m): a few seconds of work on the embedded database, done
 * in statements of ~0.1 s so that other requests are served meanwhile (DESIGN 3.2, issue 11). A sub-sector is a
 * residence or a neighbourhood: a QPV is 20–60 ha, and the land around the Noyer Renard QPV holds ~1 100 parcels.
 */
export const LAND_LIMITS = {
  /** Area of the perimeter (or of the bbox asked for the live preview), m². */
  maxAreaM2: 2_000_000,
  /** Parcels meeting the perimeter's (or the bbox's) bounding box. */
  maxParcels: 3000,
} as const;

/** Area in m² of a lon/lat bbox (as Turf measures it), to bound the land asked for. */
export function bboxAreaM2([w, s, e, n]: readonly [number, number, number, number]): number {
  return turfArea({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
}

/** Area in m² of a valid perimeter (Turf, the browser's measure; PostGIS agrees within a few parts per million). */
export const perimeterAreaM2 = (g: Polygon | MultiPolygon): number => turfArea(g);

/** [minLon, minLat, maxLon, maxLat] of metropolitan France and the overseas départements. */
const FRANCE_BOXES: readonly (readonly [number, number, number, number])[] = [
  [-5.5, 41, 10, 51.5],
  [-61.9, 15.8, -60.8, 16.6],
  [-61.3, 14.3, -60.7, 14.9],
  [-54.7, 2.1, -51.5, 5.9],
  [55.1, -21.5, 55.9, -20.8],
  [44.9, -13.1, 45.4, -12.5],
];

export const inFrance = (lon: number, lat: number): boolean =>
  FRANCE_BOXES.some(([w, s, e, n]) => lon >= w && lon <= e && lat >= s && lat <= n);

const fail = (reason: GeometryReason, message: string, location?: Position): GeometryCheck =>
  location ? { valid: false, reason, message, location } : { valid: false, reason, message };

/**
 * Checks structure, coordinates and simplicity of a perimeter.
 * @example checkPerimeter({ type: 'Polygon', coordinates: [[[2.36, 48.70], [2.37, 48.70], [2.36, 48.71]]] }).reason // 'unclosed_ring'
 */
export function checkPerimeter(input: unknown): GeometryCheck {
  const g = input as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object' || (g.type !== 'Polygon' && g.type !== 'MultiPolygon') || !Array.isArray(g.coordinates)) {
    return fail(GEOMETRY_REASONS.notPolygon, 'Un Polygon ou MultiPolygon GeoJSON est attendu');
  }
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown[];
  if (polygons.length === 0) return fail(GEOMETRY_REASONS.tooFewPoints, 'Géométrie vide');
  let vertices = 0;
  for (const poly of polygons) {
    if (!Array.isArray(poly) || poly.length === 0) return fail(GEOMETRY_REASONS.tooFewPoints, 'Polygone vide');
    for (const ring of poly as unknown[]) {
      if (!Array.isArray(ring)) return fail(GEOMETRY_REASONS.notPolygon, 'Anneau invalide');
      vertices += ring.length;
      if (vertices > MAX_VERTICES) return fail(GEOMETRY_REASONS.tooManyVertices, `Trop de sommets (plus de ${MAX_VERTICES})`);
      for (const p of ring as unknown[]) {
        if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
          return fail(GEOMETRY_REASONS.badCoordinate, 'Coordonnée invalide : [longitude, latitude] en nombres attendus');
        }
        const [lon, lat] = p as number[] as [number, number];
        if (!inFrance(lon, lat)) {
          return inFrance(lat, lon)
            ? fail(GEOMETRY_REASONS.swappedCoordinates, 'Coordonnées inversées : GeoJSON attend [longitude, latitude]', [lon, lat])
            : fail(GEOMETRY_REASONS.outsideFrance, 'Coordonnée hors de France', [lon, lat]);
        }
      }
      const r = ring as Position[];
      if (new Set(r.map((p) => `${p[0]},${p[1]}`)).size < 3 || r.length < 4) {
        return fail(GEOMETRY_REASONS.tooFewPoints, 'Un anneau doit avoir au moins 3 sommets distincts', r[0]);
      }
      const first = r[0]!;
      const last = r[r.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) return fail(GEOMETRY_REASONS.unclosedRing, 'Anneau non fermé : le dernier point doit répéter le premier', last);
    }
  }
  const geometry = g as Polygon | MultiPolygon;
  const crossing = firstCrossing(polygons as Position[][][]);
  if (crossing) return fail(GEOMETRY_REASONS.selfIntersection, 'Le contour se recoupe', crossing);
  return { valid: true, geometry, vertices };
}

/** Where segments p1→p2 and q1→q2 meet (end points included), or null; parallel segments never meet (as Turf's kinks). */
function segmentsMeet(p1: Position, p2: Position, q1: Position, q2: Position): Position | null {
  const dx = p2[0]! - p1[0]!;
  const dy = p2[1]! - p1[1]!;
  const ex = q2[0]! - q1[0]!;
  const ey = q2[1]! - q1[1]!;
  const den = ey * dx - ex * dy;
  if (den === 0) return null;
  const ay = p1[1]! - q1[1]!;
  const ax = p1[0]! - q1[0]!;
  const a = (ex * ay - ey * ax) / den;
  const b = (dx * ay - dy * ax) / den;
  return a >= 0 && a <= 1 && b >= 0 && b <= 1 ? [p1[0]! + a * dx, p1[1]! + a * dy] : null;
}

/**
 * The first place where two edges of the rings cross or touch (edges next to each other in a ring excepted), or
 * null: what Turf's `kinks` finds, without comparing every pair of edges (kinks took 2.3 s for 10 000 vertices):
 * a sweep over x (edges sorted by their west end; an edge is compared only with the edges still open at that x),
 * the open edges kept in horizontal bands (√n of them) so that only edges overlapping in y too are compared. Long
 * thin shapes (a comb, a zigzag) cost n^1.5 at worst instead of n²: 10 000 vertices in ~20–50 ms.
 * @example firstCrossing([[[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]]) // [1, 1]
 */
export function firstCrossing(polygons: readonly (readonly (readonly Position[])[])[]): Position | null {
  interface Edge { ring: number; i: number; last: number; a: Position; b: Position; minX: number; maxX: number; minY: number; maxY: number }
  const edges: Edge[] = [];
  let ringId = 0;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const poly of polygons) {
    for (const ring of poly) {
      const last = ring.length - 2;
      for (let i = 0; i <= last; i++) {
        const a = ring[i]!;
        const b = ring[i + 1]!;
        const e = { ring: ringId, i, last, a, b, minX: Math.min(a[0]!, b[0]!), maxX: Math.max(a[0]!, b[0]!), minY: Math.min(a[1]!, b[1]!), maxY: Math.max(a[1]!, b[1]!) };
        edges.push(e);
        if (e.minY < minY) minY = e.minY;
        if (e.maxY > maxY) maxY = e.maxY;
      }
      ringId++;
    }
  }
  edges.sort((p, q) => p.minX - q.minX);
  const count = Math.max(1, Math.ceil(Math.sqrt(edges.length)));
  const height = (maxY - minY) / count || 1;
  const bandOf = (y: number) => Math.min(count - 1, Math.floor((y - minY) / height));
  const bands: Edge[][] = Array.from({ length: count }, () => []);
  for (const e of edges) {
    const first = bandOf(e.minY);
    const lastBand = bandOf(e.maxY);
    for (let k = first; k <= lastBand; k++) {
      const band = bands[k]!;
      let kept = 0;
      for (const o of band) {
        if (o.maxX < e.minX) continue; // closed: west of the sweep
        band[kept++] = o;
        if (o.maxY < e.minY || e.maxY < o.minY) continue;
        if (o.ring === e.ring && (Math.abs(o.i - e.i) === 1 || Math.abs(o.i - e.i) === o.last)) continue;
        const at = segmentsMeet(o.a, o.b, e.a, e.b);
        if (at) return at;
      }
      band.length = kept;
      band.push(e);
    }
  }
  return null;
}

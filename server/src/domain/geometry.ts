/**
 * Validation of a drawn or uploaded perimeter (GeoJSON Polygon or MultiPolygon in WGS84). Bad user data returns
 * `{ valid: false, reason, message, location? }` with a reason constant that tests and the UI match on.
 * Pure code, shared by the server and the client (which shows the location while drawing).
 */
import kinks from '@turf/kinks';
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
  const crossings = kinks(geometry);
  const k = crossings.features[0];
  if (k) return fail(GEOMETRY_REASONS.selfIntersection, 'Le contour se recoupe', k.geometry.coordinates);
  return { valid: true, geometry, vertices };
}

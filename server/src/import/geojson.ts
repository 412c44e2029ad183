import { ImportError } from './errors.js';

type Position = number[];
export interface Feature {
  type: 'Feature';
  id?: string | number;
  properties: Record<string, unknown> | null;
  geometry: { type: string; coordinates: unknown };
}

/** Checks a FeatureCollection's shape and returns its features. */
export function featuresOf(fileName: string, data: unknown): Feature[] {
  const fc = data as { type?: unknown; features?: unknown };
  if (!fc || typeof fc !== 'object' || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new ImportError(fileName, null, 'FeatureCollection GeoJSON attendue');
  }
  return fc.features as Feature[];
}

function isPosition(p: unknown): p is Position {
  return Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number'
    && Number.isFinite(p[0]) && Number.isFinite(p[1]) && Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90;
}

function ringProblem(ring: unknown): string | null {
  if (!Array.isArray(ring) || ring.length < 4) return 'anneau de moins de 4 positions';
  if (!ring.every(isPosition)) return 'coordonnée invalide (nombres lon/lat WGS84 attendus)';
  const first = ring[0] as Position;
  const last = ring[ring.length - 1] as Position;
  if (first[0] !== last[0] || first[1] !== last[1]) return 'anneau non fermé';
  return null;
}

/** Why a feature's geometry cannot be a (Multi)Polygon in WGS84, or null when it is fine. */
export function polygonProblem(f: Feature): string | null {
  const g = f?.geometry;
  if (!g || typeof g !== 'object') return 'géométrie absente';
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? (g.coordinates as unknown[]) : null;
  if (!polygons) return `géométrie ${String(g.type)} : Polygon ou MultiPolygon attendu`;
  if (!Array.isArray(polygons) || polygons.length === 0) return 'géométrie vide';
  for (const poly of polygons) {
    if (!Array.isArray(poly) || poly.length === 0) return 'polygone vide';
    for (const ring of poly) {
      const problem = ringProblem(ring);
      if (problem) return problem;
    }
  }
  return null;
}

/** Throws an ImportError naming the feature when its geometry is unusable. */
export function requirePolygon(fileName: string, f: Feature, index: number): void {
  const problem = polygonProblem(f);
  if (problem) throw new ImportError(fileName, `entité n° ${index + 1}`, problem);
}

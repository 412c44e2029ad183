/**
 * GeoJSON drawn as SVG path data in a box (for a PDF map without any tile server): an equirectangular projection
 * scaled by cos(latitude) at the centre, which at a commune's scale is indistinguishable from Web Mercator.
 * Pure code.
 */
import type { Geometry, Position } from 'geojson';

export interface Box { x: number; y: number; width: number; height: number }
export type Bounds = [number, number, number, number];

/** Bounds of a list of geometries ([west, south, east, north]), or null when they hold no position. */
export function boundsOf(geometries: readonly Geometry[]): Bounds | null {
  let b: Bounds | null = null;
  const visit = (p: Position) => {
    const [x, y] = p as [number, number];
    b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
  };
  for (const g of geometries) eachPosition(g, visit);
  return b;
}

function eachPosition(g: Geometry, f: (p: Position) => void): void {
  switch (g.type) {
    case 'Point': f(g.coordinates); break;
    case 'MultiPoint': case 'LineString': g.coordinates.forEach(f); break;
    case 'MultiLineString': case 'Polygon': g.coordinates.forEach((l) => l.forEach(f)); break;
    case 'MultiPolygon': g.coordinates.forEach((p) => p.forEach((l) => l.forEach(f))); break;
    case 'GeometryCollection': g.geometries.forEach((x) => eachPosition(x, f)); break;
  }
}

/**
 * A projection of `bounds` (grown by `margin`, as a fraction) into `box`, keeping the aspect ratio, centred.
 * @example projection([2.0, 48.0, 2.1, 48.1], { x: 0, y: 0, width: 100, height: 100 }, 0)([2.05, 48.05]) // [50, 50]
 */
export function projection(bounds: Bounds, box: Box, margin = 0.08): (p: Position) => [number, number] {
  const k = Math.cos((((bounds[1] + bounds[3]) / 2) * Math.PI) / 180);
  const w = Math.max((bounds[2] - bounds[0]) * k, 1e-6) * (1 + 2 * margin);
  const h = Math.max(bounds[3] - bounds[1], 1e-6) * (1 + 2 * margin);
  const scale = Math.min(box.width / w, box.height / h);
  const cx = (bounds[0] + bounds[2]) / 2;
  const cy = (bounds[1] + bounds[3]) / 2;
  return (p) => [box.x + box.width / 2 + (p[0]! - cx) * k * scale, box.y + box.height / 2 - (p[1]! - cy) * scale];
}

const ring = (line: Position[], project: (p: Position) => [number, number], close: boolean) =>
  line.map((p, i) => { const [x, y] = project(p); return `${i ? 'L' : 'M'} ${x.toFixed(2)} ${y.toFixed(2)}`; }).join(' ') + (close ? ' Z' : '');

/**
 * SVG path data of a line or polygon geometry (points are drawn as symbols by the caller).
 * @example svgPath({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }, (p) => [p[0]!, p[1]!]) // 'M 0.00 0.00 L 1.00 1.00'
 */
export function svgPath(g: Geometry, project: (p: Position) => [number, number]): string {
  switch (g.type) {
    case 'LineString': return ring(g.coordinates, project, false);
    case 'MultiLineString': return g.coordinates.map((l) => ring(l, project, false)).join(' ');
    case 'Polygon': return g.coordinates.map((l) => ring(l, project, true)).join(' ');
    case 'MultiPolygon': return g.coordinates.map((p) => p.map((l) => ring(l, project, true)).join(' ')).join(' ');
    case 'GeometryCollection': return g.geometries.map((x) => svgPath(x, project)).join(' ');
    default: return '';
  }
}

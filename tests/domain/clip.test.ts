import turfArea from '@turf/area';
import { feature, featureCollection } from '@turf/helpers';
import intersect from '@turf/intersect';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { intersectionArea, originAt, projectArea, projectPerimeter } from '../../server/src/domain/clip.js';

const O = originAt(2.36, 48.7);
const box = (w: number, s: number, e: number, n: number, clockwise = false): Position[] => {
  const ring: Position[] = [[w, s], [e, s], [e, n], [w, n], [w, s]];
  return clockwise ? ring.reverse() : ring;
};
const turfIntersection = (a: Polygon | MultiPolygon, b: Polygon | MultiPolygon) => {
  const inter = intersect(featureCollection([feature(a), feature(b)]));
  return inter ? turfArea(inter) : 0;
};
const ours = (a: Polygon | MultiPolygon, b: Polygon | MultiPolygon) => intersectionArea(projectArea(a, O), projectPerimeter(b, O));

/** A star-shaped ring around (lon, lat) with `k` vertices (deterministic radii). */
function star(lon: number, lat: number, k: number, seed: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < k; i++) {
    const a = (i / k) * 2 * Math.PI;
    const r = 0.0002 + 0.0006 * Math.abs(Math.sin(seed * 7.1 + i * 3.3));
    ring.push([lon + r * Math.cos(a), lat + 0.66 * r * Math.sin(a)]);
  }
  ring.push(ring[0]!);
  return ring;
}

describe('area of a parcel inside a perimeter, without general clipping (clip.ts)', () => {
  it('when a parcel shares edges with the perimeter (snapping), then its area inside is exact', () => {
    const perimeter: Polygon = { type: 'Polygon', coordinates: [box(2.36, 48.7, 2.37, 48.701)] };
    const left: Polygon = { type: 'Polygon', coordinates: [box(2.36, 48.7, 2.366, 48.701)] };
    const across: Polygon = { type: 'Polygon', coordinates: [box(2.359, 48.7, 2.361, 48.701, true)] };
    expect(ours(left, perimeter) / turfArea(perimeter)).toBeCloseTo(0.6, 10);
    expect(ours(across, perimeter) / turfArea(left)).toBeCloseTo(1 / 6, 9);
    expect(ours({ type: 'Polygon', coordinates: [box(2.37, 48.7, 2.371, 48.701)] }, perimeter)).toBeCloseTo(0, 6); // touching only
  });

  it('when the perimeter has a hole or several parts, then the hole is not counted and the parts are', () => {
    const holed: Polygon = { type: 'Polygon', coordinates: [box(2.36, 48.7, 2.37, 48.701), box(2.362, 48.7002, 2.364, 48.7008, true)] };
    const parcel: Polygon = { type: 'Polygon', coordinates: [box(2.361, 48.7001, 2.365, 48.7009)] };
    expect(ours(parcel, holed)).toBeCloseTo(turfIntersection(parcel, holed), 3);
    const parts: MultiPolygon = { type: 'MultiPolygon', coordinates: [[box(2.36, 48.7, 2.362, 48.701)], [box(2.364, 48.7, 2.366, 48.701)]] };
    expect(ours(parcel, parts)).toBeCloseTo(turfIntersection(parcel, parts), 3);
  });

  it('when random perimeters cross random parcels, then the areas agree with Turf within a millionth of the parcel', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const perimeter: Polygon = { type: 'Polygon', coordinates: [star(2.3605, 48.7004, 5 + (seed % 17), seed)] };
      const parcel: Polygon = { type: 'Polygon', coordinates: [star(2.3605 + 0.0004 * Math.sin(seed), 48.7004 + 0.0003 * Math.cos(seed), 4 + (seed % 9), seed + 100)] };
      const expected = turfIntersection(parcel, perimeter);
      expect(Math.abs(ours(parcel, perimeter) - expected)).toBeLessThan(Math.max(1e-3, turfArea(parcel) * 1e-6));
    }
  });
});

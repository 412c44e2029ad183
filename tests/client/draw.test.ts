/** The pure parts of the planner's drawing tool (client/src/geometry): rings → perimeter, validity, snapping. */
import type { Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { checkDrawing, combineRings, ringsOf } from '../../client/src/geometry/perimeter.js';
import { buildSnapIndex, snapTarget } from '../../client/src/geometry/snapIndex.js';

const square = (lon: number, lat: number, d: number, clockwise = false): Position[] => {
  const ring: Position[] = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]];
  return clockwise ? ring.reverse() : ring;
};
/** A flat projection for snapping tests: 1 px = 1e-6 degree. */
const project = (lon: number, lat: number) => ({ x: lon * 1e6, y: -lat * 1e6 });

describe('drawn rings become one perimeter', () => {
  it('when a ring is drawn inside another one, then it is a hole of it (clockwise), and the outer ring counter-clockwise', () => {
    const g = combineRings([square(2.36, 48.7, 0.001, true), square(2.3603, 48.7003, 0.0002)]);
    expect(g?.type).toBe('Polygon');
    const [outer, hole] = (g as { coordinates: Position[][] }).coordinates as [Position[], Position[]];
    const twiceArea = (r: Position[]) => r.slice(0, -1).reduce((s, p, i) => s + p[0]! * r[i + 1]![1]! - r[i + 1]![0]! * p[1]!, 0);
    expect(twiceArea(outer)).toBeGreaterThan(0);
    expect(twiceArea(hole)).toBeLessThan(0);
  });

  it('when rings are apart, then they are the parts of a MultiPolygon; an island in a hole is a part again', () => {
    expect(combineRings([square(2.36, 48.7, 0.001), square(2.37, 48.7, 0.001)])?.type).toBe('MultiPolygon');
    const nested = combineRings([square(2.36, 48.7, 0.001), square(2.3602, 48.7002, 0.0006), square(2.3604, 48.7004, 0.0002)]);
    expect(nested?.type).toBe('MultiPolygon');
    expect((nested as { coordinates: Position[][][] }).coordinates.map((p) => p.length)).toEqual([2, 1]);
  });

  it('when a perimeter is loaded for editing, then each ring (shells and holes) is one drawn ring, and combining gives it back', () => {
    const holed = combineRings([square(2.36, 48.7, 0.001), square(2.3603, 48.7003, 0.0002)])!;
    expect(ringsOf(holed)).toHaveLength(2);
    expect(combineRings(ringsOf(holed))).toEqual(holed);
  });

  it('when two drawn rings cross, or one crosses itself, then the shared rule says self_intersection with the location', () => {
    const crossing = checkDrawing([square(2.36, 48.7, 0.001), square(2.3605, 48.7005, 0.001)]);
    expect(crossing.check).toMatchObject({ valid: false, reason: 'self_intersection' });
    const bowtie = checkDrawing([[[2.36, 48.7], [2.361, 48.701], [2.361, 48.7], [2.36, 48.701], [2.36, 48.7]]]);
    expect(bowtie.check).toMatchObject({ valid: false, reason: 'self_intersection' });
    expect((bowtie.check as { location: Position }).location[0]).toBeCloseTo(2.3605, 9);
    expect(checkDrawing([square(2.36, 48.7, 0.001)]).check).toMatchObject({ valid: true });
    expect(checkDrawing([[[2.36, 48.7], [2.361, 48.7]]])).toEqual({ perimeter: null, check: null }); // not a surface yet
  });
});

describe('snapping to parcel outlines', () => {
  const index = buildSnapIndex([{ type: 'Polygon', coordinates: [square(2.36, 48.7, 0.0001)] }]);

  it('when the pointer is near a vertex, then it snaps to the vertex, even if an edge is nearer', () => {
    expect(snapTarget(index, [2.360006, 48.700003], project, 10, 1e-5)).toEqual([2.36, 48.7]);
  });

  it('when the pointer is near an edge only, then it snaps to the nearest point of the edge; far away, not at all', () => {
    const p = snapTarget(index, [2.36005, 48.700004], project, 10, 1e-5)!;
    expect(p[0]).toBeCloseTo(2.36005, 9);
    expect(p[1]).toBeCloseTo(48.7, 9);
    expect(snapTarget(index, [2.36005, 48.70005], project, 10, 1e-5)).toBeUndefined();
  });
});

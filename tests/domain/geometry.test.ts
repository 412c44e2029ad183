import kinks from '@turf/kinks';
import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { checkPerimeter, firstCrossing, GEOMETRY_REASONS } from '../../server/src/domain/geometry.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const closed = (ring: Position[]): Position[] => [...ring, ring[0]!];

/** A comb: `teeth` long horizontal teeth, 4 vertices each — every edge spans the whole width (the worst case of a sweep over x alone). */
function comb(teeth: number): Polygon {
  const ring: Position[] = [];
  for (let i = 0; i < teeth; i++) {
    const y = 48.7 + i * 0.00002;
    ring.push([2.36, y], [2.40, y], [2.40, y + 0.00001], [2.36, y + 0.00001]);
  }
  ring.push([2.359, 48.7 + teeth * 0.00002], [2.359, 48.7]);
  return { type: 'Polygon', coordinates: [closed(ring)] };
}
const fastest = (fn: () => unknown, runs = 5) => {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
};

describe('self-intersection of a perimeter (checkPerimeter)', () => {
  it('when a bowtie is checked, then the crossing is found where the edges cross', () => {
    expect(firstCrossing([[[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]])).toEqual([1, 1]);
  });

  it('when two parts of a MultiPolygon cross, or a hole crosses its shell, then it is a self-intersection', () => {
    const a = closed([[2.36, 48.70], [2.362, 48.70], [2.362, 48.702], [2.36, 48.702]]);
    const b = closed([[2.361, 48.701], [2.363, 48.701], [2.363, 48.703], [2.361, 48.703]]);
    expect(checkPerimeter({ type: 'MultiPolygon', coordinates: [[a], [b]] })).toMatchObject({ valid: false, reason: GEOMETRY_REASONS.selfIntersection });
    expect(checkPerimeter({ type: 'Polygon', coordinates: [a, b] })).toMatchObject({ valid: false, reason: GEOMETRY_REASONS.selfIntersection });
  });

  it('when 300 random rings are checked, then a crossing is found exactly when Turf\'s kinks finds one', () => {
    const rand = prng(11);
    let crossing = 0;
    for (let k = 0; k < 300; k++) {
      const n = 4 + Math.floor(rand() * 9);
      const ring = closed(Array.from({ length: n }, () => [2.36 + rand() * 0.01, 48.70 + rand() * 0.01]));
      const expected = kinks({ type: 'Polygon', coordinates: [ring] }).features.length > 0;
      expect(firstCrossing([[ring]]) !== null, JSON.stringify(ring)).toBe(expected);
      if (expected) crossing++;
    }
    expect(crossing).toBeGreaterThan(50);
    expect(crossing).toBeLessThan(300);
  });

  it('when the perimeter has the most vertices allowed, then the check does not grow with the square of them (kinks compared every pair: 400× the time for 20× the vertices)', () => {
    const small = comb(125); // 502 vertices
    const large = comb(2490); // 9 962 vertices
    expect(checkPerimeter(large).valid).toBe(true);
    const ratio = fastest(() => checkPerimeter(large)) / fastest(() => checkPerimeter(small));
    expect(ratio).toBeLessThan(200); // n^1.5 at worst for a comb (√n bands): ~90×
  });
});

/**
 * Runs in the browser page of bench/preview-browser.ts, bundled by Vite (IIFE) from the same domain sources the
 * client bundles (server/src/domain, Turf): `previewDelegation` over prepared land, timed per recompute while one
 * vertex at a time moves by a few decimetres (like a dragged vertex), beside a naive Turf loop that intersects every
 * loaded parcel with the perimeter. Exposed as `window.__previewBench`; nothing else.
 */
import turfArea from '@turf/area';
import { feature, featureCollection } from '@turf/helpers';
import intersect from '@turf/intersect';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { prepareLand, previewDelegation, type DelegationResult, type LandCommune, type LandFace, type LandParcel } from '../server/src/domain/index.js';

export interface PageLand {
  threshold: number;
  parcels: LandParcel[];
  faces: LandFace[];
  communes: LandCommune[];
}

export interface PageRun {
  prepareMs: number;
  /** ms per recompute with previewDelegation (after warm-up). */
  preview: number[];
  /** ms per recompute with the naive loop. */
  naive: number[];
  /** Results for the unmoved perimeter (to compare with the server). */
  result: DelegationResult;
  naiveShares: Record<string, number>;
  /** Parcels whose bbox meets the perimeter's (what the rule has to look at). */
  candidates: number;
  userAgent: string;
}

/** The perimeter with vertex `i mod n` moved by up to ~0.4 m (deterministic), ring kept closed. */
export function moved(perimeter: Polygon, i: number): Polygon {
  const ring = perimeter.coordinates[0]!;
  const n = ring.length - 1;
  const k = i % n;
  const dx = Math.sin(i * 12.9898) * 0.000005;
  const dy = Math.cos(i * 78.233) * 0.000004;
  const next: Position[] = ring.map((p, j) => (j === k || (k === 0 && j === n) ? [p[0]! + dx, p[1]! + dy] : p));
  return { type: 'Polygon', coordinates: [next, ...perimeter.coordinates.slice(1)] };
}

/** The obvious way: intersect every parcel with the perimeter and sum the areas per lead owner. */
function naiveShares(perimeter: Feature<Polygon>, parcels: { f: Feature<Polygon | MultiPolygon>; owner: string }[]): Record<string, number> {
  const by: Record<string, number> = {};
  let total = 0;
  for (const p of parcels) {
    const inter = intersect(featureCollection([perimeter, p.f]));
    if (!inter) continue;
    const m2 = turfArea(inter);
    by[p.owner] = (by[p.owner] ?? 0) + m2;
    total += m2;
  }
  const area = turfArea(perimeter);
  by.public_domain = Math.max(0, area - total);
  for (const k of Object.keys(by)) by[k] = by[k]! / area;
  return by;
}

function run(land: PageLand, perimeter: Polygon, iterations: number, naiveIterations: number, warmup: number): PageRun {
  const t0 = performance.now();
  const prepared = prepareLand(land.parcels, land.faces, land.communes);
  const prepareMs = performance.now() - t0;
  const [w, s, e, n] = perimeter.coordinates[0]!.reduce(
    (b, p) => [Math.min(b[0]!, p[0]!), Math.min(b[1]!, p[1]!), Math.max(b[2]!, p[0]!), Math.max(b[3]!, p[1]!)],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
  const candidates = prepared.parcels.filter((p) => !(p.bbox[2] < w! || p.bbox[0] > e! || p.bbox[3] < s! || p.bbox[1] > n!)).length;

  for (let i = 0; i < warmup; i++) previewDelegation(moved(perimeter, i), prepared, land.threshold);
  const preview: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const g = moved(perimeter, i + 1);
    const start = performance.now();
    previewDelegation(g, prepared, land.threshold);
    preview.push(performance.now() - start);
  }

  const parcels = land.parcels.map((p) => ({ f: feature(p.geometry), owner: p.owners[0]?.organisationCode ?? 'private' }));
  for (let i = 0; i < Math.min(warmup, 3); i++) naiveShares(feature(moved(perimeter, i)), parcels);
  const naive: number[] = [];
  for (let i = 0; i < naiveIterations; i++) {
    const g = feature(moved(perimeter, i + 1));
    const start = performance.now();
    naiveShares(g, parcels);
    naive.push(performance.now() - start);
  }
  return {
    prepareMs,
    preview,
    naive,
    result: previewDelegation(perimeter, prepared, land.threshold),
    naiveShares: naiveShares(feature(perimeter), parcels),
    candidates,
    userAgent: navigator.userAgent,
  };
}

declare global {
  interface Window {
    __previewBench?: { run: typeof run };
  }
}

window.__previewBench = Object.freeze({ run });

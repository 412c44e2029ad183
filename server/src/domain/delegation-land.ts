/**
 * The land inside a perimeter, computed in the browser with Turf for the live preview of the 60 % rule.
 * The server computes the same quantities in PostGIS; both feed `delegationOutcome` (delegation.ts).
 * Speed: parcels are prepared once (bbox, area, projected rings); a parcel whose bbox lies inside the perimeter (a
 * corner inside, no perimeter edge meeting the bbox) is counted whole; only parcels near the outline are clipped, with
 * `intersectionArea` (clip.ts: convex clips in Turf's equal-area plane, µs per parcel; Turf's general `intersect`
 * took milliseconds each, hundreds of ms per recompute for 300 parcels — too slow to follow a dragged vertex).
 */
import turfArea from '@turf/area';
import turfBbox from '@turf/bbox';
import { feature } from '@turf/helpers';
import type { BBox, Feature, MultiPolygon, Polygon } from 'geojson';
import { intersectionArea, originAt, projectArea, projectPerimeter, type Origin, type ProjectedArea, type ProjectedPerimeter } from './clip.js';
import { delegationFromLand, type DelegationResult, type ParcelLand, type ParcelOwnerRef } from './delegation.js';

type Area = Polygon | MultiPolygon;

export interface LandParcel {
  idu: string;
  geometry: Area;
  owners: ParcelOwnerRef[];
}
/**
 * A face of the planar partition of the parcels that share area with others (slivers, nested parcels, identical
 * geometries, several parcels over one spot), computed once per bbox by PostGIS: its land goes 1/n to the n parcels
 * covering it (`idus`).
 */
export interface LandFace {
  idus: string[];
  geometry: Area;
}
export interface LandCommune {
  insee: string;
  geometry: Area;
  publicDomainOwner: { code: string; name: string; kind: string } | null;
}

interface Prepared<T> {
  item: T;
  bbox: BBox;
  areaM2: number;
  feature: Feature<Area>;
  /** Rings in the equal-area plane of `PreparedLand.origin`, for clipping. */
  projected: ProjectedArea;
}

export interface PreparedLand {
  /** Projection origin shared by the land and the perimeters previewed over it. */
  origin: Origin;
  parcels: Prepared<LandParcel>[];
  faces: Prepared<LandFace>[];
  /** Parcels whose land is counted through the faces (they share area with another parcel). */
  partitioned: ReadonlySet<string>;
  communes: Prepared<LandCommune>[];
}

function prepare<T extends { geometry: Area }>(item: T, origin: Origin): Prepared<T> {
  const f = feature(item.geometry);
  return { item, bbox: turfBbox(f), areaM2: turfArea(f), feature: f, projected: projectArea(item.geometry, origin) };
}

/** The first position of the first geometry, as the projection origin (near the data: small, precise coordinates). */
function firstPosition(items: { geometry: Area }[]): [number, number] {
  for (const { geometry: g } of items) {
    const p = g.type === 'Polygon' ? g.coordinates[0]?.[0] : g.coordinates[0]?.[0]?.[0];
    if (p) return [p[0]!, p[1]!];
  }
  return [0, 0];
}

/** Computes bboxes, areas and projected rings once, when the parcels around the drawing are loaded. */
export function prepareLand(parcels: LandParcel[], faces: LandFace[], communes: LandCommune[]): PreparedLand {
  const origin = originAt(...firstPosition([...parcels, ...communes]));
  const prep = <T extends { geometry: Area }>(item: T) => prepare(item, origin);
  const partitioned = new Set(faces.flatMap((f) => f.idus));
  return { origin, parcels: parcels.map(prep), faces: faces.map(prep), partitioned, communes: communes.map(prep) };
}

const disjoint = (a: BBox, b: BBox) => a[2] < b[0] || b[2] < a[0] || a[3] < b[1] || b[3] < a[1];

/** The perimeter's edges, flat [x1, y1, x2, y2, …], once per preview. */
function edgesOf(g: Area): Float64Array {
  const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
  const edges: number[] = [];
  for (const ring of rings) for (let i = 0; i + 1 < ring.length; i++) edges.push(ring[i]![0]!, ring[i]![1]!, ring[i + 1]![0]!, ring[i + 1]![1]!);
  return Float64Array.from(edges);
}

/** Whether the edge at `k` (flat index) meets a bbox (Liang–Barsky clipping, no allocation: called for every candidate). */
function edgeMeetsBbox(e: Float64Array, k: number, b: BBox): boolean {
  const x1 = e[k]!;
  const y1 = e[k + 1]!;
  const dx = e[k + 2]! - x1;
  const dy = e[k + 3]! - y1;
  let t0 = 0;
  let t1 = 1;
  for (let side = 0; side < 4; side++) {
    const p = side === 0 ? -dx : side === 1 ? dx : side === 2 ? -dy : dy;
    const q = side === 0 ? x1 - b[0] : side === 1 ? b[2] - x1 : side === 2 ? y1 - b[1] : b[3] - y1;
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/** Even–odd ray casting over every edge (shells, holes, parts): inside the perimeter. */
function insideEdges(x: number, y: number, e: Float64Array): boolean {
  let inside = false;
  for (let k = 0; k < e.length; k += 4) {
    const x1 = e[k]!;
    const y1 = e[k + 1]!;
    const x2 = e[k + 2]!;
    const y2 = e[k + 3]!;
    if (y1 > y !== y2 > y && x < ((x2 - x1) * (y - y1)) / (y2 - y1) + x1) inside = !inside;
  }
  return inside;
}

/** True when a bbox lies inside the perimeter: no edge of the perimeter meets it and one corner is inside. */
function bboxInside(b: BBox, edges: Float64Array): boolean {
  for (let k = 0; k < edges.length; k += 4) if (edgeMeetsBbox(edges, k, b)) return false;
  return insideEdges(b[0], b[1], edges);
}

function clippedArea<T>(p: Prepared<T>, pBbox: BBox, edges: Float64Array, projected: ProjectedPerimeter): number {
  if (disjoint(p.bbox, pBbox)) return 0;
  if (bboxInside(p.bbox, edges)) return p.areaM2;
  return Math.min(p.areaM2, intersectionArea(p.projected, projected));
}

/**
 * Shares and outcome of a perimeter over prepared land, with the same definitions as the server (DESIGN 3.2):
 * a parcel sharing area with no other counts area(parcel ∩ S); the others count, for each face of their partition,
 * area(face ∩ S) / n; public domain = area(S) − their sum, split between communes in proportion to area(S ∩ commune).
 */
export function previewDelegation(perimeter: Area, land: PreparedLand, threshold: number): DelegationResult {
  const s = feature(perimeter);
  const sBbox = turfBbox(s);
  const edges = edgesOf(perimeter);
  const projected = projectPerimeter(perimeter, land.origin);
  const areaM2 = turfArea(s);
  const effective = new Map<string, number>();
  for (const p of land.parcels) {
    if (land.partitioned.has(p.item.idu)) continue;
    const m2 = clippedArea(p, sBbox, edges, projected);
    if (m2 > 0) effective.set(p.item.idu, m2);
  }
  for (const f of land.faces) {
    const m2 = clippedArea(f, sBbox, edges, projected);
    if (m2 <= 0) continue;
    const part = m2 / f.item.idus.length;
    for (const idu of f.item.idus) effective.set(idu, (effective.get(idu) ?? 0) + part);
  }
  const parcels: ParcelLand[] = land.parcels
    .filter((p) => effective.has(p.item.idu))
    .map((p) => ({ idu: p.item.idu, effectiveM2: effective.get(p.item.idu)!, owners: p.item.owners }));
  const communes = land.communes
    .map((c) => ({ insee: c.item.insee, m2: clippedArea(c, sBbox, edges, projected), owner: c.item.publicDomainOwner }))
    .filter((c) => c.m2 > 0);
  return delegationFromLand(areaM2, parcels, communes, threshold);
}

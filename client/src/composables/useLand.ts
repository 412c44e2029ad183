/**
 * The land around a drawing (parcels with their owners, the partition of overlapping parcels, commune outlines), fetched once per drawing area
 * from `/api/subsectors/land` and prepared for the live 60 % preview (bbox and area of each parcel, once).
 * It is refetched only when the perimeter leaves the loaded bbox. Also builds the snapping index (parcels and
 * existing sub-sectors). Not a store: prepared Turf features are large and not state to share or persist.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { markRaw, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { prepareLand, type PreparedLand } from '@gup/server/domain';
import { ApiError, isAbort } from '../api/http';
import { fetchLand } from '../api/subsectors';
import type { BBox } from '../api/types';
import { buildSnapIndex, type SnapIndex } from '../geometry/snapIndex';

export type LandStatus = 'idle' | 'loading' | 'ready' | 'too_large' | 'error';

export interface LandCache {
  /** Prepared land of the loaded bbox, null before the first load. */
  prepared: ShallowRef<PreparedLand | null>;
  /** The bbox the prepared land covers. */
  bbox: ShallowRef<BBox | null>;
  /** Delegation threshold of the territory (sent with the land). */
  threshold: Ref<number>;
  status: Ref<LandStatus>;
  /** Server message when the land could not be loaded (zone too large…). */
  message: Ref<string>;
  /** Parcel and sub-sector outlines to snap to. */
  snap: ShallowRef<SnapIndex | null>;
  /** Makes sure the land covers `bbox` (with a margin); fetches only when it does not. */
  ensure(bbox: BBox): void;
  /** Loads exactly `bbox` (the visible map) when nothing is loaded or loading yet, for snapping from the first vertex. */
  prefetch(bbox: BBox): void;
  /** Whether the loaded land covers `bbox`. */
  covers(bbox: BBox): boolean;
  /** Outlines of the existing sub-sectors, added to the snapping targets. */
  setSubsectorOutlines(geometries: (Polygon | MultiPolygon)[]): void;
  /** Forgets everything (end of a drawing session). */
  reset(): void;
}

/** Margin around the perimeter when fetching the land (refetched only when the perimeter leaves it). */
const MARGIN_M = 150;
const M_PER_DEG_LAT = 111_320;

/** `bbox` grown by `MARGIN_M` on every side. */
export function expandBbox([w, s, e, n]: BBox): BBox {
  const dx = MARGIN_M / (M_PER_DEG_LAT * Math.cos((((s + n) / 2) * Math.PI) / 180));
  const dy = MARGIN_M / M_PER_DEG_LAT;
  return [w - dx, s - dy, e + dx, n + dy];
}

const inside = (a: BBox, b: BBox) => a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];

export function createLandCache(): LandCache {
  const prepared = shallowRef<PreparedLand | null>(null);
  const bbox = shallowRef<BBox | null>(null);
  const threshold = ref(0.6);
  const status = ref<LandStatus>('idle');
  const message = ref('');
  const snap = shallowRef<SnapIndex | null>(null);
  let parcelsGeometries: (Polygon | MultiPolygon)[] = [];
  let subsectorGeometries: (Polygon | MultiPolygon)[] = [];
  let pending: { bbox: BBox; controller: AbortController } | null = null;
  /** A bbox refused as too large: not asked again until the perimeter shrinks. */
  let refused: BBox | null = null;

  const rebuildSnap = () => {
    snap.value = markRaw(buildSnapIndex([...parcelsGeometries, ...subsectorGeometries]));
  };

  async function load(target: BBox) {
    pending?.controller.abort();
    const controller = new AbortController();
    pending = { bbox: target, controller };
    status.value = 'loading';
    try {
      const land = await fetchLand(target, controller.signal);
      if (pending?.controller !== controller) return;
      prepared.value = markRaw(prepareLand(land.parcels, land.faces, land.communes));
      bbox.value = target;
      threshold.value = land.threshold;
      parcelsGeometries = land.parcels.map((p) => p.geometry);
      rebuildSnap();
      status.value = 'ready';
      message.value = '';
      refused = null;
    } catch (err) {
      if (isAbort(err) || pending?.controller !== controller) return;
      if (!(err instanceof ApiError)) throw err;
      status.value = err.code === 'too_large' ? 'too_large' : 'error';
      message.value = err.message;
      if (err.code === 'too_large') refused = target;
    } finally {
      if (pending?.controller === controller) pending = null;
    }
  }

  const covers = (b: BBox) => bbox.value !== null && inside(b, bbox.value);

  return {
    prepared,
    bbox,
    threshold,
    status,
    message,
    snap,
    covers,
    ensure(b: BBox) {
      if (covers(b)) return;
      if (pending && inside(b, pending.bbox)) return;
      if (refused && inside(refused, expandBbox(b))) return;
      void load(expandBbox(b));
    },
    prefetch(b: BBox) {
      if (prepared.value || pending || refused) return;
      void load(b);
    },
    setSubsectorOutlines(geometries) {
      subsectorGeometries = geometries;
      rebuildSnap();
    },
    reset() {
      pending?.controller.abort();
      pending = null;
      refused = null;
      prepared.value = null;
      bbox.value = null;
      parcelsGeometries = [];
      status.value = 'idle';
      message.value = '';
      rebuildSnap();
    },
  };
}

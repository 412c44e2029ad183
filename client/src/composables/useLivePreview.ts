/**
 * The 60 % rule computed live in the browser while a perimeter is drawn: on every change of the perimeter
 * (every pointer move of a dragged vertex — nothing is debounced), `previewDelegation` over the land loaded around
 * the drawing. The compute time is measured (performance.now) and only shown in development builds.
 */
import { computed, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { previewDelegation, type DelegationResult } from '@gup/server/domain';
import type { BBox } from '../api/types';
import { ringsBbox, ringsOf, type Perimeter } from '../geometry/perimeter';
import type { LandCache } from './useLand';

export interface LivePreview {
  /** Shares and outcome of the current perimeter; null before the land is loaded or when nothing is drawn. */
  result: ShallowRef<DelegationResult | null>;
  /** True when `result` is for an older perimeter (land loading for a larger area, invalid outline). */
  stale: Ref<boolean>;
  /** Last compute time in ms, and the slowest of the session. */
  lastMs: Ref<number>;
  maxMs: Ref<number>;
  /** Number of recomputations in this session. */
  count: Ref<number>;
}

/** `valid` says whether the perimeter may be computed (the shared geometry check passed). */
export function useLivePreview(perimeter: () => { geometry: Perimeter | null; valid: boolean }, land: LandCache): LivePreview {
  const result = shallowRef<DelegationResult | null>(null);
  const stale = ref(false);
  const lastMs = ref(0);
  const maxMs = ref(0);
  const count = ref(0);

  const source = computed(perimeter);
  watch(
    [source, land.prepared],
    ([{ geometry, valid }, prepared]) => {
      if (!geometry) {
        result.value = null;
        stale.value = false;
        return;
      }
      const bbox = ringsBbox(ringsOf(geometry)) as BBox;
      land.ensure(bbox);
      if (!valid || !prepared || !land.covers(bbox)) {
        stale.value = result.value !== null;
        return;
      }
      const t0 = performance.now();
      result.value = previewDelegation(geometry, prepared, land.threshold.value);
      const ms = performance.now() - t0;
      lastMs.value = ms;
      if (ms > maxMs.value) maxMs.value = ms;
      count.value += 1;
      stale.value = false;
    },
    { immediate: true },
  );

  return { result, stale, lastMs, maxMs, count };
}

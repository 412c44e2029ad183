/**
 * The authoritative shares of the perimeter being drawn, computed by the server in PostGIS (`POST /preview`, the
 * computation the save stores), asked once the perimeter has stayed unchanged for a moment. The live preview follows
 * every pointer move in the browser; near the threshold a difference of a tenth of a point can change the decision,
 * so the panel shows this figure beside it when it arrives (issue 11: live 61,1 % vs saved 61,0 %).
 */
import { computed, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import type { DelegationResult } from '@gup/server/domain';
import { ApiError, isAbort } from '../api/http';
import { previewOnServer } from '../api/subsectors';
import type { Perimeter } from '../geometry/perimeter';

export interface ServerPreview {
  /** The server's result for the current perimeter; null while asked, or when the perimeter changed since. */
  result: ShallowRef<DelegationResult | null>;
  /** Asked and not answered yet. */
  pending: Ref<boolean>;
  /** The server's refusal (too large, invalid…), in French; '' when none. */
  error: Ref<string>;
}

/** Quiet time after the last change before asking the server (a drag fires a change on every pointer move). */
export const SERVER_PREVIEW_DELAY_MS = 600;

export function useServerPreview(perimeter: () => { geometry: Perimeter | null; valid: boolean }): ServerPreview {
  const result = shallowRef<DelegationResult | null>(null);
  const pending = ref(false);
  const error = ref('');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | null = null;

  const source = computed(perimeter);
  watch(
    source,
    ({ geometry, valid }, _old, onCleanup) => {
      clearTimeout(timer);
      controller?.abort();
      result.value = null;
      error.value = '';
      pending.value = false;
      if (!geometry || !valid) return;
      pending.value = true;
      timer = setTimeout(async () => {
        const mine = new AbortController();
        controller = mine;
        try {
          result.value = await previewOnServer(geometry, mine.signal);
        } catch (err) {
          if (isAbort(err)) return;
          error.value = err instanceof ApiError ? err.message : String(err);
        } finally {
          if (controller === mine) pending.value = false;
        }
      }, SERVER_PREVIEW_DELAY_MS);
      onCleanup(() => clearTimeout(timer));
    },
    { immediate: true },
  );

  return { result, pending, error };
}

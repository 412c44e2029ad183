import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { search } from '../api/endpoints';
import { isAbort } from '../api/http';
import type { SearchResult } from '../api/types';

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;

/**
 * Debounced /api/search on a text ref: the last query wins (older requests are aborted).
 * `accept(label)` writes a chosen result's label without searching it again.
 */
export function useSearch(query: Ref<string>) {
  const results = ref<SearchResult[]>([]);
  const status = ref<'idle' | 'loading' | 'done' | 'error'>('idle');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | null = null;
  let accepted: string | null = null;

  const cancelPending = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  async function run(q: string) {
    controller?.abort();
    const ctrl = new AbortController();
    controller = ctrl;
    status.value = 'loading';
    try {
      results.value = await search(q, ctrl.signal);
      status.value = 'done';
    } catch (err) {
      if (isAbort(err)) return;
      results.value = [];
      status.value = 'error';
    }
  }

  watch(query, (q) => {
    cancelPending();
    if (q === accepted) return;
    accepted = null;
    const text = q.trim();
    if (text.length < MIN_CHARS) {
      controller?.abort();
      results.value = [];
      status.value = 'idle';
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      void run(text);
    }, DEBOUNCE_MS);
  });
  onBeforeUnmount(() => {
    cancelPending();
    controller?.abort();
  });

  return {
    results,
    status,
    /** True while typed text has not been answered yet (debounce pending or request running). */
    pending: () => timer !== undefined || status.value === 'loading',
    accept(label: string) {
      accepted = label;
      query.value = label;
      status.value = 'idle';
    },
  };
}

/**
 * A page's data loaded again whenever its query changes (the URL's filters, period, page): the newer load aborts the
 * older one, whose answer is never shown; an aborted load is no error; a failure shows the API's French message (the
 * view adds its own sentence before it). The last answer stays while the next one loads, so a page does not blink.
 * The load in flight is aborted when the view goes (its effect scope ends).
 *
 * @example
 * const { data, status, errorMessage, load } = useAbortableLoad(() => query.value, (q, signal) => fetchDirectory(q, signal));
 * // template: status === 'error' → `{{ t('directory.error') }} {{ errorMessage }}` and a button calling load()
 */
import { onScopeDispose, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { ApiError, isAbort } from '../api/http';

export type LoadStatus = 'loading' | 'ready' | 'error';

export interface AbortableLoad<T> {
  /** The last answer of a load that was not superseded; null before the first. */
  data: ShallowRef<T | null>;
  status: Ref<LoadStatus>;
  /** The API's message of the last failure ('' for a network failure or an unexpected error). */
  errorMessage: Ref<string>;
  /** Loads the current query again (the « Réessayer » button). */
  load: () => Promise<void>;
}

/**
 * @param query the query read from the view's state; a load starts at once and again whenever it changes (compared
 *   as JSON, so a new object with the same values loads nothing)
 * @param fetcher fetches the answer for a query, passing the signal to every request it makes
 */
export function useAbortableLoad<Q, T>(query: () => Q, fetcher: (q: Q, signal: AbortSignal) => Promise<T>): AbortableLoad<T> {
  const data = shallowRef<T | null>(null);
  const status = ref<LoadStatus>('loading');
  const errorMessage = ref('');
  let controller: AbortController | null = null;

  async function load(): Promise<void> {
    controller?.abort();
    const ctrl = new AbortController();
    controller = ctrl;
    status.value = 'loading';
    try {
      const answer = await fetcher(query(), ctrl.signal);
      if (ctrl.signal.aborted) return; // answered just before a newer load started: that one's answer is shown
      data.value = answer;
      status.value = 'ready';
    } catch (err) {
      if (isAbort(err) || ctrl.signal.aborted) return;
      status.value = 'error';
      errorMessage.value = err instanceof ApiError ? err.message : '';
    }
  }

  watch(() => JSON.stringify(query()), () => void load(), { immediate: true });
  onScopeDispose(() => controller?.abort());
  return { data, status, errorMessage, load };
}

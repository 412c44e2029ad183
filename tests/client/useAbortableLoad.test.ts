import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { ApiError } from '../../client/src/api/http.js';
import { useAbortableLoad } from '../../client/src/composables/useAbortableLoad.js';

/** A fetcher whose answers the test releases by hand, recording the signal of every call. */
function controlledFetcher() {
  const calls: { q: string; signal: AbortSignal; resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  const fetcher = (q: string, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      calls.push({ q, signal, resolve, reject });
      // like fetch(): an abort rejects with an AbortError
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    });
  return { calls, fetcher };
}

/** The composable inside an effect scope, as in a view's setup. */
function mount(initial: string) {
  const query = ref(initial);
  const { calls, fetcher } = controlledFetcher();
  const scope = effectScope();
  const load = scope.run(() => useAbortableLoad(() => query.value, fetcher))!;
  return { query, calls, scope, ...load };
}
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('useAbortableLoad', () => {
  it('when the view opens, then it loads its query and shows the answer', async () => {
    const view = mount('a');
    expect(view.status.value).toBe('loading');
    expect(view.calls.map((c) => c.q)).toEqual(['a']);
    view.calls[0]!.resolve('answer a');
    await settle();
    expect(view.status.value).toBe('ready');
    expect(view.data.value).toBe('answer a');
    view.scope.stop();
  });

  it('when the query changes during a load, then the older load is aborted, no error is shown and only the newer answer is kept', async () => {
    const view = mount('a');
    view.query.value = 'b';
    await nextTick();
    expect(view.calls.map((c) => c.q)).toEqual(['a', 'b']);
    expect(view.calls[0]!.signal.aborted).toBe(true);
    expect(view.calls[1]!.signal.aborted).toBe(false);
    await settle();
    expect(view.status.value).toBe('loading'); // the aborted load is no error
    view.calls[1]!.resolve('answer b');
    await settle();
    expect(view.status.value).toBe('ready');
    expect(view.errorMessage.value).toBe('');
    expect(view.data.value).toBe('answer b');
    view.scope.stop();
  });

  it('when a fetcher ignores the signal and answers late, then the newer answer stands', async () => {
    const query = ref('a');
    const pending: ((v: string) => void)[] = [];
    const scope = effectScope();
    const view = scope.run(() => useAbortableLoad(() => query.value, () => new Promise<string>((resolve) => pending.push(resolve))))!;
    query.value = 'b';
    await nextTick();
    pending[1]!('answer b');
    await settle();
    pending[0]!('answer a');
    await settle();
    expect(view.data.value).toBe('answer b');
    expect(view.status.value).toBe('ready');
    scope.stop();
  });

  it('when the same query is set again as a new object, then nothing is loaded again', async () => {
    const query = ref({ page: 1 });
    const { calls, fetcher } = controlledFetcher();
    const scope = effectScope();
    scope.run(() => useAbortableLoad(() => query.value, (q, signal) => fetcher(JSON.stringify(q), signal)));
    query.value = { page: 1 };
    await nextTick();
    expect(calls).toHaveLength(1);
    scope.stop();
  });

  it('when the load fails, then the status is error with the API\'s French message, and a retry loads again', async () => {
    const view = mount('a');
    view.calls[0]!.reject(new ApiError(422, 'invalid_input', 'Période invalide : « from » après « to ».'));
    await settle();
    expect(view.status.value).toBe('error');
    expect(view.errorMessage.value).toBe('Période invalide : « from » après « to ».');
    void view.load();
    expect(view.status.value).toBe('loading');
    view.calls[1]!.resolve('answer a');
    await settle();
    expect(view.status.value).toBe('ready');
    view.scope.stop();
  });

  it('when the failure is not the API\'s (network), then the status is error with no message of its own', async () => {
    const view = mount('a');
    view.calls[0]!.reject(new TypeError('Failed to fetch'));
    await settle();
    expect(view.status.value).toBe('error');
    expect(view.errorMessage.value).toBe('');
    view.scope.stop();
  });

  it('when the view goes away during a load, then the load is aborted and nothing changes afterwards', async () => {
    const view = mount('a');
    view.scope.stop();
    expect(view.calls[0]!.signal.aborted).toBe(true);
    await settle();
    expect(view.status.value).toBe('loading');
    expect(view.data.value).toBe(null);
  });
});

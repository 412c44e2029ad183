import { describe, expect, it } from 'vitest';
import { coalesce } from '../../server/src/data/coalesce.js';

/** A batch function whose batches end when the test says so. */
function controlled(fail: (keys: readonly string[]) => boolean = () => false) {
  const calls: { keys: string[]; end: () => void }[] = [];
  const run = (keys: readonly string[]) => new Promise<string[]>((resolve, reject) => {
    calls.push({ keys: [...keys], end: () => (fail(keys) ? reject(new Error(`failed: ${keys.join(',')}`)) : resolve(keys.map((k) => k.toUpperCase()))) });
  });
  return { calls, run };
}
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('coalesce (server/src/data/coalesce.ts)', () => {
  it('when a key is asked while a slot is free, then it goes alone at the end of the event-loop turn', async () => {
    const { calls, run } = controlled();
    const c = coalesce(run, { slots: 2, maxBatch: 4 });
    const a = c.load('a');
    expect(calls).toHaveLength(0);
    await turn();
    expect(calls.map((x) => x.keys)).toEqual([['a']]);
    calls[0]!.end();
    expect(await a).toBe('A');
    expect(c.stats).toEqual({ batches: 1, keys: 1 });
  });

  it('when keys are asked in the same turn, then they go together, at most maxBatch per batch, each caller getting its own value', async () => {
    const { calls, run } = controlled();
    const c = coalesce(run, { slots: 3, maxBatch: 4 });
    const all = Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => c.load(k)));
    await turn();
    expect(calls.map((x) => x.keys)).toEqual([['a', 'b', 'c', 'd'], ['e', 'f']]);
    calls.forEach((x) => x.end());
    expect(await all).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('when all slots are busy, then keys gather and each batch that ends sends the next one waiting', async () => {
    const { calls, run } = controlled();
    const c = coalesce(run, { slots: 1, maxBatch: 4 });
    const first = c.load('a');
    await turn();
    const later = Promise.all(['b', 'c', 'd', 'e', 'f'].map((k) => c.load(k)));
    await turn();
    expect(calls.map((x) => x.keys)).toEqual([['a']]); // the slot is busy: nothing else is sent
    calls[0]!.end();
    await first;
    await turn();
    expect(calls.map((x) => x.keys)).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    calls[1]!.end();
    await turn();
    expect(calls.map((x) => x.keys)).toEqual([['a'], ['b', 'c', 'd', 'e'], ['f']]);
    calls[2]!.end();
    expect(await later).toEqual(['B', 'C', 'D', 'E', 'F']);
    expect(c.stats).toEqual({ batches: 3, keys: 6 });
  });

  it('when a batch of several keys fails, then each key runs alone and only the failing one is rejected; the slot is freed', async () => {
    const { calls, run } = controlled((keys) => keys.includes('bad'));
    const c = coalesce(run, { slots: 1, maxBatch: 4 });
    const answers = ['a', 'bad', 'b'].map((k) => c.load(k).then((v) => v, (e: Error) => e.message));
    await turn();
    calls[0]!.end(); // a,bad,b fails: each runs again alone
    await turn();
    expect(calls.slice(1).map((x) => x.keys)).toEqual([['a'], ['bad'], ['b']]);
    calls.slice(1).forEach((x) => x.end());
    expect(await Promise.all(answers)).toEqual(['A', 'failed: bad', 'B']);
    const next = c.load('c');
    await turn();
    calls.at(-1)!.end();
    expect(await next).toBe('C');
  });

  it('when a lone key fails, then its caller gets the error and the keys waiting behind it still run', async () => {
    const { calls, run } = controlled((keys) => keys.includes('bad'));
    const c = coalesce(run, { slots: 1, maxBatch: 4 });
    const bad = c.load('bad').then(() => 'ok', (e: Error) => e.message);
    await turn();
    const waiting = c.load('a');
    await turn();
    calls[0]!.end();
    expect(await bad).toBe('failed: bad');
    await turn();
    calls[1]!.end();
    expect(await waiting).toBe('A');
  });
});

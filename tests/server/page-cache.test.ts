import { describe, expect, it } from 'vitest';
import { PageCache } from '../../server/src/services/page-cache.js';

/** A computation per key whose end the test decides, counting how often each key is computed. */
function controlled() {
  const runs: { key: string; end: (fail?: boolean) => void }[] = [];
  const computed = new Map<string, number>();
  const compute = (key: string) => () => new Promise<string>((resolve, reject) => {
    computed.set(key, (computed.get(key) ?? 0) + 1);
    runs.push({ key, end: (fail = false) => (fail ? reject(new Error(`failed ${key}`)) : resolve(`page ${key}`)) });
  });
  return { runs, computed, compute };
}
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('PageCache (server/src/services/page-cache.ts)', () => {
  it('when a page is asked twice, then it is computed once and both get it', async () => {
    const { runs, computed, compute } = controlled();
    const cache = new PageCache<string>({ maxSize: 1000, maxAhead: 2, ttlMs: 1000 }, (p) => p.length);
    const a = cache.get('p1', compute('p1'));
    const b = cache.get('p1', compute('p1')); // while under way
    await turn();
    runs[0]!.end();
    expect(await a).toBe('page p1');
    expect(await b).toBe('page p1');
    expect(await cache.get('p1', compute('p1'))).toBe('page p1'); // once done
    expect(computed.get('p1')).toBe(1);
    expect(cache.stats).toEqual({ hits: 2, misses: 1, ahead: 0 });
  });

  it('when a page is read ahead, then the request that follows gets it without computing it again', async () => {
    const { runs, computed, compute } = controlled();
    const cache = new PageCache<string>({ maxSize: 1000, maxAhead: 2, ttlMs: 1000 }, (p) => p.length);
    cache.ahead('p2', compute('p2'));
    await turn();
    expect(runs.map((r) => r.key)).toEqual(['p2']); // started before anyone asked
    const asked = cache.get('p2', compute('p2'));
    runs[0]!.end();
    expect(await asked).toBe('page p2');
    expect(computed.get('p2')).toBe(1);
  });

  it('when maxAhead pages are under way, then no more are started ahead until one ends', async () => {
    const { runs, compute } = controlled();
    const cache = new PageCache<string>({ maxSize: 1000, maxAhead: 1, ttlMs: 1000 }, (p) => p.length);
    cache.ahead('a', compute('a'));
    cache.ahead('b', compute('b'));
    await turn();
    expect(runs.map((r) => r.key)).toEqual(['a']);
    runs[0]!.end();
    await turn();
    cache.ahead('b', compute('b'));
    await turn();
    expect(runs.map((r) => r.key)).toEqual(['a', 'b']);
  });

  it('when a computation fails, then its caller gets the error and the next ask computes again', async () => {
    const { runs, computed, compute } = controlled();
    const cache = new PageCache<string>({ maxSize: 1000, maxAhead: 2, ttlMs: 1000 }, (p) => p.length);
    const failed = cache.get('p', compute('p'));
    await turn();
    runs[0]!.end(true);
    await expect(failed).rejects.toThrow('failed p');
    cache.ahead('q', compute('q')); // a failed page read ahead: nobody awaits it, no unhandled rejection
    await turn();
    runs[1]!.end(true);
    await turn();
    const again = cache.get('p', compute('p'));
    await turn();
    runs[2]!.end();
    expect(await again).toBe('page p');
    expect(computed.get('p')).toBe(2);
    expect(cache.count).toBe(1);
  });

  it('when the pages kept exceed the budget, then the least recently used go first and the total stays within it', async () => {
    const { runs, compute } = controlled();
    const cache = new PageCache<string>({ maxSize: 40, maxAhead: 2, ttlMs: 1000 }, (p) => p.length); // 'page kN' = 7
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      const p = cache.get(k, compute(k));
      await turn();
      runs.at(-1)!.end();
      await p;
      if (k === 'k3') await cache.get('k1', compute('k1')); // k1 used again: k2 is now the oldest
    }
    expect(cache.keptSize).toBe(35);
    const p6 = cache.get('k6', compute('k6'));
    await turn();
    runs.at(-1)!.end();
    await p6;
    expect(cache.keptSize).toBeLessThanOrEqual(40);
    const before = runs.length;
    await cache.get('k1', compute('k1')); // kept
    expect(runs.length).toBe(before);
    void cache.get('k2', compute('k2')); // evicted: computed again
    await turn();
    expect(runs.length).toBe(before + 1);
  });

  it('when a page is larger than a quarter of the budget, then it is served but not kept', async () => {
    const { runs, computed, compute } = controlled();
    const cache = new PageCache<string>({ maxSize: 20, maxAhead: 2, ttlMs: 1000 }, (p) => p.length);
    const p = cache.get('big', compute('big'));
    await turn();
    runs[0]!.end();
    expect(await p).toBe('page big');
    expect(cache.keptSize).toBe(0);
    void cache.get('big', compute('big'));
    await turn();
    expect(computed.get('big')).toBe(2);
  });

  it('when a page outlives its time to live, then it is computed again', async () => {
    const { runs, computed, compute } = controlled();
    let now = 0;
    const cache = new PageCache<string>({ maxSize: 1000, maxAhead: 2, ttlMs: 100, now: () => now }, (p) => p.length);
    const p = cache.get('p', compute('p'));
    await turn();
    runs[0]!.end();
    await p;
    now = 99;
    await cache.get('p', compute('p'));
    expect(computed.get('p')).toBe(1);
    now = 200;
    void cache.get('p', compute('p'));
    await turn();
    expect(computed.get('p')).toBe(2);
  });
});

import DataLoader from 'dataloader';

export interface CoalesceOptions {
  /** How many batches may run at once (the connections they run on). */
  slots: number;
  /** At most this many keys per batch. */
  maxBatch: number;
}

export interface Coalescer<K, V> {
  load(key: K): Promise<V>;
  /** Batches sent and keys they carried so far (batches run again key by key after a failure not included). */
  readonly stats: { batches: number; keys: number };
}

/**
 * Runs `run` on batches of the keys asked for together, without making anyone wait for a batch to fill:
 * - while fewer than `slots` batches run, the keys asked for go at once, after the I/O of the current event-loop turn
 *   (so that requests read together go together);
 * - when all slots are busy, keys gather into batches of up to `maxBatch`, and each batch that ends sends the next
 *   one waiting (first come, first served);
 * - a batch of several keys that fails is run again key by key, so that one bad key, or a failure that would not
 *   repeat, fails only the callers it concerns.
 * `run` answers one value per key, in the keys' order. Built on DataLoader (its cache off: answers follow the data).
 */
export function coalesce<K, V>(run: (keys: readonly K[]) => Promise<V[]>, opts: CoalesceOptions): Coalescer<K, V> {
  const stats = { batches: 0, keys: 0 };
  let running = 0;
  const waiting: (() => void)[] = [];
  const runAlone = (key: K): Promise<V | Error> => run([key]).then(
    (values) => values[0] as V,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  const loader = new DataLoader<K, V>(
    async (keys) => {
      running++;
      stats.batches++;
      stats.keys += keys.length;
      try {
        return await run(keys);
      } catch (err) {
        if (keys.length === 1) throw err;
        return await Promise.all(keys.map(runAlone));
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
    {
      cache: false,
      maxBatchSize: opts.maxBatch,
      batchScheduleFn: (dispatch) => {
        if (running >= opts.slots) {
          waiting.push(dispatch);
          return;
        }
        setImmediate(() => (running < opts.slots ? dispatch() : waiting.push(dispatch)));
      },
    },
  );
  return { load: (key) => loader.load(key), stats };
}

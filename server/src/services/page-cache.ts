/**
 * Pages computed ahead and kept a short while (issue 15's OGC API target). A client paging through a collection
 * (GDAL, QGIS) asks page n+1 only after it has parsed page n; the server starts page n+1 as soon as it has answered
 * page n, so the next request finds it ready or under way, and a page asked twice (GDAL reads the first page once for
 * the schema, then again) is computed once.
 *
 * Bounded: the pages kept by their total size, each counted at least its key's length (the oldest used go first; a page
 * larger than a quarter of the budget is served but not kept), the pages computed ahead by their number at once, and a time to live. Correctness is the
 * key's: the caller names in it everything the page depends on (data version, query, cursor) and never gives one key
 * to two callers who may see different rows. A failed computation is not kept.
 */
export interface PageCacheOptions {
  /** Total size (sum of `sizeOf`) of the pages kept. */
  maxSize: number;
  /** Pages computed ahead at the same time, at most (each holds a database connection while it runs). */
  maxAhead: number;
  /** How long a computed page is kept, in milliseconds. */
  ttlMs: number;
  now?: () => number;
}

interface Entry<T> {
  promise: Promise<T>;
  /** Size once computed (0 while under way). */
  size: number;
  /** Time after which the page is dropped (Infinity while under way). */
  expires: number;
}

export interface PageCacheStats {
  hits: number;
  misses: number;
  /** Pages started ahead. */
  ahead: number;
}

export class PageCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private size = 0;
  private running = 0;
  private readonly now: () => number;
  readonly stats: PageCacheStats = { hits: 0, misses: 0, ahead: 0 };

  constructor(private readonly opts: PageCacheOptions, private readonly sizeOf: (page: T) => number) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * The page of `key`: the kept one, the one under way, or `compute()` now (then kept).
   * @example await cache.get('parcels|7|…|cursor', () => readPage(q))
   */
  get(key: string, compute: () => Promise<T>): Promise<T> {
    const kept = this.lookup(key);
    if (kept) {
      this.stats.hits++;
      return kept.promise;
    }
    this.stats.misses++;
    return this.start(key, compute).promise;
  }

  /** Starts computing the page of `key` in the background, unless it is kept, under way, or `maxAhead` pages already run. */
  ahead(key: string, compute: () => Promise<T>): void {
    if (this.lookup(key) || this.running >= this.opts.maxAhead) return;
    this.stats.ahead++;
    this.running++;
    const done = () => { this.running--; };
    this.start(key, compute).promise.then(done, done);
  }

  /** Total size of the pages kept. */
  get keptSize(): number {
    return this.size;
  }

  /** Number of pages kept or under way. */
  get count(): number {
    return this.entries.size;
  }

  private lookup(key: string): Entry<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.drop(key, entry);
      return undefined;
    }
    this.entries.delete(key); // most recently used last
    this.entries.set(key, entry);
    return entry;
  }

  private start(key: string, compute: () => Promise<T>): Entry<T> {
    const entry: Entry<T> = { promise: Promise.resolve().then(compute), size: 0, expires: Infinity };
    this.entries.set(key, entry);
    entry.promise.then((page) => {
      if (this.entries.get(key) !== entry) return;
      // a page costs at least its key: an empty page of a long filter would otherwise be free, and kept without bound
      const size = Math.max(this.sizeOf(page), key.length);
      if (size > this.opts.maxSize / 4) {
        this.entries.delete(key);
        return;
      }
      entry.size = size;
      entry.expires = this.now() + this.opts.ttlMs;
      this.size += size;
      this.evict();
    }, () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry;
  }

  /** Drops expired pages, then the least recently used computed ones while over budget. */
  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.drop(key, entry);
    for (const [key, entry] of this.entries) {
      if (this.size <= this.opts.maxSize) break;
      if (entry.expires !== Infinity) this.drop(key, entry);
    }
  }

  private drop(key: string, entry: Entry<T>): void {
    this.entries.delete(key);
    this.size -= entry.size;
  }
}

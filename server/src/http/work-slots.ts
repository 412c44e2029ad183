/**
 * Bounds on costly work done on request, per process: documents computed on demand (the annual review in every form,
 * the diagnosis minutes: a few hundred milliseconds of database and CPU each) and photos decoded and re-encoded (tens
 * of megabytes of memory and a core each). A caller asking them in a loop, or many at once, would otherwise hold the
 * server's two cores and its memory. At most `perUser.max` run for one account (the next is a 429: wait for the
 * first), at most `total` for the process; beyond, up to `queue` wait their turn in order, and the next is a 503 with
 * `Retry-After`. A refused request costs nothing and says when to retry.
 */
import { AppError } from '../domain/errors.js';

export interface SlotLimits {
  /** Work running at once in the process. */
  total: number;
  /** Work waiting for a slot, at most (default 0: no queue, refused at once). */
  queue?: number;
  /** Work of one account at once (running or waiting), and the 429's message; absent: no bound per account. */
  perUser?: { max: number; message: (running: number) => string };
  /** The 503's message, in French. */
  busy: string;
  /** Seconds the 429 and the 503 tell the client to wait (`Retry-After`). */
  retryAfterSeconds: number;
}

export class WorkSlots {
  private readonly mine = new Map<number, number>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;

  constructor(private readonly limits: SlotLimits) {}

  /**
   * Runs `work` in a slot of `userId`: at once when one is free, after the work ahead of it when the queue has room,
   * else refused (429 for the account's bound, 503 for the process's).
   * @example await slots.run(user.id, () => computeBilan(db, user, 2025, '91027'))
   */
  async run<T>(userId: number, work: () => Promise<T>): Promise<T> {
    const mine = this.mine.get(userId) ?? 0;
    const { perUser } = this.limits;
    if (perUser && mine >= perUser.max) throw this.refusal(429, 'too_many_requests', perUser.message(mine));
    this.mine.set(userId, mine + 1); // counted now: the account's next call, even in this tick, sees it
    let acquired = false;
    try {
      await this.acquire();
      acquired = true;
      return await work();
    } finally {
      const left = (this.mine.get(userId) ?? 1) - 1;
      if (left > 0) this.mine.set(userId, left);
      else this.mine.delete(userId);
      if (acquired) this.release();
    }
  }

  /** Work running now (all users). */
  get busy(): number {
    return this.running;
  }

  /** Work waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  private async acquire(): Promise<void> {
    if (this.running < this.limits.total) {
      this.running++;
      return;
    }
    if (this.waiting.length >= (this.limits.queue ?? 0)) throw this.refusal(503, 'busy', this.limits.busy);
    await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over by release()
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private refusal(status: 429 | 503, code: string, message: string): AppError {
    return new AppError(status, code, message, undefined, { 'Retry-After': String(this.limits.retryAfterSeconds) });
  }
}

/** The process's bounds on costly work, carried by the app context (`ctx.slots`): each app has its own. */
export interface AppSlots {
  /** Documents computed on demand (bilans, minutes): 2 per account, 4 in all, no queue. */
  documents: WorkSlots;
  /** Photos decoded and re-encoded (reports, observations): 2 at once, 8 waiting. */
  photos: WorkSlots;
}

/**
 * Fresh slots for one app (the machine's cores are few; each cluster worker has its own).
 * @example createApp({ db, config, log, slots: newAppSlots() })
 */
export function newAppSlots(): AppSlots {
  return {
    documents: new WorkSlots({
      total: 4,
      perUser: { max: 2, message: (n) => `Déjà ${n} document(s) en cours de calcul pour vous : attendez leur fin` },
      busy: 'Le serveur calcule déjà d\'autres documents : réessayez dans quelques secondes',
      retryAfterSeconds: 5,
    }),
    photos: new WorkSlots({
      total: 2,
      queue: 8,
      busy: 'Le serveur traite déjà beaucoup de photos : réessayez l\'envoi dans quelques secondes',
      retryAfterSeconds: 5,
    }),
  };
}

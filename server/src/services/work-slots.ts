/**
 * Bounds on documents computed on demand (the annual review in every form, the diagnosis minutes): a few hundred
 * milliseconds of database and CPU each, so a caller asking them in a loop, or many at once, would hold the server's
 * two cores. At most `perUser` run at once for one account (the next is a 429: wait for the first), at most `total` for
 * the process (the next is a 503). No queue: a refused request costs nothing and says when to retry.
 */
import { AppError } from '../domain/errors.js';

export class WorkSlots {
  private readonly running = new Map<number, number>();
  private total = 0;

  constructor(private readonly limits: { total: number; perUser: number }) {}

  /**
   * Runs `work` in a slot of `userId`, or refuses at once when none is free.
   * @example await slots.run(user.id, () => bilanFor(db, user, 2025, undefined))
   */
  async run<T>(userId: number, work: () => Promise<T>): Promise<T> {
    const mine = this.running.get(userId) ?? 0;
    if (mine >= this.limits.perUser) throw new AppError(429, 'too_many_requests', `Déjà ${mine} document(s) en cours de calcul pour vous : attendez leur fin`);
    if (this.total >= this.limits.total) throw new AppError(503, 'busy', 'Le serveur calcule déjà d\'autres documents : réessayez dans quelques secondes');
    this.running.set(userId, mine + 1);
    this.total++;
    try {
      return await work();
    } finally {
      this.total--;
      const left = (this.running.get(userId) ?? 1) - 1;
      if (left > 0) this.running.set(userId, left);
      else this.running.delete(userId);
    }
  }

  /** Documents being computed now (all users). */
  get busy(): number {
    return this.total;
  }
}

/**
 * The process's slots for documents computed on demand: 2 per account, 4 in all (the machine's cores are few; each
 * cluster worker has its own).
 */
export const documentSlots = new WorkSlots({ total: 4, perUser: 2 });

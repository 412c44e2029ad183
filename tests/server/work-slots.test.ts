import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/src/domain/errors.js';
import { WorkSlots } from '../../server/src/http/work-slots.js';

const limits = { busy: 'Occupé', retryAfterSeconds: 3 };
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { open, opened };
};
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as AppError);

describe('work slots', () => {
  it('when one account asks three in the same tick with a bound of two, then the third is a 429 with Retry-After', async () => {
    const slots = new WorkSlots({ ...limits, total: 4, perUser: { max: 2, message: (n) => `${n} en cours` } });
    const g = gate();
    const calls = [1, 1, 1].map((id) => slots.run(id, () => g.opened));
    const third = await refusal(calls[2]!);
    expect(third?.status).toBe(429);
    expect(third?.headers).toEqual({ 'Retry-After': '3' });
    g.open();
    await Promise.all(calls.slice(0, 2));
    expect(slots.busy).toBe(0);
  });

  it('when the process\'s slots are taken, then work waits in order up to the queue bound, the next is a 503, and never more than the bound run at once', async () => {
    const slots = new WorkSlots({ ...limits, total: 2, queue: 2 });
    const order: number[] = [];
    let running = 0;
    let most = 0;
    const gates = [gate(), gate(), gate(), gate()];
    const calls = gates.map((g, i) => slots.run(-1, async () => {
      running++; most = Math.max(most, running); order.push(i);
      await g.opened;
      running--;
      if (i === 0) throw new Error('échec'); // a failed work hands its slot on too
    }));
    expect(slots.busy).toBe(2);
    expect(slots.queued).toBe(2);
    const refused = await refusal(slots.run(-2, async () => undefined));
    expect(refused?.status).toBe(503);
    expect(refused?.code).toBe('busy');
    for (const g of gates) g.open();
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
    expect([slots.busy, slots.queued]).toEqual([0, 0]);
    await expect(slots.run(-2, async () => 'servi')).resolves.toBe('servi');
  });
});

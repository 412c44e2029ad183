/**
 * The statistics roll-up under concurrent writers (migration 011): its statement-level triggers upsert shared rows
 * (one per grain, day or month, and keys). Could two transactions writing reports lock them in crossed orders and
 * deadlock? No: every statement writing reports first bumps the one `data_versions` row of the reports layer (its
 * trigger `reports_data_version`, migration 002, fires before `stats_rollup_*`: same-event triggers fire in name
 * order) and holds it to the end of its transaction, so transactions writing reports run one after the other from
 * their first write, and only one at a time holds roll-up rows. These tests pin that on PostgreSQL with two
 * transactions at once; the embedded database has one connection, so there the same writes run one after the other
 * (said in each test's name).
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildStatsRollup, rollupDrift } from '../../server/src/data/stats-rollup.js';
import { testContext } from '../support/context.js';

const TAG = 'ROLLUP-CONC-';
let model: number;
let categories: string[];

/**
 * One statement inserting, for each category of `order` (in that order) and each of `days` days back, a report copied
 * from the model report: as many roll-up groups as categories × days, per grain.
 */
const bulkInsert = (q: Knex | Knex.Transaction, tag: string, order: string[], days: number) =>
  q.raw(
    `INSERT INTO reports (reference, category_code, description, status, geom, commune_insee, service_code, routing, created_by,
       created_at, updated_at, ack_due_at, resolve_due_at, source)
     SELECT ? || c.code || '-' || g.day, c.code, 'concurrent writers', 'submitted', r.geom, r.commune_insee, r.service_code, '{}'::jsonb,
       r.created_by, now() - make_interval(days => g.day), now(), now(), now() + interval '3 days', 'web'
     FROM reports r, unnest(?::text[]) WITH ORDINALITY c(code, n), generate_series(1, ?) g(day)
     WHERE r.id = ? ORDER BY c.n, g.day`,
    [`${TAG}${tag}-`, order, days, model],
  );

/** Makes every roll-up row write take a few milliseconds, so that two bulk writers are surely in flight together. */
async function slowRollupWrites<T>(db: Knex, fn: () => Promise<T>): Promise<T> {
  await db.raw(`CREATE OR REPLACE FUNCTION test_slow_rollup_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.004); RETURN NEW; END $$`);
  await db.raw('CREATE TRIGGER test_slow_rollup_row BEFORE INSERT OR UPDATE ON stats_rollup FOR EACH ROW EXECUTE FUNCTION test_slow_rollup_row()');
  try {
    return await fn();
  } finally {
    await db.raw('DROP TRIGGER IF EXISTS test_slow_rollup_row ON stats_rollup');
    await db.raw('DROP FUNCTION IF EXISTS test_slow_rollup_row()');
  }
}

/** Whether any backend of this database waits for a lock now. */
const someoneWaitsForALock = async (db: Knex) =>
  Number((await db.raw(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n) > 0;

const removeTestReports = async (db: Knex) => {
  await db('reports').where('reference', 'like', `${TAG}%`).delete();
};

beforeAll(async () => {
  const { db } = await testContext();
  model = ((await db.knex('reports').orderBy('id').first('id')) as { id: number }).id;
  categories = ((await db.knex('categories').orderBy('code').select('code')) as { code: string }[]).map((c) => c.code);
  expect(categories.length).toBeGreaterThanOrEqual(4);
});

afterAll(async () => {
  const { db } = await testContext();
  await removeTestReports(db.knex);
});

describe('Statistics roll-up under concurrent writers', () => {
  it('when two transactions insert reports in bulk with their keys in opposite orders, then both commit without deadlock and the roll-up equals a rebuild (embedded: one after the other)', async () => {
    const { db } = await testContext();
    const reversed = [...categories].reverse();
    if (db.engine === 'postgres') {
      let waited = false;
      await slowRollupWrites(db.knex, async () => {
        let running = true;
        const watch = (async () => {
          while (running) {
            if (await someoneWaitsForALock(db.knex)) waited = true;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })();
        try {
          const results = await Promise.allSettled([
            db.knex.transaction(async (trx) => { await bulkInsert(trx, 'a', categories, 12); }),
            db.knex.transaction(async (trx) => { await bulkInsert(trx, 'b', reversed, 9); }),
          ]);
          expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as { code?: string }).code ?? r.reason) : 'committed'))).toEqual(['committed', 'committed']);
        } finally {
          running = false;
          await watch;
        }
      });
      expect(waited).toBe(true); // they were in flight together, and one queued
    } else {
      await db.knex.transaction(async (trx) => { await bulkInsert(trx, 'a', categories, 12); });
      await db.knex.transaction(async (trx) => { await bulkInsert(trx, 'b', reversed, 9); });
    }
    expect(Number((await db.knex('reports').where('reference', 'like', `${TAG}%`).count({ n: '*' }))[0]!.n)).toBe(categories.length * 21);
    expect(await rollupDrift(db.knex)).toEqual([]);
    // and in bulk the other way: both sets deleted at once, then the roll-up is as before
    await removeTestReports(db.knex);
    expect(await rollupDrift(db.knex)).toEqual([]);
  }, 60_000);

  it('when two transactions each write reports in two statements with crossed keys, then the second queues from its first write until the first commits: no deadlock, and the roll-up equals a rebuild (embedded: one after the other)', async () => {
    const { db } = await testContext();
    const [first, second] = categories as [string, string];
    if (db.engine === 'postgres') {
      const t1 = await db.knex.transaction();
      const t2 = await db.knex.transaction();
      try {
        await bulkInsert(t1, 'x1', [first], 1);
        let t2FirstWritten = false;
        const t2First = bulkInsert(t2, 'y1', [second], 1).then(() => { t2FirstWritten = true; });
        while (!(await someoneWaitsForALock(db.knex))) await new Promise((resolve) => setTimeout(resolve, 20));
        // t1 crosses over to t2's keys: nothing of t2 is in its way, t2 has not written yet
        await bulkInsert(t1, 'x2', [second], 1);
        expect(t2FirstWritten).toBe(false);
        await t1.commit();
        await t2First;
        await bulkInsert(t2, 'y2', [first], 1);
        await t2.commit();
      } finally {
        if (!t1.isCompleted()) await t1.rollback();
        if (!t2.isCompleted()) await t2.rollback();
      }
    } else {
      await db.knex.transaction(async (trx) => { await bulkInsert(trx, 'x1', [first], 1); await bulkInsert(trx, 'x2', [second], 1); });
      await db.knex.transaction(async (trx) => { await bulkInsert(trx, 'y1', [second], 1); await bulkInsert(trx, 'y2', [first], 1); });
    }
    expect(Number((await db.knex('reports').where('reference', 'like', `${TAG}%`).count({ n: '*' }))[0]!.n)).toBe(4);
    expect(await rollupDrift(db.knex)).toEqual([]);
    await removeTestReports(db.knex);
    expect(await rollupDrift(db.knex)).toEqual([]);
  }, 60_000);
  it('when the roll-up is rebuilt while a transaction writing reports is open, then the rebuild waits for it and both succeed, the roll-up equal to a rebuild (embedded: one after the other)', async () => {
    const { db } = await testContext();
    const day = (daysBack: number) => new Date(Date.now() - daysBack * 86_400_000).toISOString().slice(0, 10);
    const range = { from: day(40), to: day(0) };
    if (db.engine === 'postgres') {
      const t1 = await db.knex.transaction();
      try {
        // a report joining an existing roll-up group of the months being rebuilt: t1 holds its rows
        await t1.raw(
          `INSERT INTO reports (reference, category_code, description, status, geom, commune_insee, service_code, also_notify, routing, created_by,
             created_at, updated_at, ack_due_at, resolve_due_at, qpv_code, subsector_id, urgent, source, synthetic)
           SELECT ?, category_code, 'concurrent writers', 'submitted', geom, commune_insee, service_code, also_notify, '{}'::jsonb, created_by,
             created_at, now(), ack_due_at, resolve_due_at, qpv_code, subsector_id, urgent, source, synthetic
           FROM reports WHERE created_at > now() - interval '20 days' ORDER BY id LIMIT 1`,
          [`${TAG}r1`],
        );
        const rebuild = rebuildStatsRollup(db.knex, range).then(() => 'rebuilt', (e: { code?: string }) => e.code ?? String(e));
        const first = await Promise.race([
          (async () => { while (!(await someoneWaitsForALock(db.knex))) await new Promise((resolve) => setTimeout(resolve, 20)); return 'waits'; })(),
          rebuild.then((outcome) => `ended first: ${outcome}`),
        ]);
        expect(first).toBe('waits');
        // the writer goes on over every key of the months being rebuilt
        await bulkInsert(t1, 'r2', categories, 25);
        await t1.commit();
        expect(await rebuild).toBe('rebuilt');
      } finally {
        if (!t1.isCompleted()) await t1.rollback();
      }
    } else {
      await db.knex.transaction(async (trx) => { await bulkInsert(trx, 'r1', [categories[0]!], 1); await bulkInsert(trx, 'r2', categories, 25); });
      await rebuildStatsRollup(db.knex, range);
    }
    expect(Number((await db.knex('reports').where('reference', 'like', `${TAG}%`).count({ n: '*' }))[0]!.n)).toBe(1 + categories.length * 25);
    expect(await rollupDrift(db.knex)).toEqual([]);
    await removeTestReports(db.knex);
    expect(await rollupDrift(db.knex)).toEqual([]);
  }, 60_000);
});

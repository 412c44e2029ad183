/**
 * What the statistics roll-up's triggers (migration 011) cost each write: single-row inserts of a report and single-row
 * updates (a transition: status and timestamps), each in its own transaction like the intake and the transitions, timed
 * with the triggers on and off, on the embedded demo database (default) or on `DATABASE_URL`'s (a scratch database:
 * the reports it adds are deleted at the end).
 *
 * `npx tsx bench/stats-writes.ts [--n=300]`
 */
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../server/src/data/db.js';
import { openDemoInMemory } from '../server/src/demoSnapshot.js';
import { loadDemoIfEmpty } from '../server/src/demo.js';
import { argsOf } from './lib/args.js';

const TRIGGERS = ['stats_rollup_insert', 'stats_rollup_update'];

const a = argsOf(process.argv.slice(2));
const n = Number(a.n ?? 300);
const url = process.env.DATABASE_URL?.trim();
const db = url ? await openDatabase({ databaseUrl: url }) : (await openDemoInMemory()).db;
if (url) await loadDemoIfEmpty(db, () => {});
const knex = db.knex;
const model = (await knex('reports').first('id')).id as number;

const insertOne = async (trx: typeof knex, i: number) => {
  const { rows } = await trx.raw(
    `INSERT INTO reports (reference, category_code, description, status, geom, commune_insee, qpv_code, service_code, routing, created_by, created_at,
       updated_at, ack_due_at, resolve_due_at, urgent, source)
     SELECT 'WRITES-' || ?::text, category_code, 'bench', 'submitted', geom, commune_insee, qpv_code, service_code, routing, created_by, now(), now(),
       now() + interval '1 day', now() + interval '3 days', urgent, source FROM reports WHERE id = ? RETURNING id`,
    [`${Date.now()}-${i}`, model],
  );
  return rows[0].id as number;
};
const transition = (id: number) => knex.transaction((trx) => trx.raw(
  `UPDATE reports SET status = 'resolved', ack_at = now(), resolved_at = now(), finished_at = now(), updated_at = now() WHERE id = ?`, [id]));

async function time(label: string): Promise<{ insertMs: number; updateMs: number }> {
  const ids: number[] = [];
  let t = performance.now();
  for (let i = 0; i < n; i++) ids.push(await knex.transaction(async (trx) => insertOne(trx, i)));
  const insertMs = (performance.now() - t) / n;
  t = performance.now();
  for (const id of ids) await transition(id);
  const updateMs = (performance.now() - t) / n;
  console.log(`${label} : insert ${insertMs.toFixed(3)} ms, transition ${updateMs.toFixed(3)} ms (moyenne sur ${n})`);
  await knex('reports').whereIn('id', ids).del();
  return { insertMs, updateMs };
}

try {
  await time('échauffement');
  const on = await time('roll-up maintenu');
  for (const t of TRIGGERS) await knex.raw(`ALTER TABLE reports DISABLE TRIGGER ${t}`);
  let off: { insertMs: number; updateMs: number };
  try {
    off = await time('sans roll-up');
  } finally {
    for (const t of TRIGGERS) await knex.raw(`ALTER TABLE reports ENABLE TRIGGER ${t}`);
  }
  console.log(`coût du roll-up par écriture (${db.engine}) : insert +${(on.insertMs - off.insertMs).toFixed(3)} ms, transition +${(on.updateMs - off.updateMs).toFixed(3)} ms`);
} finally {
  await db.close();
}
process.exit(0);

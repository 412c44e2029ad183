import { beforeAll, describe, expect, it } from 'vitest';
import { hotQuery } from '../../server/src/data/connection.js';
import type { Database } from '../../server/src/data/db.js';
import { spotAt, spotsAt, spotStats, type Point, type SpotRow } from '../../server/src/data/lookup.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

// Concurrent lookups share one statement (server/src/data/lookup.ts, SPOTS_AT): each must still get exactly the
// answer it gets alone, whatever else is in its statement.

let points: Point[];
let alone: SpotRow[];
let db: Database;

beforeAll(async () => {
  ({ db } = await testContext());
  const parcels = [DEMO.landlordEshInNoyerRenard, DEMO.jointEptAthis, DEMO.communeAthisInQpv, DEMO.privateCompany, DEMO.departement, DEMO.communeJuvisy];
  const inside = await Promise.all(parcels.map(async (idu) => (await pointIn(idu)) as [number, number]));
  const all: [number, number][] = [
    ...inside,
    DEMO.publicDomainNoyerRenard,
    DEMO.outsideTerritory,
    [0, 0], // no commune at all
    inside[0]!, // the same point twice in one statement
  ];
  points = all.map(([lon, lat]) => ({ lon, lat }));
  alone = [];
  for (const p of points) alone.push((await spotsAt(db, [p]))[0]!);
});

describe('lookups arriving together share one statement', () => {
  it('when several points go in one statement, then each gets the row it gets alone, in their order', async () => {
    expect(alone[0]!.parcel?.idu).toBe(DEMO.landlordEshInNoyerRenard);
    expect(alone[1]!.rights).toHaveLength(2);
    expect(alone[6]!.parcel).toBeNull();
    expect(alone[6]!.qpv?.name).toBe('Le Noyer Renard');
    expect(alone[7]!.commune?.in_territory).toBe(false);
    expect(alone[8]!.commune).toBeNull();
    expect(await spotsAt(db, points)).toEqual(alone);
    expect(await spotsAt(db, [...points].reverse())).toEqual([...alone].reverse());
  });

  it('when lookups are made at the same moment, then one statement carries them and each caller gets its own answer', async () => {
    const four = points.slice(5, 9);
    const before = spotStats(db);
    const answers = await Promise.all(four.map((p) => spotAt(db, p.lon, p.lat)));
    const after = spotStats(db);
    expect(answers).toEqual(alone.slice(5, 9));
    expect(after.points - before.points).toBe(4);
    expect(after.statements - before.statements).toBe(1);
  });

  it('when more lookups come at once than a statement carries (4), then they are split into full statements', async () => {
    const many = Array.from({ length: 18 }, (_, i) => i % points.length);
    const before = spotStats(db);
    const answers = await Promise.all(many.map((i) => spotAt(db, points[i]!.lon, points[i]!.lat)));
    const after = spotStats(db);
    expect(answers).toEqual(many.map((i) => alone[i]));
    expect(after.points - before.points).toBe(18);
    expect(after.statements - before.statements).toBe(5);
  });

  it('when many officers click at once, then each HTTP answer (200, 404 outside the territory, 400 far off) is the one it gets alone', async () => {
    const cookie = await login('gup@demo.gup');
    const get = (p: Point) => api(`/api/lookup?lon=${p.lon}&lat=${p.lat}`, { cookie });
    const sequential = [];
    for (const p of points) sequential.push(await get(p));
    expect(sequential.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 404, 400, 200]);
    const before = spotStats(db);
    const together = await Promise.all([...points, ...points].map(get));
    expect(together.map((r) => [r.status, r.body])).toEqual([...sequential, ...sequential].map((r) => [r.status, r.body]));
    // (0, 0) is refused before any query
    expect(spotStats(db).points - before.points).toBe((points.length - 1) * 2);
  });

  it('when hot statements run on PostgreSQL, then their connections plan generically (the array statement is not re-planned per call)', async () => {
    const [row] = await hotQuery<{ mode: string }>(db, { name: 'gup_test_plan_mode', text: "SELECT current_setting('plan_cache_mode') AS mode" }, []);
    // the embedded database has one connection and no named statements: PostgreSQL's default there
    expect(row!.mode).toBe(db.engine === 'postgres' ? 'force_generic_plan' : 'auto');
  });
});

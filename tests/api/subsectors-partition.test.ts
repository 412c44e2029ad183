/**
 * The 60 % rule on overlapping parcels (DESIGN 3.2: a planar partition, land covered by n parcels split 1/n, public
 * domain = S minus the union), through both paths: PostGIS (landInside, what the server decides on) and the browser
 * (faces from `/land`'s query clipped by the live preview's code). Golden fixtures: tests/fixtures/overlaps/*.geojson.
 * Fixture parcels and communes are written in a transaction that is rolled back: nothing is left for other tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Polygon } from 'geojson';
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { landInBbox, landInside } from '../../server/src/data/subsectors.js';
import { delegationFromLand, type DelegationResult, type ParcelOwnerRef } from '../../server/src/domain/delegation.js';
import { prepareLand, previewDelegation, type LandFace } from '../../server/src/domain/delegation-land.js';
import { testContext } from '../support/context.js';

const DIR = path.join(import.meta.dirname, '..', 'fixtures', 'overlaps');
const KINDS: Record<string, string> = { ept: 'agglomeration', oph: 'landlord', esh: 'landlord', 'com-91027': 'commune', 'com-91479': 'commune' };
const owner = (code: string): ParcelOwnerRef => ({ organisationCode: code, organisationName: code, organisationKind: KINDS[code]!, ownerId: null, name: code, kind: 'commune' });

interface Fixture {
  name: string;
  expected: { shares: Record<string, number>; outcome: string; delegate: string | null };
  features: { properties: { role: string; idu?: string; owners?: string[]; insee?: string; publicDomainOwner?: string }; geometry: Polygon }[];
}
const fixtures: Fixture[] = fs.readdirSync(DIR).filter((f) => f.endsWith('.geojson')).sort().map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')));

/** Runs `fn` in a transaction holding the fixture's parcels and communes, always rolled back. */
async function withFixture<T>(f: Fixture, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const { db } = await testContext();
  const trx = await db.knex.transaction();
  try {
    for (const { properties: p, geometry } of f.features) {
      const geom = trx.raw('ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))', [JSON.stringify(geometry)]);
      if (p.role === 'parcel') {
        await trx('parcels').insert({ idu: p.idu, commune_insee: p.idu!.slice(0, 5), prefix: p.idu!.slice(5, 8), section: p.idu!.slice(8, 10), number: p.idu!.slice(10), geom });
      } else if (p.role === 'commune') {
        await trx('communes').insert({ insee: p.insee, name: `Commune ${p.insee} (test)`, in_territory: true, geom });
      }
    }
    return await fn(trx);
  } finally {
    await trx.rollback();
  }
}

const ownersOf = (f: Fixture) => new Map(f.features.filter((x) => x.properties.role === 'parcel').map((x) => [x.properties.idu!, x.properties.owners!.map(owner)]));
const pdOwnerOf = (f: Fixture, insee: string) => {
  const code = f.features.find((x) => x.properties.insee === insee)?.properties.publicDomainOwner;
  return code ? { code, name: code, kind: KINDS[code]! } : null;
};
const perimeterOf = (f: Fixture) => f.features.find((x) => x.properties.role === 'perimeter')!.geometry;

/** The PostGIS path: landInside's land, then the shared rule. */
async function serverResult(trx: Knex.Transaction, f: Fixture): Promise<DelegationResult & { landM2: number }> {
  const land = await landInside(trx, JSON.stringify(perimeterOf(f)));
  const owners = ownersOf(f);
  const parcels = land.parcels.map((p) => ({ ...p, owners: owners.get(p.idu) ?? [] }));
  const result = delegationFromLand(land.areaM2, parcels, land.communes.map((c) => ({ ...c, owner: pdOwnerOf(f, c.insee) })), 0.6);
  return { ...result, landM2: parcels.reduce((s, p) => s + p.effectiveM2, 0) };
}

/** The browser path: `/land`'s parcels and faces for a bbox around the perimeter, through the live preview's code. */
async function browserResult(trx: Knex.Transaction, f: Fixture): Promise<DelegationResult> {
  const ring = perimeterOf(f).coordinates[0]!;
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  const bbox: [number, number, number, number] = [Math.min(...xs) - 0.001, Math.min(...ys) - 0.001, Math.max(...xs) + 0.001, Math.max(...ys) + 0.001];
  const land = await landInBbox(trx, bbox, 1000);
  const owners = ownersOf(f);
  const prepared = prepareLand(
    land.parcels.map((p) => ({ idu: p.idu, geometry: p.geometry as Polygon, owners: owners.get(p.idu) ?? [] })),
    land.faces as LandFace[],
    land.communes.map((c) => ({ insee: c.insee, geometry: c.geometry as Polygon, publicDomainOwner: pdOwnerOf(f, c.insee) })),
  );
  return previewDelegation(perimeterOf(f), prepared, 0.6);
}

const share = (r: DelegationResult, actor: string) => r.shares.find((s) => s.actor === actor)?.share ?? 0;

describe('golden fixtures: overlapping parcels split 1/n on both paths (DESIGN 3.2)', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('when the perimeter covers the "%s" case, then PostGIS and the browser give the expected shares within 0.1 point', async (_name, f) => {
    await withFixture(f, async (trx) => {
      const server = await serverResult(trx, f);
      const browser = await browserResult(trx, f);
      const actors = new Set([...Object.keys(f.expected.shares), ...server.shares.map((s) => s.actor), ...browser.shares.map((s) => s.actor)]);
      for (const actor of actors) {
        const expected = f.expected.shares[actor] ?? 0;
        expect(Math.abs(share(server, actor) - expected), `PostGIS, ${actor}: ${share(server, actor)} for ${expected}`).toBeLessThan(0.001);
        expect(Math.abs(share(browser, actor) - expected), `browser, ${actor}: ${share(browser, actor)} for ${expected}`).toBeLessThan(0.001);
      }
      for (const r of [server, browser]) expect({ outcome: r.outcome, delegate: r.delegate?.code ?? null }).toEqual({ outcome: f.expected.outcome, delegate: f.expected.delegate });
    });
  });

  it('when parcels are nested, then no land is counted twice: the parcels\' land is the area of their union inside the perimeter', async () => {
    const f = fixtures.find((x) => x.name === 'nested')!;
    await withFixture(f, async (trx) => {
      const server = await serverResult(trx, f);
      const { rows } = await trx.raw(
        `WITH s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(?), 4326) AS g)
         SELECT ST_Area(ST_Intersection(ST_Union(p.geom), s.g)::geography) AS m2 FROM parcels p, s WHERE p.idu LIKE '99001%' GROUP BY s.g`,
        [JSON.stringify(perimeterOf(f))],
      );
      expect(server.landM2).toBeCloseTo(Number(rows[0].m2), 3);
      expect(server.publicDomainM2).toBeCloseTo(server.areaM2 - Number(rows[0].m2), 3);
    });
  });
});

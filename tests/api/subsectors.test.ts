import type { Polygon } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

let planner: string;
let officer: string;
let commune: string;

/** A perimeter hugging a parcel: the parcel buffered by `meters` (simplified to a few dozen vertices). */
async function around(idu: string, meters: number): Promise<Polygon> {
  const { db } = await testContext();
  const { rows } = await db.knex.raw(
    `SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(ST_GeometryN(ST_Buffer(geom::geography, ?)::geometry, 1), 0.000005), 7)::json AS g FROM parcels WHERE idu = ?`,
    [meters, idu],
  );
  const g = rows[0].g;
  return (typeof g === 'string' ? JSON.parse(g) : g) as Polygon;
}
const feature = (geometry: unknown, properties: Record<string, unknown>) => ({ type: 'Feature', geometry, properties });
const countRows = async (table: string) => {
  const { db } = await testContext();
  return Number((await db.knex(table).count({ n: '*' }))[0]!.n);
};
const square = (lon: number, lat: number, d = 0.0005): Polygon => ({
  type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
});

beforeAll(async () => {
  planner = await login('urbaniste@demo.gup');
  officer = await login('gup@demo.gup');
  commune = await login('mairie.athis@demo.gup');
});

describe('sub-sectors and the 60 % rule (API)', () => {
  it('when a planner previews a perimeter around a landlord residence, then the landlord holds more than 60 % and would be delegated', async () => {
    const geometry = await around(DEMO.landlordEshInNoyerRenard, 2);
    const res = await api('/api/subsectors/preview', { body: { geometry }, cookie: planner });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'delegated', delegate: { code: 'esh' }, threshold: 0.6 });
    expect(res.body.areaM2).toBeGreaterThan(0);
    expect(res.body.publicDomainM2).toBeGreaterThan(0);
    const total = res.body.shares.reduce((s: number, x: { share: number }) => s + x.share, 0);
    expect(total).toBeCloseTo(1, 9);
  });

  it('when a planner saves, edits, then archives a sub-sector, then each step is a version and the history keeps them', async () => {
    const before = await countRows('subsectors');
    const created = await api('/api/subsectors', { body: feature(await around(DEMO.landlordOph, 2), { name: 'Résidence OPH (test)', description: 'Autour du bâtiment' }), cookie: planner });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'Feature', properties: { name: 'Résidence OPH (test)', version: 1, status: 'active', outcome: 'delegated', delegate: { code: 'oph' } } });
    const id = created.body.id;
    expect(await countRows('subsectors')).toBe(before + 1);

    const edited = await api(`/api/subsectors/${id}`, { method: 'PUT', body: feature(await around(DEMO.landlordOph, 6), { procedureNotes: 'Convention à signer' }), cookie: planner });
    expect(edited.status).toBe(200);
    expect(edited.body.properties).toMatchObject({ version: 2, name: 'Résidence OPH (test)', procedureNotes: 'Convention à signer' });

    expect((await api(`/api/subsectors/${id}`, { method: 'DELETE', cookie: planner })).status).toBe(204);
    const history = await api(`/api/subsectors/${id}/versions`, { cookie: officer });
    expect(history.body.features.map((f: any) => [f.properties.version, f.properties.change, f.properties.status])).toEqual([
      [3, 'archived', 'archived'], [2, 'edited', 'active'], [1, 'created', 'active'],
    ]);
    expect(history.body.features[2].properties.authorName).toBe('Urbaniste GUP');
    const active = await api('/api/subsectors', { cookie: officer });
    expect(active.body.features.map((f: any) => f.id)).not.toContain(id);
    const archived = await api('/api/subsectors?status=archived', { cookie: officer });
    expect(archived.body.features.map((f: any) => f.id)).toContain(id);
  });

  it('when a perimeter overlaps an active sub-sector, then it is refused naming that one, unless the planner allows it (recorded)', async () => {
    const first = await api('/api/subsectors', { body: feature(await around(DEMO.jointEptAthis, 3), { name: 'Indivision AC 208 (test)' }), cookie: planner });
    expect(first.status).toBe(201);
    const before = await countRows('subsector_versions');
    const clash = await api('/api/subsectors', { body: feature(await around(DEMO.jointEptAthis, 8), { name: 'Chevauchement' }), cookie: planner });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('overlap');
    expect(clash.body.error.message).toContain('Indivision AC 208 (test)');
    expect(clash.body.error.details.overlapping[0].id).toBe(first.body.id);
    expect(await countRows('subsector_versions')).toBe(before);
    const allowed = await api('/api/subsectors', { body: feature(await around(DEMO.jointEptAthis, 8), { name: 'Chevauchement assumé', allowOverlap: true }), cookie: planner });
    expect(allowed.status).toBe(201);
    const versions = await api(`/api/subsectors/${allowed.body.id}/versions`, { cookie: planner });
    expect(versions.body.features[0].properties.overlapAllowed).toBe(true);
    await api(`/api/subsectors/${allowed.body.id}`, { method: 'DELETE', cookie: planner });
    await api(`/api/subsectors/${first.body.id}`, { method: 'DELETE', cookie: planner });
  });

  it('when a delegated sub-sector is saved, then the lookup inside it names the delegate\'s service, even on someone else\'s land', async () => {
    // a perimeter around the ESH residence that also takes in a sliver of neighbouring land
    const geometry = await around(DEMO.landlordEshInNoyerRenard, 2);
    const saved = await api('/api/subsectors', { body: feature(geometry, { name: 'Résidence ESH (test)' }), cookie: planner });
    expect(saved.status).toBe(201);
    const [lon, lat] = await pointIn(DEMO.landlordEshInNoyerRenard);
    const res = await api(`/api/lookup?lon=${lon}&lat=${lat}&theme=eclairage`, { cookie: officer });
    expect(res.body.subSector).toMatchObject({ id: saved.body.id, outcome: 'delegated', delegate: { code: 'esh' } });
    expect(res.body.services[0]).toMatchObject({ rule: 'subsector', service: { code: 'esh-gestion' } });
    expect(res.body.services[0].reason).toContain('Résidence ESH (test)');
    await api(`/api/subsectors/${saved.body.id}`, { method: 'DELETE', cookie: planner });
    const after = await api(`/api/lookup?lon=${lon}&lat=${lat}&theme=eclairage`, { cookie: officer });
    expect(after.body.subSector).toBeNull();
  });

  it('when sub-sectors are exported then imported as GeoJSON, then they come back with their properties', async () => {
    const a = square(2.3605, 48.7032, 0.0003);
    const created = await api('/api/subsectors', {
      body: { type: 'FeatureCollection', features: [feature(a, { name: 'Import A (test)' }), feature(square(2.3615, 48.7040, 0.0003), { name: 'Import B (test)' })] },
      cookie: planner,
    });
    expect(created.status).toBe(201);
    expect(created.body.features.map((f: any) => f.properties.name)).toEqual(['Import A (test)', 'Import B (test)']);
    const exported = await api('/api/subsectors', { cookie: commune });
    expect(exported.body.type).toBe('FeatureCollection');
    const mine = exported.body.features.filter((f: any) => f.properties.name.startsWith('Import '));
    expect(mine).toHaveLength(2);
    expect(mine[0].geometry.type).toBe('MultiPolygon');
    for (const f of created.body.features) await api(`/api/subsectors/${f.id}`, { method: 'DELETE', cookie: planner });
  });

  it('when a collection holds one bad feature, then none of it is stored and the feature is named', async () => {
    const before = await countRows('subsectors');
    const res = await api('/api/subsectors', {
      body: { type: 'FeatureCollection', features: [feature(square(2.3605, 48.7032, 0.0002), { name: 'Bon' }), feature({ type: 'Polygon', coordinates: [[[2.36, 48.70], [2.361, 48.70], [2.36, 48.70]]] }, { name: 'Mauvais' })] },
      cookie: planner,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/Entité n° 2/);
    expect(await countRows('subsectors')).toBe(before);
  });

  it('when someone who is not a planner writes, then 403; everyone signed in reads', async () => {
    const body = feature(square(2.3605, 48.7032), { name: 'Interdit' });
    expect((await api('/api/subsectors', { body, cookie: officer })).status).toBe(403);
    expect((await api('/api/subsectors', { body, cookie: commune })).status).toBe(403);
    expect((await api('/api/subsectors/1', { method: 'DELETE', cookie: commune })).status).toBe(403);
    expect((await api('/api/subsectors', { cookie: commune })).status).toBe(200);
    expect((await api('/api/subsectors', { body })).status).toBe(401);
  });

  const bowtie: Polygon = { type: 'Polygon', coordinates: [[[2.360, 48.703], [2.362, 48.705], [2.362, 48.703], [2.360, 48.705], [2.360, 48.703]]] };
  const manyVertices = (): Polygon => {
    const ring: number[][] = [];
    for (let i = 0; i < 100_000; i++) {
      const a = (2 * Math.PI * i) / 100_000;
      ring.push([2.36 + 0.001 * Math.cos(a), 48.703 + 0.001 * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    return { type: 'Polygon', coordinates: [ring] };
  };
  it.each([
    ['a bowtie (self-intersection)', bowtie, 422, 'self_intersection'],
    ['an unclosed ring', { type: 'Polygon', coordinates: [[[2.360, 48.703], [2.362, 48.703], [2.362, 48.705], [2.360, 48.705]]] }, 422, 'unclosed_ring'],
    ['fewer than 3 points', { type: 'Polygon', coordinates: [[[2.360, 48.703], [2.362, 48.703], [2.360, 48.703]]] }, 422, 'too_few_points'],
    ['lat/lon in the wrong order', { type: 'Polygon', coordinates: [[[48.703, 2.360], [48.703, 2.362], [48.705, 2.362], [48.703, 2.360]]] }, 422, 'swapped_coordinates'],
    ['outside the territory', square(2.35, 48.683), 422, 'outside_territory'],
    ['a point instead of a polygon', { type: 'Point', coordinates: [2.36, 48.7] }, 422, 'not_polygon'],
    ['100 000 vertices', manyVertices(), 413, null],
  ])('when the geometry is %s, then it is refused with the reason and nothing is stored', async (_label, geometry, status, reason) => {
    const before = await countRows('subsector_versions');
    const res = await api('/api/subsectors', { body: feature(geometry, { name: 'Invalide' }), cookie: planner });
    expect(res.status).toBe(status);
    if (reason) expect(res.body.error.details.reason).toBe(reason);
    const preview = await api('/api/subsectors/preview', { body: { geometry }, cookie: planner });
    expect(preview.status).toBe(status);
    expect(await countRows('subsector_versions')).toBe(before);
  });

  it('when a bowtie is sent, then the location of the crossing is given', async () => {
    const res = await api('/api/subsectors/preview', { body: { geometry: bowtie }, cookie: planner });
    expect(res.body.error.details.location[0]).toBeCloseTo(2.361, 6);
    expect(res.body.error.details.location[1]).toBeCloseTo(48.704, 6);
  });
});

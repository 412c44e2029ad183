import { beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../support/http.js';

let planner: string;
let officer: string;
let commune: string;
beforeAll(async () => {
  planner = await login('urbaniste@demo.gup');
  officer = await login('gup@demo.gup');
  commune = await login('mairie.athis@demo.gup');
});

interface GroupFeature {
  id: string;
  geometry: { type: string } | null;
  properties: { kinds: string[]; sharedM2: number; ownersDiffer: boolean; parcels: { idu: string; owners: { name: string; organisationCode: string | null }[] }[] };
}

describe('data quality: overlapping and nested parcels (issue 11)', () => {
  it('when a planner lists Paray-Vieille-Poste, then the agglomeration parcel enclosing commune parcels is a nested group, with owners and its shared land on the map', async () => {
    const res = await api('/api/subsectors/overlaps?commune=91479', { cookie: planner });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'FeatureCollection', commune: '91479', page: 1 });
    expect(res.body.total).toBeGreaterThanOrEqual(res.body.features.length);
    const big = (res.body.features as GroupFeature[]).find((f) => f.properties.parcels.some((p) => p.idu === '91479000AB0147'))!;
    expect(big.properties.kinds).toContain('nested');
    expect(big.properties.parcels.length).toBeGreaterThanOrEqual(2);
    expect(big.properties.sharedM2).toBeGreaterThan(100_000);
    expect(big.geometry?.type).toMatch(/Polygon/);
    // largest shared land first
    const areas = (res.body.features as GroupFeature[]).map((f) => f.properties.sharedM2);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
  });

  it('when the garages of Morangis 914320000F1067 are listed, then they form one nested group; groups whose parcels belong to different actors are flagged', async () => {
    const res = await api('/api/subsectors/overlaps?commune=91432&limit=100', { cookie: officer });
    expect(res.status).toBe(200);
    const features = res.body.features as GroupFeature[];
    const garages = features.find((f) => f.properties.parcels.some((p) => p.idu === '914320000F1067'))!;
    expect(garages.properties.kinds).toEqual(['nested']);
    expect(garages.properties.parcels.length).toBeGreaterThanOrEqual(10);
    for (const f of features) {
      const keys = new Set(f.properties.parcels.map((p) => p.owners.map((o) => o.organisationCode ?? o.name).sort().join('+') || 'private'));
      if (keys.size === 1) expect(f.properties.ownersDiffer, f.id).toBe(false);
    }
    const all = [91027, 91326, 91432, 91479].map(async (c) => (await api(`/api/subsectors/overlaps?commune=${c}&limit=100`, { cookie: planner })).body.features as GroupFeature[]);
    expect((await Promise.all(all)).flat().some((f) => f.properties.ownersDiffer)).toBe(true);
  });

  it('when pages are asked, then they do not repeat a group and the total stays the same', async () => {
    const first = await api('/api/subsectors/overlaps?commune=91027&limit=3&page=1', { cookie: planner });
    const second = await api('/api/subsectors/overlaps?commune=91027&limit=3&page=2', { cookie: planner });
    expect(first.body.features).toHaveLength(3);
    expect(second.body.total).toBe(first.body.total);
    const ids = new Set(first.body.features.map((f: GroupFeature) => f.id));
    for (const f of second.body.features) expect(ids.has(f.id)).toBe(false);
  });

  it('when a commune user asks, then 403; a bad commune or limit is a 400 naming the field', async () => {
    expect((await api('/api/subsectors/overlaps?commune=91027', { cookie: commune })).status).toBe(403);
    const outside = await api('/api/subsectors/overlaps?commune=75056', { cookie: planner });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details[0].field).toBe('commune');
    const limit = await api('/api/subsectors/overlaps?commune=91027&limit=5000', { cookie: planner });
    expect(limit.status).toBe(400);
    expect(limit.body.error.details[0].field).toBe('limit');
    expect((await api('/api/subsectors/overlaps')).status).toBe(401);
  });
});

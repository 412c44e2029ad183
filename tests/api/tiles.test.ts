import { VectorTile, type VectorTileFeature, type VectorTileLayer } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rightsOf } from '../../server/src/data/parcels.js';
import { ownershipOf } from '../../server/src/domain/ownership.js';
import { tileOf, type TileCoords } from '../../server/src/tiles/coords.js';
import { reportScope } from '../../server/src/domain/access.js';
import { SEE_ALL, type LayerName } from '../../server/src/tiles/layers.js';
import { chooseEncoder, renderTile } from '../../server/src/tiles/render.js';
import { etagMatches, tileEtag } from '../../server/src/tiles/versions.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

interface TileResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

/** GET of a tile as bytes (api() reads bodies as text). */
async function getTile(path: string, cookie?: string, headers: Record<string, string> = {}): Promise<TileResponse> {
  const { baseUrl } = await testContext();
  const res = await fetch(`${baseUrl}/api/tiles/${path}`, { headers: { ...headers, ...(cookie ? { cookie } : {}) } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

const tilePath = (layer: string, { z, x, y }: TileCoords) => `${layer}/${z}/${x}/${y}.mvt`;

function decodeLayer(bytes: Uint8Array, layer: string): VectorTileLayer {
  const decoded = new VectorTile(new PbfReader(bytes)).layers[layer];
  if (!decoded) throw new Error(`no layer ${layer} in the tile`);
  return decoded;
}

/** Features of a decoded layer by one of their attributes. */
function featuresBy(layer: VectorTileLayer, key: string): Map<string, VectorTileFeature> {
  const out = new Map<string, VectorTileFeature>();
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    out.set(String(f.properties[key]), f);
  }
  return out;
}

let officer: string;
beforeAll(async () => {
  officer = await login('gup@demo.gup');
});

describe('GET /api/tiles/parcels — parcels with their lead owner', () => {
  it('when an officer asks the z16 tile of a jointly owned parcel in Noyer Renard, then the parcel carries the EPT as lead, joint ownership and its label', async () => {
    const [lon, lat] = await pointIn(DEMO.jointEptAthis);
    const res = await getTile(tilePath('parcels', tileOf(lon, lat, 16)), officer);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    const layer = decodeLayer(res.bytes, 'parcels');
    expect(layer.extent).toBe(4096);
    const parcel = featuresBy(layer, 'idu').get(DEMO.jointEptAthis);
    expect(parcel?.type).toBe(3);
    expect(parcel?.properties).toEqual({ idu: DEMO.jointEptAthis, label: 'AC 208', commune: '91027', kind: 'agglomeration', org: 'ept', joint: true, owners: 2 });
  });

  it('when parcels are owned by a private company or by natural persons, then kind and org say so and joint is false', async () => {
    const [lon, lat] = await pointIn(DEMO.privateCompany);
    const company = featuresBy(decodeLayer((await getTile(tilePath('parcels', tileOf(lon, lat, 16)), officer)).bytes, 'parcels'), 'idu');
    expect(company.get(DEMO.privateCompany)?.properties).toMatchObject({ label: 'A 20', kind: 'private_company', org: '', joint: false, owners: 1 });

    const [lon2, lat2] = await pointIn(DEMO.naturalPersonInNoyerRenard);
    const persons = featuresBy(decodeLayer((await getTile(tilePath('parcels', tileOf(lon2, lat2, 16)), officer)).bytes, 'parcels'), 'idu');
    expect(persons.get(DEMO.naturalPersonInNoyerRenard)?.properties).toMatchObject({ kind: 'private_person', org: '', joint: false, owners: 0 });
  });

  it('when every parcel of a tile is checked against the ownership rule of the domain, then kind, org, joint and owners agree', async () => {
    const { db } = await testContext();
    const [lon, lat] = await pointIn(DEMO.jointEptAthis);
    const features = featuresBy(decodeLayer((await getTile(tilePath('parcels', tileOf(lon, lat, 15)), officer)).bytes, 'parcels'), 'idu');
    expect(features.size).toBeGreaterThan(100);
    const rights = await rightsOf(db.knex, [...features.keys()]);
    for (const [idu, f] of features) {
      const ownership = ownershipOf(rights.filter((r) => r.idu === idu).map((r) => ({ ...r, ownerId: r.id })));
      const lead = ownership.owners[0]!;
      const expected = { kind: lead.kind, org: lead.organisation?.code ?? '', joint: ownership.joint, owners: ownership.privatePerson ? 0 : ownership.owners.length };
      expect({ idu, ...f.properties }, idu).toMatchObject({ idu, ...expected });
    }
  });

  it('when the zoom is an overview one (11–13), then the tile holds the actors\' land only: public and social-housing owners, no private parcel', async () => {
    const { db } = await testContext();
    for (const zoom of [11, 13]) {
      const [lon, lat] = await pointIn(DEMO.jointEptAthis);
      const res = await getTile(tilePath('parcels', tileOf(lon, lat, zoom)), officer);
      expect(res.status, `z${zoom}`).toBe(200);
      const features = featuresBy(decodeLayer(res.bytes, 'parcels'), 'idu');
      expect(features.size, `z${zoom}`).toBeGreaterThan(50);
      for (const idu of [DEMO.jointEptAthis, DEMO.landlordEshInNoyerRenard, DEMO.agglomeration]) expect(features.has(idu), `${idu} at z${zoom}`).toBe(true);
      for (const idu of [DEMO.privateCompany, DEMO.naturalPersonInNoyerRenard, DEMO.coownership]) expect(features.has(idu), `${idu} at z${zoom}`).toBe(false);
      // every parcel kept has a P right of a non-private owner
      const rights = await rightsOf(db.knex, [...features.keys()]);
      for (const idu of features.keys()) {
        expect(rights.some((r) => r.idu === idu && r.rightCode === 'P' && !['private_person', 'private_company', 'coownership'].includes(r.kind)), idu).toBe(true);
      }
    }
  });

  it('when the zoom is 14 or more, then private parcels are in the tile too', async () => {
    const [lon, lat] = await pointIn(DEMO.privateCompany);
    const features = featuresBy(decodeLayer((await getTile(tilePath('parcels', tileOf(lon, lat, 14)), officer)).bytes, 'parcels'), 'idu');
    expect(features.get(DEMO.privateCompany)?.properties).toMatchObject({ kind: 'private_company' });
  });

  it('when the zoom is below 11, then the parcels tile is empty (204)', async () => {
    const res = await getTile(tilePath('parcels', tileOf(2.36, 48.703, 10)), officer);
    expect(res.status).toBe(204);
    expect(res.bytes.length).toBe(0);
  });
});

describe('GET /api/tiles — other layers, errors and access', () => {
  it('when the qpv tile over Noyer Renard is asked, then it holds QP091028 with its name', async () => {
    const res = await getTile(tilePath('qpv', tileOf(2.36, 48.703, 12)), officer);
    expect(res.status).toBe(200);
    const qpv = featuresBy(decodeLayer(res.bytes, 'qpv'), 'code').get('QP091028');
    expect(qpv?.properties).toEqual({ code: 'QP091028', name: 'Le Noyer Renard' });
    expect(qpv?.type).toBe(3);
  });

  it('when the communes tile over Athis-Mons is asked, then Athis-Mons is in the territory', async () => {
    const res = await getTile(tilePath('communes', tileOf(2.36, 48.703, 10)), officer);
    expect(res.status).toBe(200);
    expect(featuresBy(decodeLayer(res.bytes, 'communes'), 'insee').get('91027')?.properties).toEqual({ insee: '91027', name: 'Athis-Mons', in_territory: true });
  });

  it('when the tile lies in the ocean, then 204 with no body', async () => {
    for (const layer of ['parcels', 'qpv', 'communes', 'subsectors', 'reports']) {
      const res = await getTile(tilePath(layer, tileOf(-30, 45, 14)), officer);
      expect(res.status, layer).toBe(204);
      expect(res.bytes.length, layer).toBe(0);
    }
  });

  it('when the layer is unknown, then 404 not_found', async () => {
    const res = await api('/api/tiles/buildings/16/33197/22588.mvt', { cookie: officer });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(res.body.error.message).toContain('buildings');
    expect((await api('/api/tiles/__proto__/16/33197/22588.mvt', { cookie: officer })).status).toBe(404);
  });

  it.each([
    ['a non-integer x', 'parcels/16/1.5/22588.mvt', 'x'],
    ['a negative y', 'parcels/16/33197/-1.mvt', 'y'],
    ['a zoom above 22', 'parcels/23/0/0.mvt', 'z'],
    ['x outside the grid', 'parcels/2/4/0.mvt', 'x'],
    ['y outside the grid', 'qpv/8/0/256.mvt', 'y'],
    ['a word for z', 'parcels/abc/0/0.mvt', 'z'],
  ])('when the tile has %s, then 400 names the field', async (_label, path, field) => {
    const res = await api(`/api/tiles/${path}`, { cookie: officer });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('when there is no session, then 401', async () => {
    const res = await getTile(tilePath('parcels', tileOf(2.36, 48.703, 16)));
    expect(res.status).toBe(401);
  });

  it.each([
    ['no .mvt suffix', 'parcels/16/33197/22588'],
    ['a missing coordinate', 'parcels/16/33197.mvt'],
    ['an extra segment', 'parcels/16/33197/22588/1.mvt'],
    ['nothing after /tiles/', ''],
  ])('when the tile path has %s, then 404 naming the expected form', async (_label, path) => {
    const res = await api(`/api/tiles/${path}`, { cookie: officer });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('/api/tiles/{couche}/{z}/{x}/{y}.mvt');
  });

  it('when a tile is asked with HEAD, then its headers come back without the bytes', async () => {
    const { baseUrl } = await testContext();
    const path = tilePath('parcels', tileOf(2.36, 48.703, 16));
    const full = await getTile(path, officer);
    const head = await fetch(`${baseUrl}/api/tiles/${path}`, { method: 'HEAD', headers: { cookie: officer } });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(full.headers.get('etag'));
    expect(Number(head.headers.get('content-length'))).toBe(full.bytes.length);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('GET /api/tiles — caching', () => {
  it('when the client revalidates with the ETag, then 304 with no body; a stale ETag gets the tile', async () => {
    const path = tilePath('parcels', tileOf(2.36, 48.703, 16));
    const first = await getTile(path, officer);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, max-age=0, must-revalidate');
    const again = await getTile(path, officer, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect(again.headers.get('etag')).toBe(etag);
    const stale = await getTile(path, officer, { 'if-none-match': '"stale"' });
    expect(stale.status).toBe(200);
    expect(stale.bytes).toEqual(first.bytes);
  });

  it('when the tile is another one or another layer, then its ETag differs', async () => {
    const c = tileOf(2.36, 48.703, 16);
    const etags = await Promise.all([tilePath('parcels', c), tilePath('parcels', { ...c, x: c.x + 1 }), tilePath('qpv', c)].map(async (p) => (await getTile(p, officer)).headers.get('etag')));
    expect(new Set(etags).size).toBe(3);
  });

  it('when an owner right of a parcel changes, then the ETag changes and the tile shows it; restoring changes it again', async () => {
    const { db } = await testContext();
    const [lon, lat] = await pointIn(DEMO.jointEptAthis);
    const path = tilePath('parcels', tileOf(lon, lat, 16));
    const before = await getTile(path, officer);
    const commune = await db.knex('owners').where({ organisation_code: 'com-91027' }).first('id');
    const right = { idu: DEMO.jointEptAthis, owner_id: commune.id, right_code: 'P' };
    await db.knex('parcel_rights').where(right).delete();
    try {
      const changed = await getTile(path, officer, { 'if-none-match': before.headers.get('etag')! });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(before.headers.get('etag'));
      expect(featuresBy(decodeLayer(changed.bytes, 'parcels'), 'idu').get(DEMO.jointEptAthis)?.properties).toMatchObject({ org: 'ept', joint: false, owners: 1 });
    } finally {
      await db.knex('parcel_rights').insert(right);
    }
    const restored = await getTile(path, officer, { 'if-none-match': before.headers.get('etag')! });
    expect(restored.status).toBe(200);
    expect(restored.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(featuresBy(decodeLayer(restored.bytes, 'parcels'), 'idu').get(DEMO.jointEptAthis)?.properties).toMatchObject({ joint: true, owners: 2 });
  });

  it('when an organisation changes, then parcels ETags change but the qpv ETag does not', async () => {
    const { db } = await testContext();
    const c = tileOf(2.36, 48.703, 16);
    const etag = async (layer: string) => (await getTile(tilePath(layer, c), officer)).headers.get('etag');
    const [parcels, qpv] = [await etag('parcels'), await etag('qpv')];
    await db.knex('organisations').where({ code: 'ept' }).update({ sort_order: 0 }); // same value: still a write
    expect(await etag('parcels')).not.toBe(parcels);
    expect(await etag('qpv')).toBe(qpv);
  });
});

describe('GET /api/tiles/reports — filtered by role', () => {
  const NEAR_NOYER_RENARD = tileOf(2.36, 48.703, 14);
  const hourMs = 3600_000;
  let ids: number[] = [];

  beforeAll(async () => {
    const { db } = await testContext();
    const author = await db.knex('users').where({ email: 'mairie.athis@demo.gup' }).first('id');
    const category = await db.knex('categories').orderBy('code').first('code');
    const report = (ref: string, lon: number, commune: string, service: string, status: string, dueInHours: number) => ({
      reference: ref, category_code: category.code, description: 'test tuiles', status, commune_insee: commune, service_code: service,
      geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [lon, 48.703]), routing: JSON.stringify({}), created_by: author.id,
      ack_due_at: new Date(Date.now() + dueInHours * hourMs), resolve_due_at: new Date(Date.now() + dueInHours * hourMs),
    });
    const rows = await db.knex('reports').insert([
      report('TILES-1', 2.3600, '91027', 'oph-proximite', 'submitted', -2), // overdue
      report('TILES-2', 2.3610, '91027', 'ept-dechets', 'resolved', -2), // past due but resolved: not overdue
      report('TILES-3', 2.3620, '91326', 'ept-dechets', 'acknowledged', 48),
    ]).returning('id');
    ids = rows.map((r: { id: number }) => r.id);
  });

  afterAll(async () => {
    const { db } = await testContext();
    await db.knex('reports').whereIn('id', ids).delete();
  });

  const referencesSeenBy = async (email: string) => {
    const res = await getTile(tilePath('reports', NEAR_NOYER_RENARD), await login(email));
    if (res.status === 204) return { refs: [], etag: res.headers.get('etag'), features: new Map<string, VectorTileFeature>() };
    expect(res.status).toBe(200);
    const features = featuresBy(decodeLayer(res.bytes, 'reports'), 'reference');
    return { refs: [...features.keys()].filter((r) => r.startsWith('TILES-')).sort(), etag: res.headers.get('etag'), features };
  };

  it('when an officer asks the reports tile, then every report is there with status, category, urgency and overdue', async () => {
    const { refs, features } = await referencesSeenBy('gup@demo.gup');
    expect(refs).toEqual(['TILES-1', 'TILES-2', 'TILES-3']);
    const first = features.get('TILES-1')!;
    expect(first.type).toBe(1);
    expect(first.properties).toMatchObject({ id: ids[0], status: 'submitted', urgent: false, overdue: true });
    expect(typeof first.properties.category).toBe('string');
    expect(features.get('TILES-2')?.properties.overdue).toBe(false);
    expect(features.get('TILES-3')?.properties.overdue).toBe(false);
  });

  it.each([
    ['a planner', 'urbaniste@demo.gup', ['TILES-1', 'TILES-2', 'TILES-3']],
    ['the Athis-Mons commune user', 'mairie.athis@demo.gup', ['TILES-1', 'TILES-2']],
    ['the Juvisy commune user', 'mairie.juvisy@demo.gup', ['TILES-3']],
    ['the OPH agent', 'oph@demo.gup', ['TILES-1']],
    ['the waste service agent', 'dechets@demo.gup', ['TILES-2', 'TILES-3']],
  ])('when %s asks the reports tile, then only the reports they may see are in it', async (_label, email, expected) => {
    expect((await referencesSeenBy(email)).refs).toEqual(expected);
  });

  it('when two users see different reports on the same tile, then their ETags differ; a new report changes them', async () => {
    const athis = await referencesSeenBy('mairie.athis@demo.gup');
    const juvisy = await referencesSeenBy('mairie.juvisy@demo.gup');
    expect(athis.etag).not.toBe(juvisy.etag);
    const { db } = await testContext();
    await db.knex('reports').where({ id: ids[2] }).update({ status: 'in_progress' });
    expect((await referencesSeenBy('mairie.athis@demo.gup')).etag).not.toBe(athis.etag);
  });
});

describe('tile encoders', () => {
  /** Twice the area of a decoded polygon feature, in tile units. */
  const area = (f: VectorTileFeature) =>
    Math.abs(f.loadGeometry().reduce((sum, ring) => {
      let a = 0;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j]!.x - ring[i]!.x) * (ring[j]!.y + ring[i]!.y);
      return sum + a / 2;
    }, 0));
  /**
   * A sliver: a polygon less than one tile unit wide on average, or at most two units across one way (a 1 m² parcel
   * at z12): on the integer grid the encoders may keep or drop it, or cut a spike.
   */
  const isSliver = (f: VectorTileFeature) => {
    const [x0, y0, x1, y1] = f.bbox() as [number, number, number, number];
    return f.type === 3 && (Math.min(x1 - x0, y1 - y0) <= 2 || area(f) / Math.max(x1 - x0, y1 - y0, 1) < 1);
  };

  it.each<[LayerName, string, number]>([
    ['parcels', 'idu', 12],
    ['parcels', 'idu', 13],
    ['parcels', 'idu', 14],
    ['parcels', 'idu', 16],
    ['qpv', 'code', 12],
    ['communes', 'insee', 10],
  ])('when ST_AsMVT exists, then both encoders give the same %s features (by %s) at z%i', async (layer, key, zoom) => {
    const { db } = await testContext();
    if (!db.hasMvt) return; // compared where ST_AsMVT exists; see the next test for the embedded database
    const coords = tileOf(2.36, 48.703, zoom);
    const [postgis, node] = await Promise.all([
      renderTile(db.knex, 'postgis', layer, coords, SEE_ALL),
      renderTile(db.knex, 'node', layer, coords, SEE_ALL),
    ]);
    const a = featuresBy(decodeLayer(postgis!, layer), key);
    const b = featuresBy(decodeLayer(node!, layer), key);
    const onlyOne = [...[...a].filter(([id]) => !b.has(id)), ...[...b].filter(([id]) => !a.has(id))];
    expect(onlyOne.filter(([, f]) => !isSliver(f)).map(([id]) => id)).toEqual([]);
    expect(onlyOne.length).toBeLessThanOrEqual(Math.ceil(a.size * 0.01));
    let compared = 0;
    const far: string[] = [];
    for (const [id, f] of a) {
      const g = b.get(id);
      if (!g) continue;
      expect(g.properties, id).toEqual(f.properties);
      expect(g.type, id).toBe(f.type);
      if (isSliver(f) || isSliver(g)) continue;
      compared++;
      const [p, q] = [f.bbox(), g.bbox()];
      if (p.some((v, i) => Math.abs(v - q[i]!) > 3)) far.push(id);
    }
    expect(compared).toBeGreaterThan(0);
    // a few parcels have spikes that ST_AsMVTGeom's validation cuts away and the Node encoder keeps
    expect(far.length, far.join(' ')).toBeLessThanOrEqual(Math.ceil(compared * 0.01));
  });

  it('when the database is the embedded one (no protobuf), then the Node encoder serves the tiles', async () => {
    const { db } = await testContext();
    const coords = tileOf(2.36, 48.703, 16);
    const served = await getTile(tilePath('parcels', coords), officer);
    const expected = chooseEncoder(db);
    expect(expected).toBe(db.hasMvt ? 'postgis' : 'node');
    if (!db.hasMvt) await expect(db.knex.raw('SELECT ST_AsMVT(t) FROM (SELECT 1 AS a) t')).rejects.toThrow(/protobuf/);
    expect(Buffer.from(served.bytes)).toEqual(Buffer.from((await renderTile(db.knex, expected, 'parcels', coords, SEE_ALL))!));
  });
});

describe('tile rules', () => {
  it('when an account lacks its commune or service, then it sees no report at all', () => {
    expect(reportScope({ role: 'commune_user', communeInsee: null, serviceCode: null })).toEqual({ kind: 'none' });
    expect(reportScope({ role: 'service_agent', communeInsee: '91027', serviceCode: null })).toEqual({ kind: 'none' });
    expect(reportScope({ role: 'gup_officer', communeInsee: null, serviceCode: null })).toEqual(SEE_ALL);
  });

  it('when If-None-Match lists several tags, weak or strong, or *, then a match is found', () => {
    expect(etagMatches('"x", W/"abc"', '"abc"')).toBe(true);
    expect(etagMatches('*', '"abc"')).toBe(true);
    expect(etagMatches('"abcd"', '"abc"')).toBe(false);
    expect(etagMatches(undefined, '"abc"')).toBe(false);
  });

  it('when the reports layer is asked a minute later, then its ETag changes (overdue follows the clock); parcels do not', () => {
    const base = { version: '7', coords: { z: 14, x: 8299, y: 5647 }, encoder: 'node' };
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(tileEtag({ ...base, name: 'reports', scope: 'all', now })).not.toBe(tileEtag({ ...base, name: 'reports', scope: 'all', now: now + 60_000 }));
    expect(tileEtag({ ...base, name: 'parcels', now })).toBe(tileEtag({ ...base, name: 'parcels', now: now + 3_600_000 }));
    expect(tileEtag({ ...base, name: 'reports', scope: 'commune:91027', now })).not.toBe(tileEtag({ ...base, name: 'reports', scope: 'all', now }));
  });
});

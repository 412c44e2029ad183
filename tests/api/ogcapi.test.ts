/**
 * OGC API – Features under /ogcapi (DESIGN 3.9), by the classes of the OGC test suite: landing page, conformance,
 * API definition, collections, items (limit, bbox, datetime, paging), single feature, error cases; then access
 * (public collections, reports by the one visibility rule), parcels without natural persons, HTML pages, and CQL2
 * filters including injection attempts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

const O = '/ogcapi';
const PREFIX = 'OGC-';
const Q = (s: string) => encodeURIComponent(s);

/** Reports of this file, near one spot in Athis-Mons (91027) and Juvisy (91326), in January and March 2020. */
const REPORTS = [
  { ref: 'OGC-A-JAN', commune: '91027', service: 'oph-proximite', copies: [] as string[], at: '2020-01-15T10:00:00Z' },
  { ref: 'OGC-A-MAR', commune: '91027', service: 'ept-dechets', copies: [], at: '2020-03-15T10:00:00Z' },
  { ref: 'OGC-J-JAN', commune: '91326', service: 'com-91326-st', copies: ['oph-proximite'], at: '2020-01-20T10:00:00Z' },
] as const;
const ROLES = ['admin@demo.gup', 'urbaniste@demo.gup', 'gup@demo.gup', 'mairie.athis@demo.gup', 'mairie.juvisy@demo.gup', 'oph@demo.gup', 'dechets@demo.gup'];
const reportIds: number[] = [];
let subsectorId: number;
let spot: [number, number];

beforeAll(async () => {
  const { db } = await testContext();
  spot = await pointIn(DEMO.communeJuvisy);
  const author = await db.knex('users').where({ email: 'gup@demo.gup' }).first('id');
  const due = new Date('2020-06-01T00:00:00Z');
  const rows = await db.knex('reports').insert(REPORTS.map((r, i) => ({
    reference: r.ref, category_code: 'salissure', description: `Test OGC ${r.ref}`, status: 'submitted', commune_insee: r.commune,
    service_code: r.service, also_notify: r.copies, routing: JSON.stringify({}), created_by: author.id, ack_due_at: due, resolve_due_at: due,
    created_at: new Date(r.at), geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [spot[0] + i * 0.00002, spot[1]]),
  }))).returning('id');
  reportIds.push(...(rows as { id: number }[]).map((r) => r.id));
  const [s] = await db.knex('subsectors').insert({
    name: '<script>alert("x")</script> & Cie', status: 'active', geom: db.knex.raw(`ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(?, ?), 4326), 0.0005))`, spot),
    outcome: 'shared', threshold: 0.6, shares: JSON.stringify([]),
  }).returning('id');
  subsectorId = (s as { id: number }).id;
});

afterAll(async () => {
  const { db } = await testContext();
  await db.knex('reports').whereIn('id', reportIds).delete();
  await db.knex('subsectors').where({ id: subsectorId }).delete();
});

const count = async (sql: string, bindings: unknown[] = []) => {
  const { db } = await testContext();
  const { rows } = await db.knex.raw(`SELECT count(*)::int AS n FROM ${sql}`, bindings as never[]);
  return Number(rows[0].n);
};

/** Every feature of a query, following the `next` links; checks each page's numbers. */
async function readAll(path: string, cookie?: string): Promise<{ ids: (string | number)[]; features: any[]; matched: number; pages: number }> {
  const { baseUrl } = await testContext();
  let url: string | undefined = baseUrl + path;
  const features: any[] = [];
  let matched = -1;
  let pages = 0;
  while (url) {
    const res: { status: number; body: any } = await api(url.slice(baseUrl.length), { cookie });
    expect(res.status, url).toBe(200);
    expect(res.body.numberReturned).toBe(res.body.features.length);
    if (matched >= 0) expect(res.body.numberMatched).toBe(matched);
    matched = res.body.numberMatched;
    features.push(...res.body.features);
    pages++;
    url = res.body.links.find((l: any) => l.rel === 'next')?.href;
    expect(pages).toBeLessThan(1000);
  }
  return { ids: features.map((f) => f.id), features, matched, pages };
}

describe('landing page, conformance and API definition', () => {
  it('when the landing page is asked then it links the OpenAPI document, the conformance and the collections', async () => {
    const res = await api(`${O}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const rel = (r: string) => res.body.links.find((l: any) => l.rel === r);
    expect(rel('service-desc')).toMatchObject({ type: 'application/vnd.oai.openapi+json;version=3.0' });
    expect(rel('service-desc').href).toMatch(/\/ogcapi\/api$/);
    expect(rel('conformance').href).toMatch(/\/ogcapi\/conformance$/);
    expect(rel('data')).toMatchObject({ type: 'application/json' });
    expect(rel('data').href).toMatch(/\/ogcapi\/collections$/);
    expect((await api(O)).status).toBe(200);
  });

  it('when the conformance is asked then it declares Core, GeoJSON, HTML, OpenAPI 3.0, filtering and basic CQL2 text', async () => {
    const res = await api(`${O}/conformance`);
    expect(res.status).toBe(200);
    for (const c of ['ogcapi-features-1/1.0/conf/core', 'ogcapi-features-1/1.0/conf/geojson', 'ogcapi-features-1/1.0/conf/html', 'ogcapi-features-1/1.0/conf/oas30',
      'ogcapi-features-3/1.0/conf/filter', 'ogcapi-features-3/1.0/conf/queryables', 'cql2/1.0/conf/cql2-text', 'cql2/1.0/conf/basic-cql2']) {
      expect(res.body.conformsTo).toContain(`http://www.opengis.net/spec/${c}`);
    }
  });

  it('when the API definition is asked then it is an OpenAPI 3.0 document of every path with the limit bounds', async () => {
    const res = await api(`${O}/api`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/vnd.oai.openapi+json;version=3.0');
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/', '/conformance', '/collections', '/collections/{collectionId}', '/collections/{collectionId}/items', '/collections/{collectionId}/items/{featureId}', '/collections/{collectionId}/queryables', '/collections/{collectionId}/schema']));
    const refs: string[] = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g)!.map((r) => r.slice(8, -1));
    for (const ref of refs) expect(ref.slice(2).split('/').reduce((o: any, k) => o?.[k], doc), ref).toBeDefined(); // every $ref resolves
    const limit = doc.paths['/collections/{collectionId}/items'].get.parameters.find((p: any) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 10000, default: 100 });
  });
});

describe('collections', () => {
  it('when anonymous then the public collections communes, qpv and parcels are listed with their extent and items link', async () => {
    const res = await api(`${O}/collections`);
    expect(res.status).toBe(200);
    expect(res.body.collections.map((c: any) => c.id)).toEqual(['communes', 'qpv', 'parcels']);
    for (const c of res.body.collections) {
      expect(c.extent.spatial.bbox[0]).toHaveLength(4);
      expect(c.links.find((l: any) => l.rel === 'items' && l.type === 'application/geo+json').href).toMatch(new RegExp(`/collections/${c.id}/items`));
    }
  });

  it('when signed in then sub-sectors and reports are listed too; a collection alone answers the same document', async () => {
    const cookie = await login('mairie.athis@demo.gup');
    const res = await api(`${O}/collections`, { cookie });
    expect(res.body.collections.map((c: any) => c.id)).toEqual(['communes', 'qpv', 'subsectors', 'parcels', 'reports']);
    const one = await api(`${O}/collections/reports`, { cookie });
    expect(one.status).toBe(200);
    expect(one.body.id).toBe('reports');
    expect(one.body.extent.temporal.interval[0]).toHaveLength(2);
  });

  it('when a collection is unknown then 404; when it needs a session and there is none then 401', async () => {
    expect((await api(`${O}/collections/users`)).status).toBe(404);
    expect((await api(`${O}/collections/users/items`)).status).toBe(404);
    for (const path of ['/collections/subsectors', '/collections/subsectors/items', '/collections/reports', '/collections/reports/items', `/collections/reports/items/${reportIds[0]}`, '/collections/reports/queryables', '/collections/reports/schema']) {
      const res = await api(`${O}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
  });
});

describe('feature schema (describedBy)', () => {
  /** Whether a property value is of its published type (`nullable`: null allowed). */
  const conforms = (value: unknown, schema: any): boolean => {
    if (value === null) return schema.nullable === true;
    switch (schema.type) {
      case 'string':
        if (typeof value !== 'string') return false;
        if (schema.format === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(value);
        if (schema.format === 'date-time') return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value));
        return true;
      case 'integer': return Number.isInteger(value);
      case 'number': return typeof value === 'number';
      case 'boolean': return typeof value === 'boolean';
      case 'object': return typeof value === 'object' && !Array.isArray(value);
      case 'array': return Array.isArray(value) && (schema.items?.type !== 'string' || value.every((v) => typeof v === 'string'));
      default: return false;
    }
  };

  it.each(['communes', 'qpv', 'subsectors', 'parcels', 'reports'])('when the %s collection is described then it links a schema that types every property of its features', async (id) => {
    const cookie = await login('gup@demo.gup');
    const coll = await api(`${O}/collections/${id}`, { cookie });
    const link = coll.body.links.find((l: any) => l.rel === 'describedBy');
    expect(link).toMatchObject({ type: 'application/schema+json', href: expect.stringMatching(new RegExp(`/ogcapi/collections/${id}/schema$`)) });
    const res = await api(`${O}/collections/${id}/schema`, { cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/schema+json');
    const props = res.body.properties.properties.properties as Record<string, any>;
    const page = await api(`${O}/collections/${id}/items?limit=500`, { cookie });
    expect(page.body.features.length).toBeGreaterThan(0);
    for (const f of page.body.features) {
      expect(Object.keys(f.properties).sort(), `${id} ${f.id}`).toEqual(Object.keys(props).sort());
      for (const [name, value] of Object.entries(f.properties)) expect(conforms(value, props[name]), `${id} ${f.id} ${name}=${JSON.stringify(value)}`).toBe(true);
    }
    expect(res.body.properties.id.type).toBe(typeof page.body.features[0].id === 'number' ? 'integer' : 'string');
  });

  it('when the schema of an unknown collection or with an unknown parameter is asked then 404 or 400', async () => {
    expect((await api(`${O}/collections/users/schema`)).status).toBe(404);
    expect((await api(`${O}/collections/parcels/schema?limit=1`)).status).toBe(400);
  });
});

describe('items: limit, paging, bbox, datetime', () => {
  it('when no limit is given then 100 features and numberMatched counts the whole collection; the next link continues', async () => {
    const res = await api(`${O}/collections/parcels/items`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(res.body.type).toBe('FeatureCollection');
    expect(res.body.numberReturned).toBe(100);
    expect(res.body.numberMatched).toBe(await count('parcels'));
    const f = res.body.features[0];
    expect(f).toMatchObject({ type: 'Feature', geometry: { type: 'MultiPolygon' } });
    expect(typeof f.id).toBe('string');
    const next = res.body.links.find((l: any) => l.rel === 'next');
    expect(next.href).toMatch(/cursor=/);
    const second = await api(new URL(next.href).pathname + new URL(next.href).search);
    expect(second.body.features[0].id > res.body.features[99].id).toBe(true);
  });

  it('when every page is followed then each feature comes exactly once and the last page has no next link', async () => {
    const all = await readAll(`${O}/collections/communes/items?limit=2`);
    const { db } = await testContext();
    const expected = (await db.knex('communes').select('insee')).map((r: { insee: string }) => r.insee);
    expect(all.ids.length).toBe(all.matched);
    expect(new Set(all.ids).size).toBe(all.ids.length);
    expect([...all.ids].sort()).toEqual([...expected].sort());
    expect(all.pages).toBe(Math.ceil(expected.length / 2));
  });

  it('when limit is 10 000 then at most 10 000 come back; when 0, 10 001 or not a number then 400 naming limit', async () => {
    const big = await api(`${O}/collections/parcels/items?limit=10000&bbox=2.30,48.60,2.50,48.80`);
    expect(big.status).toBe(200);
    expect(big.body.numberReturned).toBeLessThanOrEqual(10_000);
    expect(big.body.numberReturned).toBe(Math.min(10_000, big.body.numberMatched));
    for (const bad of ['0', '10001', 'ten', '-1']) {
      const res = await api(`${O}/collections/parcels/items?limit=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.details[0].field).toBe('limit');
    }
  });

  it('when a bbox is given then exactly the features that intersect it, counted the same', async () => {
    const box = [2.355, 48.700, 2.365, 48.708];
    const all = await readAll(`${O}/collections/parcels/items?limit=500&bbox=${box.join(',')}`);
    const { db } = await testContext();
    const truth = (await db.knex('parcels').whereRaw('ST_Intersects(geom, ST_MakeEnvelope(?, ?, ?, ?, 4326))', box).select('idu')).map((r: { idu: string }) => r.idu);
    expect(truth.length).toBeGreaterThan(50);
    expect([...all.ids].sort()).toEqual(truth.sort());
    expect(all.matched).toBe(truth.length);
  });

  it('when bbox, bbox-crs or crs are wrong then 400 naming the parameter', async () => {
    for (const [q, field] of [['bbox=1,2,3', 'bbox'], ['bbox=2,49,3,48', 'bbox'], ['bbox=a,b,c,d', 'bbox'], ['bbox=170,0,-170,1', 'bbox'],
      ['bbox-crs=EPSG:2154', 'bbox-crs'], ['crs=http://www.opengis.net/def/crs/EPSG/0/2154', 'crs']] as const) {
      const res = await api(`${O}/collections/parcels/items?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.details[0].field).toBe(field);
    }
  });

  it('when datetime is an interval then only the reports created in it; open ends and days work; a bad date is a 400', async () => {
    const cookie = await login('gup@demo.gup');
    const refs = async (datetime: string) => {
      const res = await api(`${O}/collections/reports/items?limit=10000&datetime=${Q(datetime)}&filter=${Q(`reference >= '${PREFIX}' AND reference < 'OGC-Z'`)}`, { cookie });
      expect(res.status, datetime).toBe(200);
      return res.body.features.map((f: any) => f.properties.reference).sort();
    };
    expect(await refs('2020-01-01/2020-01-31')).toEqual(['OGC-A-JAN', 'OGC-J-JAN']);
    expect(await refs('2020-02-01/..')).toEqual(['OGC-A-MAR']);
    expect(await refs('../2020-01-15')).toEqual(['OGC-A-JAN']);
    expect(await refs('2020-03-15')).toEqual(['OGC-A-MAR']);
    expect(await refs('2020-03-15T10:00:00Z')).toEqual(['OGC-A-MAR']);
    const untimed = await api(`${O}/collections/communes/items?datetime=2020-01-01/2020-01-31`);
    expect(untimed.status).toBe(200); // communes have no time: the checked parameter changes nothing
    expect(untimed.body.numberMatched).toBe(await count('communes'));
    const bad = await api(`${O}/collections/reports/items?datetime=2020-02-30`, { cookie });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('datetime');
  });

  it('when a parameter is unknown, repeated, or f is neither json nor html then 400 naming it; a forged cursor too', async () => {
    const cases: [string, string][] = [['commune=91027', 'commune'], ['limit=1&limit=2', 'limit'], ['f=xml', 'f'], ['cursor=AAAA', 'cursor'], ['filter-lang=cql2-json&filter=1', 'filter-lang']];
    for (const [q, field] of cases) {
      const res = await api(`${O}/collections/communes/items?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.details[0].field).toBe(field);
    }
    expect((await api(`${O}/conformance?limit=1`)).status).toBe(400);
    expect((await api(`${O}/collections/communes/items`, { method: 'POST', body: {} })).status).toBe(405);
  });
});

describe('single feature', () => {
  it('when a parcel is asked by its IDU then one Feature with its links; unknown then 404; malformed integer id then 400', async () => {
    const res = await api(`${O}/collections/parcels/items/${DEMO.landlordOph}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(res.body).toMatchObject({ type: 'Feature', id: DEMO.landlordOph, geometry: { type: 'MultiPolygon' } });
    expect(res.body.links.map((l: any) => l.rel)).toEqual(expect.arrayContaining(['self', 'alternate', 'collection']));
    expect((await api(`${O}/collections/parcels/items/999990000A0000`)).status).toBe(404);
    const cookie = await login('gup@demo.gup');
    const bad = await api(`${O}/collections/reports/items/1;DROP`, { cookie });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('featureId');
    const nul = await api(`${O}/collections/parcels/items/9102700%00`);
    expect(nul.status).toBe(400);
    expect(nul.body.error.details[0].field).toBe('featureId');
  });
});

describe('parcels: owner kind and organisation, never a natural person', () => {
  it('when parcels are read then their lead owner kind and organisation are those of the parcel API, and no owner name appears', async () => {
    const cookie = await login('gup@demo.gup');
    for (const idu of [DEMO.jointEptAthis, DEMO.landlordOph, DEMO.privateCompany, DEMO.naturalPersonInNoyerRenard, DEMO.coownership]) {
      const ogc = await api(`${O}/collections/parcels/items/${idu}`);
      const rest = await api(`/api/parcels/${idu}`, { cookie });
      const lead = rest.body.owners.find((o: any) => o.lead);
      expect(ogc.body.properties.owner_kind, idu).toBe(lead.kind);
      expect(ogc.body.properties.organisation_code, idu).toBe(lead.organisation?.code ?? null);
      const text = JSON.stringify(ogc.body);
      for (const o of rest.body.owners) if (!o.organisation) expect(text, idu).not.toContain(o.name);
    }
    const natural = await api(`${O}/collections/parcels/items/${DEMO.naturalPersonInNoyerRenard}`);
    expect(natural.body.properties).toMatchObject({ owner_kind: 'private_person', organisation_code: null, joint_owners: 0 });
    expect(Object.keys(natural.body.properties)).not.toContain('owner_name');
  });
});

describe('reports: the one visibility rule, none anonymously', () => {
  const ours = (refs: string[]) => refs.filter((r) => r.startsWith(PREFIX)).sort();

  it.each(ROLES)('when %s reads reports then it gets the reports the list API gives it, with the list row fields', async (email) => {
    const cookie = await login(email);
    const bbox = [spot[0] - 0.001, spot[1] - 0.001, spot[0] + 0.001, spot[1] + 0.001].join(',');
    const list = await api(`/api/reports?limit=5000&bbox=${bbox}`, { cookie });
    const ogc = await readAll(`${O}/collections/reports/items?limit=2&bbox=${bbox}`, cookie);
    expect(ours(ogc.features.map((f) => f.properties.reference))).toEqual(ours(list.body.reports.map((r: any) => r.reference)));
    const mine = ogc.features.find((f) => f.properties.reference.startsWith(PREFIX));
    if (mine) {
      const row = list.body.reports.find((r: any) => r.reference === mine.properties.reference);
      const { statusLabel: _label, ...fields } = row;
      expect(Object.keys(mine.properties).sort()).toEqual(Object.keys(fields).sort());
      expect(mine.geometry).toEqual({ type: 'Point', coordinates: [expect.closeTo(row.lon, 7), expect.closeTo(row.lat, 7)] });
    }
    for (const id of reportIds) {
      const one = await api(`${O}/collections/reports/items/${id}`, { cookie });
      const visible = list.body.reports.some((r: any) => r.id === id);
      expect(one.status, `${email} report ${id}`).toBe(visible ? 200 : 404);
    }
  });
});

describe('HTML for a browser', () => {
  it('when a browser asks (Accept text/html or f=html) then French, escaped HTML pages with a table and a JSON link', async () => {
    const cookie = await login('urbaniste@demo.gup');
    const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    for (const path of ['/', '/conformance', '/collections', '/collections/communes', '/collections/qpv/items', `/collections/parcels/items/${DEMO.landlordOph}`]) {
      const res = await api(`${O}${path}`, { headers: browser });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(res.body, path).toMatch(/^<!doctype html><html lang="fr">/);
      expect(res.body, path).toContain('Voir en JSON');
    }
    const page = await api(`${O}/collections/subsectors/items?f=html&limit=1000`, { cookie });
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toMatch(/<th scope="col">name<\/th>/);
  });
});

describe('headers for caches and proxies', () => {
  it('when answers are read then they vary with Cookie (and Accept where negotiated), a signed-in caller\'s are private, errors too', async () => {
    const anonymous = await api(`${O}/collections`);
    expect(anonymous.headers.get('vary')).toBe('Cookie, Accept');
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    const cookie = await login('urbaniste@demo.gup');
    const signed = await api(`${O}/collections/communes`, { cookie });
    expect(signed.headers.get('vary')).toBe('Cookie, Accept');
    expect(signed.headers.get('cache-control')).toBe('private, no-store');
    const queryables = await api(`${O}/collections/parcels/queryables`, { cookie });
    expect(queryables.headers.get('vary')).toBe('Cookie');
    const missing = await api(`${O}/collections/nope`, { cookie });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('vary')).toBe('Cookie');
    expect(missing.headers.get('cache-control')).toBe('private, no-store');
    expect(missing.body.error.code).toBe('not_found');
  });

  it('when a local proxy says https (X-Forwarded-Proto) then the links are https; the OpenAPI document keeps its exact media type', async () => {
    const res = await api(`${O}/`, { headers: { 'x-forwarded-proto': 'https' } });
    const self = res.body.links.find((l: { rel: string }) => l.rel === 'self');
    expect(self.href).toMatch(/^https:\/\/(127\.0\.0\.1|localhost):\d+\/ogcapi\/\?f=json$/);
    const api_ = await api(`${O}/api`);
    expect(api_.headers.get('content-type')).toBe('application/vnd.oai.openapi+json;version=3.0');
    expect(api_.body.servers[0].url).toMatch(/^http:\/\/.+\/ogcapi$/);
  });
});

describe('CQL2 text filters (Part 3)', () => {
  it('when the queryables are asked then a JSON Schema of the filterable properties', async () => {
    const res = await api(`${O}/collections/parcels/queryables`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    const doc = res.body;
    expect(doc.properties.owner_kind).toMatchObject({ type: 'string' });
    expect(doc.properties.geometry).toMatchObject({ format: 'geometry-any' });
    expect(doc.additionalProperties).toBe(false);
  });

  it('when comparisons are combined with AND, OR, NOT then the features are those the same test in JavaScript keeps', async () => {
    const all = (await readAll(`${O}/collections/communes/items?limit=1000`)).features;
    const filtered = await readAll(`${O}/collections/communes/items?limit=1000&filter=${Q("NOT (insee = '91027') AND (in_territory = TRUE OR population >= 20000)")}`);
    const expected = all.filter((f) => !(f.properties.insee === '91027') && (f.properties.in_territory === true || f.properties.population >= 20000)).map((f) => f.id);
    expect(expected.length).toBeGreaterThan(0);
    expect([...filtered.ids].sort()).toEqual(expected.sort());
    expect(filtered.matched).toBe(expected.length);
  });

  it('when parcels are filtered by commune and owner kind then numberMatched is the count of those kinds among the commune\'s parcels', async () => {
    const commune = await readAll(`${O}/collections/parcels/items?limit=10000&filter=${Q("commune_insee = '91326'")}`);
    const landlords = commune.features.filter((f) => f.properties.owner_kind === 'landlord').length;
    const res = await api(`${O}/collections/parcels/items?limit=1&filter=${Q("commune_insee = '91326' AND owner_kind = 'landlord'")}`);
    expect(res.status).toBe(200);
    expect(landlords).toBeGreaterThan(0);
    expect(res.body.numberMatched).toBe(landlords);
  });

  it('when S_INTERSECTS gets a polygon then the same features as the bbox of that rectangle; a self-intersecting one is accepted', async () => {
    const [w, s, e, n] = [2.355, 48.700, 2.365, 48.708];
    const byBbox = await api(`${O}/collections/parcels/items?limit=1&bbox=${[w, s, e, n].join(',')}`);
    const byFilter = await api(`${O}/collections/parcels/items?limit=1&filter=${Q(`S_INTERSECTS(geometry, POLYGON((${w} ${s}, ${e} ${s}, ${e} ${n}, ${w} ${n}, ${w} ${s})))`)}`);
    expect(byFilter.status).toBe(200);
    expect(byFilter.body.numberMatched).toBe(byBbox.body.numberMatched);
    const byBboxLiteral = await api(`${O}/collections/parcels/items?limit=1&filter=${Q(`S_INTERSECTS(geometry, BBOX(${w}, ${s}, ${e}, ${n}))`)}`);
    expect(byBboxLiteral.body.numberMatched).toBe(byBbox.body.numberMatched);
    const bowtie = await api(`${O}/collections/parcels/items?limit=1&filter=${Q(`S_INTERSECTS(geometry, POLYGON((${w} ${s}, ${e} ${n}, ${e} ${s}, ${w} ${n}, ${w} ${s})))`)}`);
    expect(bowtie.status).toBe(200);
    expect(bowtie.body.numberMatched).toBeGreaterThan(0);
  });

  it('when a filter carries SQL (quotes, semicolons, comments, functions, unknown columns) then it is a value or a 400, and nothing changes', async () => {
    const before = await count('communes');
    const literal = await api(`${O}/collections/communes/items?filter=${Q("insee = '91027''; DROP TABLE communes; --'")}`);
    expect(literal.status).toBe(200);
    expect(literal.body.numberMatched).toBe(0);
    const refused: string[] = [
      "insee = '91027' OR 1=1 --",
      "insee = '91027'; DELETE FROM communes",
      "insee = '91027' /* */",
      'pg_sleep(5) = 1',
      "password_hash = 'x'",
      '"insee = insee OR true" = 1',
      "insee = '1' UNION SELECT email FROM users",
      `${'('.repeat(50)}insee = '1'${')'.repeat(50)}`,
      `insee = '${'x'.repeat(5000)}'`,
      "insee = 'a\u0000b'",
      `S_INTERSECTS(geometry, LINESTRING(${Array.from({ length: 2001 }, (_, i) => `${i % 10} ${i % 7}`).join(',')}))`,
      'S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))',
    ];
    const started = Date.now();
    for (const filter of refused) {
      const res = await api(`${O}/collections/communes/items?${new URLSearchParams({ filter })}`);
      expect(res.status, filter.slice(0, 80)).toBe(400);
      expect(res.body.error.details[0].field).toBe('filter');
    }
    expect(Date.now() - started).toBeLessThan(5_000); // pg_sleep never ran
    expect(await count('communes')).toBe(before);
    expect(await count('users')).toBeGreaterThan(0);
  });

  it('when a report filter names a property of another collection then 400; the scope still applies under any filter', async () => {
    const cookie = await login('mairie.juvisy@demo.gup');
    expect((await api(`${O}/collections/reports/items?filter=${Q("owner_kind = 'landlord'")}`, { cookie })).status).toBe(400);
    const res = await api(`${O}/collections/reports/items?limit=10000&filter=${Q("commune_insee = '91027' OR TRUE")}`, { cookie });
    expect(res.status).toBe(200);
    expect(res.body.features.every((f: any) => f.properties.communeInsee === '91326')).toBe(true);
  });
});

/**
 * Who sees which report (DESIGN 3.4), reader by reader: lists, CSV, details, nearby, duplicates proposal, tiles and
 * Open311 must all give the same answer for every demo role, because they all take it from one rule
 * (`reportScope` in server/src/domain/access.ts, `scopePredicate` in server/src/data/access.ts).
 */
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpen311Key } from '../../server/src/services/open311.js';
import { tileOf } from '../../server/src/tiles/coords.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';

const PREFIX = 'VIS-';
const CATEGORY = 'salissure';

/**
 * The reports of the test, all within a few metres of one spot in Juvisy-sur-Orge and created now (so that each is a
 * candidate for the nearby and duplicates readers); visibility reads their commune, service and services in copy.
 */
const REPORTS = [
  { ref: 'VIS-A-OPH', commune: '91027', service: 'oph-proximite', copies: [] as string[], status: 'submitted' },
  { ref: 'VIS-A-DECHETS', commune: '91027', service: 'ept-dechets', copies: [], status: 'acknowledged' },
  { ref: 'VIS-A-COPY-DECHETS', commune: '91027', service: 'com-91027-proprete', copies: ['ept-dechets'], status: 'in_progress' },
  { ref: 'VIS-A-RESOLVED', commune: '91027', service: 'ept-dechets', copies: [], status: 'resolved' },
  { ref: 'VIS-J-ST', commune: '91326', service: 'com-91326-st', copies: [], status: 'submitted' },
  { ref: 'VIS-J-OPH', commune: '91326', service: 'oph-proximite', copies: [], status: 'transferred' },
  { ref: 'VIS-J-COPY-OPH', commune: '91326', service: 'esh-gestion', copies: ['oph-proximite'], status: 'submitted' },
] as const;
const ALL: string[] = REPORTS.map((r) => r.ref).sort();
const OPEN: string[] = REPORTS.filter((r) => r.status !== 'resolved').map((r) => r.ref).sort();

/** What each demo role sees, written out by hand (DESIGN 3.4 and the services in copy). */
const EXPECTED: { email: string; sees: string[]; reports: boolean }[] = [
  { email: 'admin@demo.gup', sees: ALL, reports: true },
  { email: 'urbaniste@demo.gup', sees: ALL, reports: false },
  { email: 'gup@demo.gup', sees: ALL, reports: true },
  { email: 'mairie.athis@demo.gup', sees: ['VIS-A-COPY-DECHETS', 'VIS-A-DECHETS', 'VIS-A-OPH', 'VIS-A-RESOLVED'], reports: true },
  { email: 'mairie.juvisy@demo.gup', sees: ['VIS-J-COPY-OPH', 'VIS-J-OPH', 'VIS-J-ST'], reports: true },
  { email: 'oph@demo.gup', sees: ['VIS-A-OPH', 'VIS-J-COPY-OPH', 'VIS-J-OPH'], reports: false },
  { email: 'dechets@demo.gup', sees: ['VIS-A-COPY-DECHETS', 'VIS-A-DECHETS', 'VIS-A-RESOLVED'], reports: false },
];

let spot: [number, number];
const idOf = new Map<string, number>();
const ours = (refs: Iterable<string>) => [...refs].filter((r) => r.startsWith(PREFIX)).sort();

beforeAll(async () => {
  const { db } = await testContext();
  spot = await pointIn(DEMO.communeJuvisy);
  const author = await db.knex('users').where({ email: 'gup@demo.gup' }).first('id');
  const inFourDays = new Date(Date.now() + 4 * 86_400_000);
  const rows = await db.knex('reports').insert(REPORTS.map((r, i) => ({
    reference: r.ref, category_code: CATEGORY, description: `Test de visibilité ${r.ref}`, status: r.status, commune_insee: r.commune,
    service_code: r.service, also_notify: r.copies, routing: JSON.stringify({}), created_by: author.id, ack_due_at: inFourDays, resolve_due_at: inFourDays,
    geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [spot[0] + i * 0.00002, spot[1]]),
  }))).returning(['id', 'reference']);
  for (const r of rows as { id: number; reference: string }[]) { idOf.set(r.reference, r.id); }
});

afterAll(async () => {
  const { db } = await testContext();
  await db.knex('reports').whereIn('id', [...idOf.values()]).delete();
});

/** Each reader, as the references of the test's reports it gives to a signed-in user (null: refused). */
const READERS: Record<string, (cookie: string) => Promise<string[] | null>> = {
  async list(cookie) {
    const res = await api(`/api/reports?limit=5000&bbox=${bboxAround(spot)}`, { cookie });
    expect(res.status).toBe(200);
    return ours(res.body.reports.map((r: any) => r.reference));
  },
  async csv(cookie) {
    const res = await api(`/api/reports?format=csv&limit=5000&bbox=${bboxAround(spot)}`, { cookie });
    expect(res.status).toBe(200);
    const lines = (res.body as string).replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
    return ours(lines.map((l) => l.split(';')[0]!.replace(/^"|"$/g, '')));
  },
  async details(cookie) {
    const seen: string[] = [];
    for (const [ref, id] of idOf) {
      const res = await api(`/api/reports/${id}`, { cookie });
      expect([200, 404], ref).toContain(res.status);
      if (res.status === 200) seen.push(ref);
    }
    return ours(seen);
  },
  async nearby(cookie) {
    const res = await api(`/api/reports/nearby?category=${CATEGORY}&lon=${spot[0]}&lat=${spot[1]}`, { cookie });
    if (res.status === 403) return null;
    expect(res.status).toBe(200);
    return ours(res.body.reports.map((r: any) => r.reference));
  },
  async tiles(cookie) {
    const { baseUrl } = await testContext();
    const { z, x, y } = tileOf(spot[0], spot[1], 16);
    const res = await fetch(`${baseUrl}/api/tiles/reports/${z}/${x}/${y}.mvt`, { headers: { cookie } });
    if (res.status === 204) return [];
    expect(res.status).toBe(200);
    const layer = new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer()))).layers.reports;
    const refs: string[] = [];
    for (let i = 0; layer && i < layer.length; i++) refs.push(String(layer.feature(i).properties.reference));
    return ours(refs);
  },
};

function bboxAround([lon, lat]: [number, number]) {
  return [lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001].join(',');
}

describe('report visibility: every reader agrees with the one rule, for every role', () => {
  const cases = EXPECTED.flatMap((e) => Object.keys(READERS).map((reader) => [e.email, reader, e] as const));
  it.each(cases)('when %s reads through %s, then exactly the reports of its scope come back', async (email, reader, expected) => {
    const got = await READERS[reader]!(await login(email));
    if (reader === 'nearby') {
      // nearby: open reports only, and only for those who report (the others are refused)
      expect(got).toEqual(expected.reports ? expected.sees.filter((r) => OPEN.includes(r)) : null);
    } else {
      expect(got).toEqual(expected.sees);
    }
  });
});

describe('report visibility: Open311', () => {
  let juvisyKey: string;
  beforeAll(async () => {
    const { db } = await testContext();
    juvisyKey = (await createOpen311Key(db.knex, { communeInsee: '91326', label: 'Visibilité (test)' })).key;
  });

  /** The test's requests as `reference → full view?` (a description and the exact position). */
  async function read(query: string): Promise<Map<string, boolean>> {
    const res = await api(`/open311/v2/requests.json?service_request_id=${ALL.join(',')}${query}`);
    expect(res.status).toBe(200);
    const out = new Map<string, boolean>();
    for (const r of res.body) {
      const id = idOf.get(r.service_request_id)!;
      const exact = REPORTS.findIndex((x) => x.ref === r.service_request_id);
      const full = r.description !== null && r.long === spot[0] + exact * 0.00002 && r.lat === spot[1];
      out.set(r.service_request_id, full);
      const one = await api(`/open311/v2/requests/${r.service_request_id}.json${query.replace(/^&/, '?')}`);
      expect(one.status).toBe(200);
      expect(one.body[0].description !== null, `requests/{id}.json of ${id}`).toBe(full);
    }
    return out;
  }

  it('when anyone reads requests without a key, then every report is listed, none in full', async () => {
    const seen = await read('');
    expect([...seen.keys()].sort()).toEqual(ALL);
    expect([...seen].filter(([, full]) => full).map(([ref]) => ref)).toEqual([]);
  });

  it('when the Juvisy software reads with its key, then exactly the reports the Juvisy user sees are in full', async () => {
    const seen = await read(`&api_key=${encodeURIComponent(juvisyKey)}`);
    expect([...seen.keys()].sort()).toEqual(ALL);
    expect([...seen].filter(([, full]) => full).map(([ref]) => ref).sort()).toEqual(EXPECTED.find((e) => e.email === 'mairie.juvisy@demo.gup')!.sees);
  });

  it('when a wrong key is given to a read, then 403 and nothing is read', async () => {
    const res = await api(`/open311/v2/requests.json?service_request_id=${ALL[0]}&api_key=gup311_wrong`);
    expect(res.status).toBe(403);
    expect(res.body[0].code).toBe(403);
  });
});

describe('report visibility: the duplicates proposed at submission', () => {
  const created: number[] = [];
  afterAll(async () => {
    const { db } = await testContext();
    await db.knex('reports').whereIn('id', created).delete();
  });

  it.each([
    ['mairie.juvisy@demo.gup', ['VIS-J-COPY-OPH', 'VIS-J-OPH', 'VIS-J-ST']],
    ['gup@demo.gup', OPEN],
  ])('when %s files a report at the spot, then only the open reports it may see are proposed as duplicates', async (email, expected) => {
    const res = await postReport(await login(email), reportBody(spot[0], spot[1], { category: CATEGORY, description: 'Salissures (test de visibilité)' }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    created.push(res.body.id);
    expect(ours(res.body.possibleDuplicates.map((d: any) => d.reference))).toEqual(expected);
  });
});

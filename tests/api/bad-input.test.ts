import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpen311Key } from '../../server/src/services/open311.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, DEMO_PASSWORD, login } from '../support/http.js';
import { reportBody } from '../support/reports.js';

/**
 * DESIGN 4's bad-input corpus (issue 11 §2), table-driven, against every write route and every id or filter parameter
 * of the routers (server/src/routes/*, the lean lookup and tiles, Open311): each case gets a 4xx with a JSON error body
 * (never a 500), and nothing is stored (the rows of every table a request can write are counted after each case).
 */

/** Tables a request can write; counted in one statement. */
const WRITTEN = ['reports', 'report_events', 'report_followers', 'report_photos', 'outbox', 'subsectors', 'subsector_versions', 'sessions', 'audit_log', 'users', 'open311_keys', 'password_tokens', 'import_jobs', 'imports'];
async function counts(): Promise<Record<string, number>> {
  const { db } = await testContext();
  const { rows } = await db.knex.raw(`SELECT ${WRITTEN.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(', ')}`);
  return rows[0] as Record<string, number>;
}

interface Ctx {
  commune: string; officer: string; planner: string; admin: string;
  reportId: number; subsectorId: number; open311Key: string; point: [number, number]; juvisyPoint: [number, number]; plannerId: number;
}
let c: Ctx;

/** A square of ~40 m around a point, as a GeoJSON polygon ring. */
const square = ([lon, lat]: [number, number], d = 0.0003): number[][] => [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]];
const polygon = (ring: number[][]) => ({ type: 'Polygon', coordinates: [ring] });
const HUGE = 'x'.repeat(100_000);
const NUL = 'a\u0000b';
/** Stands for an array nested 50 000 deep, put into the JSON text by send() (JSON.stringify itself would overflow). */
const DEEP = '__tableau_profond__';
const DEEP_JSON = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;

/** The bad values every field of a JSON body gets, by the kind of its valid value. */
function badValuesFor(valid: unknown): [string, unknown][] {
  const common: [string, unknown][] = [['an object', { $ne: 1 }], ['an array', [valid]]];
  // an object with unknown keys may well be a valid object (extra keys are ignored where the schema is not strict)
  if (valid !== null && typeof valid === 'object') return [['an array', [valid]], ['a string', 'x'], ['a number', 1], ['null', null]];
  if (typeof valid === 'string') return [...common, ['a number', 123], ['a NUL byte', NUL], ['a 100 000-character string', HUGE], ['null', null]];
  if (typeof valid === 'number') return [...common, ['a string', 'douze'], ['NaN as text', 'NaN'], ['a huge number', 1e308], ['null', null]];
  if (typeof valid === 'boolean') return [...common, ['a string', 'peut-être'], ['a number', 2]];
  return common;
}

interface BodyRoute {
  name: string;
  method: string;
  path: () => string;
  cookie: () => string | undefined;
  body: () => Record<string, unknown>;
  /** Fields that accept null (so null is no bad value for them). */
  nullable?: string[];
  /** Whether an unknown field is refused (strict schemas). */
  strict?: boolean;
  headers?: () => Record<string, string>;
  /** Route-specific bad bodies. */
  extra?: () => [string, unknown][];
}

let seq = 0;
/** A client address of its own per login case (trust proxy = loopback): the corpus never locks 127.0.0.1 out. */
const loginHeaders = () => ({ 'x-forwarded-for': `203.0.113.${(seq = (seq % 250) + 1)}` });

const BODY_ROUTES: BodyRoute[] = [
  {
    name: 'POST /api/auth/login', method: 'POST', path: () => '/api/auth/login', cookie: () => undefined, headers: loginHeaders,
    body: () => ({ email: 'gup@demo.gup', password: 'pas-le-bon-mot-de-passe' }),
  },
  {
    name: 'POST /api/subsectors/preview', method: 'POST', path: () => '/api/subsectors/preview', cookie: () => c.planner,
    body: () => ({ geometry: polygon(square(DEMO.publicDomainNoyerRenard)) }),
    extra: geometryCases((g) => ({ geometry: g })),
  },
  {
    name: 'POST /api/subsectors', method: 'POST', path: () => '/api/subsectors', cookie: () => c.planner,
    body: () => ({ type: 'Feature', geometry: polygon(square(c.juvisyPoint, 0.00005)), properties: { name: 'Corpus' } }),
    extra: () => [
      ...geometryCases((g) => ({ type: 'Feature', geometry: g, properties: { name: 'Corpus' } }))(),
      ['properties.name with a NUL byte', { type: 'Feature', geometry: polygon(square(DEMO.publicDomainNoyerRenard)), properties: { name: NUL } }],
      ['properties.name of 100 000 characters', { type: 'Feature', geometry: polygon(square(DEMO.publicDomainNoyerRenard)), properties: { name: HUGE } }],
      ['properties.allowOverlap as a string', { type: 'Feature', geometry: polygon(square(DEMO.publicDomainNoyerRenard)), properties: { name: 'x', allowOverlap: 'oui' } }],
      ['a FeatureCollection whose 2nd feature is bad', { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: polygon(square(DEMO.publicDomainNoyerRenard, 0.0001)), properties: { name: 'ok' } }, { type: 'Feature', geometry: polygon([[2.36, 48.7], [2.361, 48.701], [2.361, 48.7], [2.36, 48.701], [2.36, 48.7]]), properties: { name: 'papillon' } }] }],
      ['an empty FeatureCollection', { type: 'FeatureCollection', features: [] }],
    ],
  },
  {
    name: 'PUT /api/subsectors/:id', method: 'PUT', path: () => `/api/subsectors/${c.subsectorId}`, cookie: () => c.planner,
    body: () => ({ type: 'Feature', properties: { name: 'Corpus modifié' } }),
    extra: geometryCases((g) => ({ type: 'Feature', geometry: g, properties: {} })),
  },
  {
    name: 'POST /api/reports (JSON)', method: 'POST', path: () => '/api/reports', cookie: () => c.commune, strict: true, nullable: [],
    body: () => reportBody(...c.point),
    extra: () => [
      ['swapped coordinates', reportBody(c.point[1], c.point[0])],
      ['a point outside France', reportBody(-73.98, 40.75)],
      ['a point outside the user\'s commune', reportBody(...DEMO.outsideTerritory)],
      ['an unknown category', reportBody(...c.point, { category: 'categorie_inconnue' })],
      ['an unknown urgency criterion', reportBody(...c.point, { urgent: true, urgencyCriterion: 'inconnu' })],
      ['urgent as a string', reportBody(...c.point, { urgent: 'oui' })],
      ['a description of 2 characters', reportBody(...c.point, { description: 'ab' })],
      ['infinite coordinates as text', { ...reportBody(...c.point), lon: '1e400' }],
    ],
  },
  {
    name: 'POST /api/reports/:id/transitions', method: 'POST', path: () => `/api/reports/${c.reportId}/transitions`, cookie: () => c.officer, strict: true, nullable: ['comment'],
    body: () => ({ to: 'acknowledged', comment: 'pris en compte' }),
    extra: () => [
      ['an unknown status', { to: 'envolé' }],
      ['both to and action', { to: 'acknowledged', action: 'acknowledge' }],
      ['neither to nor action', { comment: 'rien' }],
      ['duplicateOf beyond the integer range', { to: 'duplicate', duplicateOf: 2147483648 }],
      ['duplicateOf negative', { to: 'duplicate', duplicateOf: -4 }],
      ['duplicateOf as a float', { to: 'duplicate', duplicateOf: 1.5 }],
      ['duplicateOf as a string', { to: 'duplicate', duplicateOf: '12' }],
      ['duplicateOf that does not exist', { to: 'duplicate', duplicateOf: 2147483647 }],
      ['a transfer to an unknown service', { to: 'transferred', service: 'service_inconnu', comment: 'hors compétence' }],
      ['a transfer to a service with a NUL byte', { to: 'transferred', service: NUL, comment: 'hors compétence' }],
    ],
  },
  {
    name: 'POST /open311/v2/requests.json (JSON)', method: 'POST', path: () => '/open311/v2/requests.json', cookie: () => undefined,
    body: () => ({ api_key: c.open311Key, service_code: 'depot_sauvage', lat: c.point[1], long: c.point[0], description: 'Dépôt sauvage devant le n° 3' }),
    extra: () => [
      ['swapped lat and long', { api_key: c.open311Key, service_code: 'depot_sauvage', lat: c.point[0], long: c.point[1], description: 'Dépôt' }],
      ['a point outside the key\'s commune', { api_key: c.open311Key, service_code: 'depot_sauvage', lat: DEMO.outsideTerritory[1], long: DEMO.outsideTerritory[0], description: 'Dépôt' }],
      ['an unknown service_code', { api_key: c.open311Key, service_code: 'inconnu', lat: c.point[1], long: c.point[0], description: 'Dépôt' }],
      ['a wrong api_key', { api_key: 'pas-une-cle', service_code: 'depot_sauvage', lat: c.point[1], long: c.point[0], description: 'Dépôt' }],
      ['an address instead of a position', { api_key: c.open311Key, service_code: 'depot_sauvage', address_string: '3 rue de Paris', description: 'Dépôt' }],
      ['an unknown urgency attribute', { api_key: c.open311Key, service_code: 'depot_sauvage', lat: c.point[1], long: c.point[0], description: 'Dépôt', attribute: { urgent: 'inconnu' } }],
    ],
  },
  // administration (issue 14): accounts, configuration, Open311 keys; the one-time password link
  {
    name: 'POST /api/admin/users', method: 'POST', path: () => '/api/admin/users', cookie: () => c.admin, strict: true,
    body: () => ({ email: 'corpus@exemple.fr', name: 'Corpus', role: 'commune_user', communeInsee: '91027' }),
    extra: () => [
      ['a commune user without commune', { email: 'corpus@exemple.fr', name: 'Corpus', role: 'commune_user' }],
      ['a service agent of an unknown service', { email: 'corpus@exemple.fr', name: 'Corpus', role: 'service_agent', serviceCode: 'inconnu' }],
      ['an e-mail already used', { email: 'GUP@demo.gup', name: 'Corpus', role: 'planner' }],
    ],
  },
  {
    // every field is optional: "missing" would be a valid change, so only bad values are sent
    name: 'PATCH /api/admin/users/:id', method: 'PATCH', path: () => `/api/admin/users/${c.plannerId}`, cookie: () => c.admin, strict: true, nullable: ['name', 'active', 'role'],
    body: () => ({ name: 'Urbaniste GUP', role: 'planner', active: true }),
    extra: () => [['a planner limited to a commune', { role: 'planner', communeInsee: '91027' }], ['a commune user without commune', { role: 'commune_user' }]],
  },
  {
    name: 'POST /api/admin/open311-keys', method: 'POST', path: () => '/api/admin/open311-keys', cookie: () => c.admin, strict: true,
    body: () => ({ communeInsee: '91027', label: 'Corpus' }),
    extra: () => [['a commune outside the territory', { communeInsee: '75056', label: 'Corpus' }], ['a blank label', { communeInsee: '91027', label: '   ' }]],
  },
  ...(['POST /api/admin/config/preview', 'PUT /api/admin/config'] as const).map((name): BodyRoute => ({
    name, method: name.split(' ')[0]!, path: () => name.split(' ')[1]!, cookie: () => c.admin, strict: true,
    body: () => ({ config: { about: 'corpus' } }),
    extra: () => [
      ['a configuration without its sections', { config: { about: 'corpus' } }],
      ['a configuration whose territory is a string', { config: { territory: 'GOSB', organisations: [] } }],
    ],
  })),
  {
    name: 'POST /api/auth/password', method: 'POST', path: () => '/api/auth/password', cookie: () => undefined, strict: true, headers: loginHeaders,
    body: () => ({ token: 'x'.repeat(43), password: 'un-mot-de-passe-solide' }),
    extra: () => [['an unknown token', { token: 'x'.repeat(43), password: 'un-mot-de-passe-solide' }], ['a password of 5 characters', { token: 'x'.repeat(43), password: 'court' }]],
  },
];

/** Geometry cases for the routes that take a perimeter (DESIGN 4). */
function geometryCases(wrap: (g: unknown) => Record<string, unknown>): () => [string, unknown][] {
  return () => {
    const [lon, lat] = DEMO.publicDomainNoyerRenard;
    return [
      ['a self-intersecting polygon (bow tie)', wrap(polygon([[lon, lat], [lon + 0.001, lat + 0.001], [lon + 0.001, lat], [lon, lat + 0.001], [lon, lat]]))],
      ['an unclosed ring', wrap(polygon(square([lon, lat]).slice(0, 4)))],
      ['a ring of 3 positions', wrap(polygon([[lon, lat], [lon + 0.001, lat], [lon, lat]]))],
      ['swapped coordinates', wrap(polygon(square([lat, lon])))],
      ['a polygon outside France', wrap(polygon(square([-73.98, 40.75])))],
      ['coordinates as strings', wrap(polygon(square([lon, lat]).map(([x, y]) => [String(x), String(y)]) as unknown as number[][]))],
      ['NaN coordinates (null in JSON)', wrap({ type: 'Polygon', coordinates: [[[null, null], [lon, lat], [lon + 0.001, lat], [null, null]]] })],
      ['a Point instead of a polygon', wrap({ type: 'Point', coordinates: [lon, lat] })],
      ['an unknown geometry type', wrap({ type: 'Cercle', coordinates: [lon, lat], radius: 10 })],
      ['empty coordinates', wrap({ type: 'Polygon', coordinates: [] })],
      ['coordinates nested 50 000 deep', wrap({ type: 'Polygon', coordinates: DEEP })],
      ['a geometry that is a string', wrap('POLYGON((2.36 48.70, 2.37 48.70, 2.37 48.71, 2.36 48.70))')],
    ];
  };
}

/** Whole-body cases every JSON route gets: malformed, not an object, wrong content type, oversize, deep nesting. */
const RAW_CASES: [string, { raw: string; type: string }][] = [
  ['malformed JSON', { raw: '{"a":', type: 'application/json' }],
  ['JSON that is a string', { raw: '"texte"', type: 'application/json' }],
  ['JSON null', { raw: 'null', type: 'application/json' }],
  ['an empty JSON array', { raw: '[]', type: 'application/json' }],
  ['an empty body', { raw: '', type: 'application/json' }],
  ['a text/plain body', { raw: 'category=depot_sauvage', type: 'text/plain' }],
  ['a 3 MB JSON body', { raw: JSON.stringify({ description: 'x'.repeat(3 * 1024 * 1024) }), type: 'application/json' }],
  ['an array nested 100 000 deep', { raw: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, type: 'application/json' }],
  ['an object nested 100 000 deep', { raw: `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, type: 'application/json' }],
];

async function send(method: string, path: string, opts: { cookie?: string; json?: unknown; raw?: string | FormData | URLSearchParams; type?: string; headers?: Record<string, string> }) {
  const { baseUrl } = await testContext();
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | FormData | URLSearchParams | undefined = opts.raw;
  if (opts.json !== undefined) { body = JSON.stringify(opts.json).replace(`"${DEEP}"`, DEEP_JSON); headers['content-type'] = 'application/json'; }
  else if (opts.type) headers['content-type'] = opts.type;
  const res = await fetch(baseUrl + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* asserted below */ }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: parsed as any, text };
}

/** The answer to a bad input: a 4xx with a JSON error body (Open311's own shape under /open311), and nothing stored. */
async function expectRefused(name: string, res: Awaited<ReturnType<typeof send>>, before: Record<string, number>, path: string) {
  expect(res.status, `${name}: ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${name}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.type, name).toMatch(/application\/json/);
  if (path.startsWith('/open311/')) expect(res.body, name).toEqual([{ code: res.status, description: expect.any(String) }]);
  else expect(res.body.error, name).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  expect(await counts(), `${name}: nothing stored`).toEqual(before);
}

beforeAll(async () => {
  const { db } = await testContext();
  const [commune, officer, planner, admin] = await Promise.all(['mairie.athis@demo.gup', 'gup@demo.gup', 'urbaniste@demo.gup', 'admin@demo.gup'].map((e) => login(e)));
  const point = await pointIn(DEMO.landlordOph);
  const report = await api('/api/reports', { body: reportBody(...point, { description: 'Signalement du corpus' }), cookie: commune });
  if (report.status !== 201) throw new Error(`report: ${report.status} ${JSON.stringify(report.body)}`);
  // a sub-sector for the id routes, on a parcel of Paray-Vieille-Poste that no other test uses; archived afterwards
  const far = (await db.knex('parcels').where({ commune_insee: '91479' }).orderBy('idu', 'desc').first('idu')) as { idu: string };
  const ss = await api('/api/subsectors', { body: { type: 'Feature', geometry: polygon(square(await pointIn(far.idu), 0.00005)), properties: { name: 'Corpus', allowOverlap: true } }, cookie: planner });
  if (ss.status !== 201) throw new Error(`subsector: ${ss.status} ${JSON.stringify(ss.body)}`);
  const { key } = await createOpen311Key(db.knex, { communeInsee: '91027', label: 'Corpus (test)' });
  c = { commune: commune!, officer: officer!, planner: planner!, admin: admin!, reportId: report.body.id, subsectorId: ss.body.id, open311Key: key, point, juvisyPoint: await pointIn(DEMO.communeJuvisy),
    plannerId: ((await db.knex('users').where({ email: 'urbaniste@demo.gup' }).first('id')) as { id: number }).id };
});

afterAll(async () => {
  if (c?.subsectorId) await api(`/api/subsectors/${c.subsectorId}`, { method: 'DELETE', cookie: c.planner });
});

describe.each(BODY_ROUTES)('bad bodies: $name', (route) => {
  const cases = (): [string, { json?: unknown; raw?: string; type?: string }][] => {
    const base = route.body();
    const out: [string, { json?: unknown; raw?: string; type?: string }][] = RAW_CASES.map(([n, r]) => [n, r]);
    for (const [field, valid] of Object.entries(base)) {
      for (const [what, bad] of badValuesFor(valid)) {
        if (what === 'null' && route.nullable?.includes(field)) continue;
        out.push([`${field} as ${what}`, { json: { ...base, [field]: bad } }]);
      }
      const { [field]: _gone, ...without } = base;
      if (!(route.nullable?.includes(field))) out.push([`${field} missing`, { json: without }]);
    }
    if (route.strict) out.push(['an unknown field', { json: { ...base, champInconnu: 1 } }]);
    for (const [n, body] of route.extra?.() ?? []) out.push([n, { json: body }]);
    return out;
  };

  it('when each case of the corpus is sent, then each gets a 4xx with a JSON error and nothing is stored', async () => {
    for (const [name, input] of cases()) {
      const before = await counts();
      const res = await send(route.method, route.path(), { cookie: route.cookie(), headers: route.headers?.(), ...input });
      await expectRefused(`${route.name} — ${name}`, res, before, route.path());
    }
  }, 240_000);
});

describe('bad multipart and form bodies', () => {
  const form = (fields: Record<string, string>, photo?: { bytes: Uint8Array; name: string; type: string; field?: string }) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    if (photo) f.append(photo.field ?? 'photo', new Blob([new Uint8Array(photo.bytes)], { type: photo.type }), photo.name);
    return f;
  };
  const fields = () => ({ category: 'depot_sauvage', description: 'Encombrants au pied de l\'immeuble', lon: String(c.point[0]), lat: String(c.point[1]) });

  it('when POST /api/reports gets a bad multipart form, then each case is a 4xx with a JSON error and nothing is stored', async () => {
    const cases: [string, FormData | string, string?][] = [
      ['lon as text', form({ ...fields(), lon: 'est' })],
      ['swapped lon and lat', form({ ...fields(), lon: String(c.point[1]), lat: String(c.point[0]) })],
      ['a NUL byte in the description', form({ ...fields(), description: NUL.repeat(3) })],
      ['a NUL byte in a field name', form({ ...fields(), ['x\u0000y']: '1' })],
      ['a field over 16 kB', form({ ...fields(), description: 'x'.repeat(20_000) })],
      ['an unknown field', form({ ...fields(), champInconnu: '1' })],
      ['urgent that is not a boolean', form({ ...fields(), urgent: 'peut-être' })],
      ['a PDF named .jpg', form(fields(), { bytes: new TextEncoder().encode('%PDF-1.4 faux'), name: 'photo.jpg', type: 'image/jpeg' })],
      ['a photo of 9 MB', form(fields(), { bytes: new Uint8Array(9 * 1024 * 1024), name: 'grosse.jpg', type: 'image/jpeg' })],
      ['a file in another field', form(fields(), { bytes: new Uint8Array([1, 2, 3]), name: 'x.bin', type: 'application/octet-stream', field: 'document' })],
      ['a truncated multipart body', '--xyz\r\nContent-Disposition: form-data; name="category"\r\n\r\ndepot', 'multipart/form-data; boundary=xyz'],
      ['a multipart body without boundary', 'abc', 'multipart/form-data'],
    ];
    for (const [name, body, type] of cases) {
      const before = await counts();
      const res = await send('POST', '/api/reports', { cookie: c.commune, raw: body, ...(type ? { type } : {}) });
      await expectRefused(`multipart — ${name}`, res, before, '/api/reports');
    }
  }, 120_000);

  it('when POST /open311/v2/requests.json gets a bad form, then each case is a 4xx in the GeoReport error shape and nothing is stored', async () => {
    const ok = () => ({ api_key: c.open311Key, service_code: 'depot_sauvage', lat: String(c.point[1]), long: String(c.point[0]), description: 'Dépôt sauvage devant le n° 3' });
    const cases: [string, Record<string, string> | string][] = [
      ['lat as text', { ...ok(), lat: 'nord' }],
      ['a NUL byte in the description', { ...ok(), description: NUL }],
      ['a NUL byte in service_code', { ...ok(), service_code: `depot_sauvage${NUL}` }],
      ['a description of 100 000 characters', { ...ok(), description: HUGE }],
      ['no api_key', { ...ok(), api_key: '' }],
      ['lat out of range', { ...ok(), lat: '123' }],
      ['a form over 100 kB', `description=${'x'.repeat(200_000)}`],
    ];
    for (const [name, body] of cases) {
      const before = await counts();
      const res = await send('POST', '/open311/v2/requests.json', { raw: typeof body === 'string' ? body : new URLSearchParams(body), type: 'application/x-www-form-urlencoded' });
      await expectRefused(`open311 form — ${name}`, res, before, '/open311/');
    }
  }, 120_000);
});

/** Bad values of a path id or segment. */
const BAD_IDS = ['2147483648', '99999999999999999999', '-1', '0', '1.5', '1e3', 'abc', '%00', '12%00', ' 1', `${'9'.repeat(5000)}`];

describe('bad ids in paths', () => {
  const ROUTES: [string, string, (id: string) => string, () => string][] = [
    ['GET', '/api/reports/:id', (id) => `/api/reports/${id}`, () => c.officer],
    ['GET', '/api/reports/:id/photos/:photoId (id)', (id) => `/api/reports/${id}/photos/1`, () => c.officer],
    ['GET', '/api/reports/:id/photos/:photoId (photoId)', (id) => `/api/reports/${c.reportId}/photos/${id}`, () => c.officer],
    ['POST', '/api/reports/:id/transitions', (id) => `/api/reports/${id}/transitions`, () => c.officer],
    ['POST', '/api/reports/:id/follow', (id) => `/api/reports/${id}/follow`, () => c.commune],
    ['GET', '/api/subsectors/:id', (id) => `/api/subsectors/${id}`, () => c.planner],
    ['GET', '/api/subsectors/:id/versions', (id) => `/api/subsectors/${id}/versions`, () => c.planner],
    ['PUT', '/api/subsectors/:id', (id) => `/api/subsectors/${id}`, () => c.planner],
    ['DELETE', '/api/subsectors/:id', (id) => `/api/subsectors/${id}`, () => c.planner],
    ['GET', '/api/parcels/:id', (id) => `/api/parcels/${id}`, () => c.officer],
    ['GET', '/open311/v2/requests/:id.json', (id) => `/open311/v2/requests/${id}.json`, () => ''],
    ['GET', '/open311/v2/services/:code.json', (id) => `/open311/v2/services/${id}.json`, () => ''],
    ['GET', '/api/tiles/:layer/:z/:x/:y.mvt (z)', (id) => `/api/tiles/parcels/${id}/1/1.mvt`, () => c.officer],
    ['GET', '/api/tiles/:layer/:z/:x/:y.mvt (x)', (id) => `/api/tiles/parcels/14/${id}/5647.mvt`, () => c.officer],
    ['GET', '/api/tiles/:layer/:z/:x/:y.mvt (y)', (id) => `/api/tiles/reports/14/8299/${id}.mvt`, () => c.officer],
    ['GET', '/api/tiles/:layer/… (layer)', (id) => `/api/tiles/${id}/14/8299/5647.mvt`, () => c.officer],
    ['GET', '/api/admin/users/:id', (id) => `/api/admin/users/${id}`, () => c.admin],
    ['PATCH', '/api/admin/users/:id', (id) => `/api/admin/users/${id}`, () => c.admin],
    ['POST', '/api/admin/users/:id/password-reset', (id) => `/api/admin/users/${id}/password-reset`, () => c.admin],
    ['GET', '/api/admin/imports/:id', (id) => `/api/admin/imports/${id}`, () => c.admin],
    ['DELETE', '/api/admin/open311-keys/:id', (id) => `/api/admin/open311-keys/${id}`, () => c.admin],
    ['POST', '/api/admin/outbox/:id/retry', (id) => `/api/admin/outbox/${id}/retry`, () => c.admin],
  ];
  for (const [method, name, path, cookie] of ROUTES) {
    it(`when ${method} ${name} gets a bad id, then each is a 400 or 404 with a JSON error and nothing is stored`, async () => {
      for (const id of BAD_IDS.filter((v) => !(v === '0' && /\((x|y)\)/.test(name)))) { // tile column and row 0 exist
        const before = await counts();
        const p = path(id);
        const json = method === 'POST' || method === 'PUT' ? { json: { to: 'acknowledged', type: 'Feature', properties: { name: 'x' } } } : {};
        const res = await send(method, p, { cookie: cookie() || undefined, ...json });
        expect([400, 404], `${name} ${JSON.stringify(id.slice(0, 30))}: ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
        await expectRefused(`${name} ${id.slice(0, 30)}`, res, before, p);
      }
    }, 120_000);
  }
});

describe('bad filters in query strings', () => {
  /** [path, parameter, bad values, who]: every parameter of every GET route that reads the query string. */
  const F: [string, string, string[], () => string][] = [];
  const text = ['a%00b', 'x'.repeat(10_000)];
  const idLike = ['2147483648', '-1', '1.5', 'abc', '%00'];
  const number = ['abc', '1e400', '-5', '%00', 'x'.repeat(1000)];
  const add = (path: string, params: Record<string, string[]>, who: () => string) => {
    for (const [p, values] of Object.entries(params)) F.push([path, p, values, who]);
  };
  add('/api/reports', {
    status: ['envolé', '%00'], category: text, commune: ['9102', '%00', 'x'.repeat(100)], service: text, qpv: text, subsector: idLike,
    overdue: ['peut-être', '%00'], bbox: ['a,b,c,d', '1,2,3', '%00', '1,2,3,4,5'], format: ['pdf', '%00'], limit: [...number, '0', '5001'], offset: number,
  }, () => c.officer);
  const lon = ['abc', '1e400', '-75', '%00', 'x'.repeat(1000), '48.7']; // -75: America; 48.7 with lat 48.7: swapped?
  add('/api/reports/nearby', { lon, lat: number, category: ['%00', 'x'.repeat(1000)] }, () => c.commune);
  add('/api/search', { q: ['a%00b', 'x'.repeat(1000), 'a'] }, () => c.officer);
  add('/api/lookup', { lon, lat: number, theme: text }, () => c.officer);
  add('/api/subsectors', { status: ['tous', '%00'] }, () => c.planner);
  add('/api/subsectors/land', { bbox: ['a,b,c,d', '3,2,1,0', '%00', '1,2,3'] }, () => c.planner);
  add('/api/admin/outbox', { status: ['envolé', '%00'], report: idLike, limit: number }, () => c.admin);
  add('/api/admin/audit', { user: idLike, action: text, entity: text, entityId: text, from: ['hier', '%00', '2026-13-01'], to: ['demain', '%00'], limit: number }, () => c.admin);
  add('/api/admin/imports', { limit: number }, () => c.admin);
  add('/open311/v2/requests.json', {
    service_request_id: ['a%00b', 'x'.repeat(5000)], service_code: ['a%00b', 'x'.repeat(2000)], status: ['ouvert', '%00'],
    start_date: ['hier', '%00', '99999999999'], end_date: ['demain', '%00'], jurisdiction_id: ['%00'],
  }, () => '');

  /** A valid query each parameter is added to, so that only the bad value is wrong. */
  const VALID: Record<string, () => string> = {
    '/api/reports/nearby': () => `lon=${c.point[0]}&lat=${c.point[1]}&category=depot_sauvage`,
    '/api/lookup': () => `lon=${c.point[0]}&lat=${c.point[1]}`,
    '/api/search': () => '',
    '/api/subsectors/land': () => '',
  };

  for (const [path, param, values, who] of F) {
    it(`when GET ${path} gets a bad ${param}, then each is a 4xx with a JSON error, never a 500, and nothing is stored`, async () => {
      for (const value of [...values, `${values[0]}&${param}=${values[0]}`]) {
        const params = new URLSearchParams(VALID[path]?.() ?? '');
        params.delete(param);
        const rest = params.toString();
        const url = `${path}?${rest ? `${rest}&` : ''}${param}=${value}`;
        const before = await counts();
        const res = await send('GET', url, { cookie: who() || undefined });
        await expectRefused(`${path} ${param}=${value.slice(0, 30)}`, res, before, path);
      }
    }, 120_000);
  }
});

describe('the corpus keeps the server up', () => {
  it('when the whole corpus has run, then the server still answers and a valid login still works', async () => {
    const res = await api('/api/auth/login', { body: { email: 'gup@demo.gup', password: DEMO_PASSWORD }, headers: loginHeaders() });
    expect(res.status).toBe(200);
  });
});

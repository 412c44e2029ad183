/**
 * OGC API – Features (Part 1 Core, Part 3 filtering with basic CQL2 text) on GUP's data layer (DESIGN 3.9): who may
 * read which collection, the checked query parameters, and the documents (landing page, conformance, collections,
 * items, feature, queryables) as plain objects or GeoJSON text. The route renders them as JSON or HTML.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Connection } from '../data/connection.js';
import { ogcCollection, OGC_COLLECTIONS, queryableTypes, type OgcCollectionDef, type OgcPropertySchema } from '../data/ogc-collections.js';
import { featureSignature, ogcExtent, ogcFeature, ogcItems, type Extent, type ItemsPage, type ItemsQuery } from '../data/ogc.js';
import type { SessionUser } from '../data/users.js';
import { reportScope, SCOPE_NONE, type ReportScope } from '../domain/access.js';
import { Cql2Error, parseCql2 } from '../domain/cql2.js';
import { CRS84, decodeCursor, encodeCursor, parseBbox, parseDatetime, parseLimit, type Parsed } from '../domain/ogc.js';
import { AppError, notFound } from '../http/errors.js';
import { layerVersion } from '../tiles/versions.js';
import { PageCache } from './page-cache.js';

export const OPENAPI_TYPE = 'application/vnd.oai.openapi+json;version=3.0';
export const GEOJSON_TYPE = 'application/geo+json';

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions',
] as const;

/** The representations a client may ask with `f`. */
export type OgcFormat = 'json' | 'html';

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** A user may read a collection: public ones anonymously, the others signed in (reports then by its scope). */
function mayRead(def: OgcCollectionDef, user: SessionUser | undefined): boolean {
  return def.access === 'public' || !!user;
}

/** The report scope the collection's SQL takes (anonymous callers only reach public collections). */
const scopeOf = (user: SessionUser | undefined): ReportScope => (user ? reportScope(user) : SCOPE_NONE);

/** The collection asked for: 404 when unknown, 401 when it needs a signed-in caller. */
export function collectionFor(id: string, user: SessionUser | undefined): OgcCollectionDef {
  const def = ogcCollection(id);
  if (!def) throw notFound(`Collection « ${id.slice(0, 64)} »`);
  if (!mayRead(def, user)) throw new AppError(401, 'unauthenticated', `Connexion requise pour la collection « ${def.id} »`);
  return def;
}

/** A 400 naming the query parameter. */
const badParam = (field: string, message: string) => new AppError(400, 'invalid_parameter', `Paramètre « ${field} » : ${message}`, [{ field, message }]);

function need<T>(field: string, p: Parsed<T>): T {
  if (!p.ok) throw badParam(field, p.message);
  return p.value;
}

/**
 * The query string checked against the parameters an endpoint knows: any other is a 400 (OGC API – Features,
 * /req/core/query-param-unknown), a parameter given twice too; `f` is json or html.
 */
export function checkQuery(query: Record<string, unknown>, known: readonly string[]): { params: Record<string, string>; format: OgcFormat | undefined } {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!known.includes(name)) throw badParam(name.slice(0, 64), `inconnu ici (admis : ${known.join(', ')})`);
    if (typeof value !== 'string') throw badParam(name, 'donné une seule fois, en texte');
    params[name] = value;
  }
  if (params.f !== undefined && params.f !== 'json' && params.f !== 'html') throw badParam('f', 'json ou html');
  return { params, format: params.f as OgcFormat | undefined };
}

export const COMMON_PARAMS = ['f'] as const;
export const ITEMS_PARAMS = ['f', 'limit', 'bbox', 'bbox-crs', 'datetime', 'cursor', 'filter', 'filter-lang', 'filter-crs', 'crs'] as const;
export const FEATURE_PARAMS = ['f', 'crs'] as const;

function checkCrs(params: Record<string, string>, name: string): void {
  const v = params[name];
  if (v !== undefined && v !== CRS84 && v !== `[${CRS84}]`) throw badParam(name, `seul ${CRS84} est servi`);
}

const self = (href: string, format: OgcFormat, type = 'application/json'): Link[] => [
  { href: withF(href, format), rel: 'self', type: format === 'html' ? 'text/html' : type, title: 'Ce document' },
  { href: withF(href, format === 'html' ? 'json' : 'html'), rel: 'alternate', type: format === 'html' ? type : 'text/html', title: format === 'html' ? 'Ce document en JSON' : 'Ce document en HTML' },
];

/** A URL with `f` set (other parameters kept). */
function withF(href: string, f: OgcFormat): string {
  const u = new URL(href);
  u.searchParams.set('f', f);
  return u.toString();
}

export function landingPage(base: string, format: OgcFormat) {
  return {
    title: 'GUP — OGC API – Features',
    description: 'Couches de la gestion urbaine de proximité : communes, QPV, sous-secteurs, parcelles et signalements.',
    links: [
      ...self(`${base}/`, format),
      { href: `${base}/api`, rel: 'service-desc', type: OPENAPI_TYPE, title: 'Définition OpenAPI 3.0' },
      { href: `${base}/conformance`, rel: 'conformance', type: 'application/json', title: 'Classes de conformité' },
      { href: `${base}/conformance`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/conformance', type: 'application/json', title: 'Classes de conformité' },
      { href: `${base}/collections`, rel: 'data', type: 'application/json', title: 'Collections' },
      { href: `${base}/collections`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/data', type: 'application/json', title: 'Collections' },
    ] satisfies Link[],
  };
}

export function conformance(base: string, format: OgcFormat) {
  return { links: self(`${base}/conformance`, format), conformsTo: [...CONFORMANCE] };
}

/**
 * The extents of the collections that have a data version (public, the same for every caller), kept by version: one
 * per collection, the latest (a new version replaces it). `/collections` computed every extent on every request
 * (~8 ms, most of it `ST_Extent` over the parcels) — what QGIS and GDAL ask first when they open the service.
 */
export class OgcExtents {
  private readonly kept = new Map<string, { version: string; extent: Promise<Extent> }>();

  async of(db: Connection, def: OgcCollectionDef, user: SessionUser | undefined): Promise<Extent> {
    if (!def.dataVersion || def.access !== 'public') return ogcExtent(db.knex, def, scopeOf(user));
    const version = await layerVersion(db, def.dataVersion); // read first: a change committed meanwhile only makes a miss
    const kept = this.kept.get(def.id);
    if (kept?.version === version) return kept.extent;
    const extent = ogcExtent(db.knex, def, SCOPE_NONE);
    this.kept.set(def.id, { version, extent });
    extent.catch(() => { if (this.kept.get(def.id)?.extent === extent) this.kept.delete(def.id); });
    return extent;
  }
}

async function collectionDoc(db: Connection, extents: OgcExtents, def: OgcCollectionDef, user: SessionUser | undefined, base: string, format: OgcFormat) {
  const extent = await extents.of(db, def, user);
  const href = `${base}/collections/${def.id}`;
  return {
    id: def.id,
    title: def.title,
    description: def.description,
    itemType: 'feature',
    crs: [CRS84],
    storageCrs: CRS84,
    extent: {
      spatial: { bbox: extent.bbox ? [extent.bbox] : [], crs: CRS84 },
      ...(extent.interval ? { temporal: { interval: [extent.interval], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } } : {}),
    },
    links: [
      ...self(href, format),
      { href: `${href}/items?f=json`, rel: 'items', type: GEOJSON_TYPE, title: 'Objets en GeoJSON' },
      { href: `${href}/items?f=html`, rel: 'items', type: 'text/html', title: 'Objets en HTML' },
      { href: `${href}/queryables`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/queryables', type: 'application/schema+json', title: 'Propriétés filtrables' },
      // `describedBy` as GDAL 3.6 (Debian 12) looks for it, verbatim; relation types compare case-insensitively (RFC 8288): IANA's `describedby`
      { href: `${href}/schema`, rel: 'describedBy', type: 'application/schema+json', title: 'Schéma des objets' },
    ] satisfies Link[],
  };
}

export type CollectionDoc = Awaited<ReturnType<typeof collectionDoc>>;

/** The collections the caller may read (an anonymous caller sees the public ones). */
export async function collections(db: Connection, extents: OgcExtents, user: SessionUser | undefined, base: string, format: OgcFormat) {
  const readable = OGC_COLLECTIONS.filter((def) => mayRead(def, user));
  return {
    links: self(`${base}/collections`, format),
    collections: await Promise.all(readable.map((def) => collectionDoc(db, extents, def, user, base, format))),
  };
}

export function collection(db: Connection, extents: OgcExtents, id: string, user: SessionUser | undefined, base: string, format: OgcFormat) {
  return collectionDoc(db, extents, collectionFor(id, user), user, base, format);
}

/** The queryables of a collection as a JSON Schema (Part 3). */
export function queryables(id: string, user: SessionUser | undefined, base: string) {
  const def = collectionFor(id, user);
  const schema = (q: OgcCollectionDef['queryables'][string]) =>
    q.type === 'geometry' ? { title: q.title, format: 'geometry-any' }
      : q.type === 'datetime' ? { title: q.title, type: 'string', format: 'date-time' }
        : { title: q.title, type: q.type };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${base}/collections/${def.id}/queryables`,
    type: 'object',
    title: def.title,
    properties: Object.fromEntries(Object.entries(def.queryables).map(([name, q]) => [name, schema(q)])),
    additionalProperties: false,
  };
}

/** JSON Schema of one property (GDAL 3.6 reads `type` and the string `format`; `nullable` as in OpenAPI 3.0). */
function propertySchema({ type, nullable }: OgcPropertySchema): Record<string, unknown> {
  const base = type === 'date' || type === 'date-time' ? { type: 'string', format: type }
    : type === 'string-array' ? { type: 'array', items: { type: 'string' } }
      : { type };
  return nullable ? { ...base, nullable: true } : base;
}

/**
 * The schema of a collection's features (a GeoJSON Feature with its typed properties), linked from the collection as
 * `describedBy`: GDAL and QGIS type their fields by it instead of guessing from the first page.
 */
export function featureSchema(id: string, user: SessionUser | undefined, base: string) {
  const def = collectionFor(id, user);
  return {
    $id: `${base}/collections/${def.id}/schema`,
    title: def.title,
    description: 'Schéma d\'un objet de la collection (GeoJSON Feature) ; `nullable` : la valeur peut être absente (null).',
    type: 'object',
    required: ['type', 'id', 'geometry', 'properties'],
    properties: {
      type: { type: 'string', enum: ['Feature'] },
      id: { type: def.key.type },
      geometry: { format: 'geometry-any', nullable: true },
      properties: {
        type: 'object',
        properties: Object.fromEntries(Object.entries(def.schema).map(([name, p]) => [name, propertySchema(p)])),
      },
    },
  };
}

export interface ItemsAnswer {
  /** The FeatureCollection as UTF-8 JSON (features written by PostGIS), ready to send. */
  body: Buffer;
  /**
   * A weak validator of a kept collection's page (collection, data version, query, links, how features are written):
   * the same features and links whenever it is the same, only `timeStamp` differs. Undefined otherwise (the
   * transport's own then applies).
   */
  etag?: string;
  numberMatched: number;
  numberReturned: number;
  links: Link[];
}

/**
 * A page ready to answer: its features already UTF-8, encoded once when read, so an answer copies bytes instead of
 * encoding and hashing ~0.7 MB of text per request (what GDAL waits for between two pages).
 */
export interface EncodedPage extends Omit<ItemsPage, 'features'> {
  features: Buffer;
}

const encoded = (page: ItemsPage): EncodedPage => ({ ...page, features: Buffer.from(page.features, 'utf8') });

/** Pages of the collections that have a data version, kept and read ahead (services/page-cache.ts); null: none. */
export type OgcPages = PageCache<EncodedPage> | null;

/**
 * The page cache of `/ogcapi` for a budget in megabytes (0: none). A page is kept 30 s at most (its key holds the
 * data version, so a change is seen at once; the time only frees memory); two pages computed ahead at once at most.
 */
export function ogcPages(budgetMb: number): OgcPages {
  if (budgetMb <= 0) return null;
  return new PageCache<EncodedPage>({ maxSize: budgetMb * 1024 * 1024, maxAhead: 2, ttlMs: 30_000 }, (page) => page.features.length);
}

/**
 * A page of features. For a collection with a data version (public, the same for every caller), through the page
 * cache: keyed by collection, version and query, and the next page started at once; otherwise read when asked.
 * `key`: the kept page's key (null when read when asked).
 */
async function readPage(db: Connection, pages: OgcPages, def: OgcCollectionDef, user: SessionUser | undefined, q: ItemsQuery): Promise<{ page: EncodedPage; key: string | null }> {
  if (!pages || !def.dataVersion || def.access !== 'public') return { page: encoded(await ogcItems(db.knex, def, scopeOf(user), q)), key: null };
  // a kept page is nobody's: no scope; `matched`, known from the page before (same predicates, same version key)
  const read = async (query: ItemsQuery, matched?: number) => encoded(await ogcItems(db.knex, def, SCOPE_NONE, query, matched));
  const version = await layerVersion(db, def.dataVersion); // read before the page: a change committed meanwhile only makes a miss
  const keyOf = (query: ItemsQuery) => JSON.stringify([def.id, version, query.bbox ?? null, query.interval ?? null, query.filter ?? null, query.limit, query.after ?? null]);
  const key = keyOf(q);
  const page = await pages.get(key, () => read(q));
  if (page.nextAfter !== null) {
    const next = { ...q, after: page.nextAfter };
    pages.ahead(keyOf(next), () => read(next, page.matched));
  }
  return { page, key };
}

const FEATURES_END = Buffer.from(']}');

/** A page of features: checks every parameter (400 naming it), reads the page, links the next one. */
export async function items(db: Connection, pages: OgcPages, id: string, user: SessionUser | undefined, base: string, params: Record<string, string>, format: OgcFormat): Promise<ItemsAnswer> {
  const def = collectionFor(id, user);
  const limit = need('limit', parseLimit(params.limit));
  const bbox = params.bbox === undefined ? undefined : need('bbox', parseBbox(params.bbox));
  checkCrs(params, 'bbox-crs');
  checkCrs(params, 'crs');
  checkCrs(params, 'filter-crs');
  const interval = params.datetime === undefined ? undefined : need('datetime', parseDatetime(params.datetime));
  const after = params.cursor === undefined ? undefined : need('cursor', decodeCursor(params.cursor, def.key.type));
  if (params['filter-lang'] !== undefined && params['filter-lang'] !== 'cql2-text') throw badParam('filter-lang', 'seul cql2-text est pris en charge');
  let filter;
  if (params.filter !== undefined) {
    try {
      filter = parseCql2(params.filter, queryableTypes(def));
    } catch (err) {
      if (err instanceof Cql2Error) throw badParam('filter', `${err.message} (position ${err.position})`);
      throw err;
    }
  }
  const { page, key } = await readPage(db, pages, def, user, { bbox, interval, filter, after, limit });
  const href = `${base}/collections/${def.id}/items`;
  const query = (extra: Record<string, string>) => {
    const q = new URLSearchParams({ ...params, ...extra });
    return `${href}?${q.toString()}`;
  };
  const links: Link[] = [
    ...self(query({}), format, GEOJSON_TYPE),
    ...(page.nextAfter === null ? [] : [{ href: query({ cursor: encodeCursor(page.nextAfter), f: format }), rel: 'next', type: format === 'html' ? 'text/html' : GEOJSON_TYPE, title: 'Page suivante' }]),
    { href: `${base}/collections/${def.id}`, rel: 'collection', type: 'application/json', title: def.title },
  ];
  const head = JSON.stringify({ type: 'FeatureCollection', timeStamp: new Date().toISOString(), numberMatched: page.matched, numberReturned: page.returned, links });
  const body = Buffer.concat([Buffer.from(`${head.slice(0, -1)},"features":[`, 'utf8'), page.features, FEATURES_END]);
  const etag = key === null || format !== 'json' ? undefined : `W/"${createHash('sha1').update(JSON.stringify([key, links, featureSignature(def)])).digest('base64url')}"`;
  return { body, ...(etag ? { etag } : {}), numberMatched: page.matched, numberReturned: page.returned, links };
}

/** One feature as GeoJSON text with its links; 404 when absent or outside the caller's scope. */
export async function feature(knex: Knex, id: string, fid: string, user: SessionUser | undefined, base: string, params: Record<string, string>, format: OgcFormat): Promise<string> {
  const def = collectionFor(id, user);
  checkCrs(params, 'crs');
  let key: string | number = fid;
  if (def.key.type === 'integer') {
    if (!/^\d{1,10}$/.test(fid) || Number(fid) > 2_147_483_647) throw badParam('featureId', 'identifiant entier attendu');
    key = Number(fid);
  } else if (fid.length > 64 || /[\u0000-\u001f]/.test(fid)) {
    throw badParam('featureId', '64 caractères imprimables au plus');
  }
  const text = await ogcFeature(knex, def, scopeOf(user), key);
  if (text === null) throw notFound(`Objet « ${fid.slice(0, 64)} » de la collection « ${def.id} »`);
  const href = `${base}/collections/${def.id}/items/${encodeURIComponent(fid)}`;
  const links: Link[] = [...self(href, format, GEOJSON_TYPE), { href: `${base}/collections/${def.id}`, rel: 'collection', type: 'application/json', title: def.title }];
  return `${text.slice(0, -1)},"links":${JSON.stringify(links)}}`;
}


/**
 * The OGC API – Features collections as SQL (DESIGN 3.9): a fixed table of definitions (key, geometry, time,
 * properties, queryables) and the statements that read them. GeoJSON is written by PostGIS (`ST_AsGeoJSON`,
 * `json_build_object`) and a page comes back as ONE string with its count and cursor; every request value is bound.
 */
import type { Knex } from 'knex';
import type { ReportScope } from '../domain/access.js';
import type { Cql2Node, QueryableType } from '../domain/cql2.js';
import type { Interval } from '../domain/ogc.js';
import { OWNER_KIND_LABELS } from '../domain/owners.js';
import { scopePredicate, type SqlPart } from './access.js';
import { cql2Properties, cql2Sql, type QueryableColumn } from './cql2-sql.js';
import { leadKind, leadOwnerJoin, NATURAL_PERSONS_KIND } from './ownership.js';
import { REPORT_ROW_SELECT } from './reports.js';

/** Who may read a collection: anyone, any signed-in user, or each user its report scope (never anonymous). */
export type OgcAccess = 'public' | 'signed_in' | 'report_scope';

export interface OgcQueryable extends QueryableColumn {
  title: string;
  /** Needs the collection's `joined` source (the count then reads it too). */
  joined?: boolean;
}

export interface OgcCollectionDef {
  id: string;
  title: string;
  description: string;
  access: OgcAccess;
  /** The feature id: SQL expression, and its type (the `next` cursor and `/items/{featureId}` are checked against it). */
  key: { sql: string; type: 'integer' | 'string' };
  geometry: string;
  /** The temporal property `datetime` filters on; null when the collection has none (the parameter is then ignored). */
  datetime: string | null;
  /**
   * The row of `data_versions` (migration 002) bumped by every table the features read, when there is one and the
   * features depend on nothing else (no caller, no clock): its pages may then be computed ahead and reused while the
   * version stays (services/ogcapi.ts). Null: every page is read when asked.
   */
  dataVersion: 'parcels' | 'communes' | 'qpv' | null;
  /** FROM … of the features (`joined`: with what the properties need), and the collection's own predicate. */
  source(scope: ReportScope): { from: SqlPart; joined: SqlPart; where: SqlPart };
  /** A `json` expression of a feature's properties (over `joined`). */
  properties: SqlPart;
  /** Every property of `properties`, typed (the published feature schema). */
  schema: Readonly<Record<string, OgcPropertySchema>>;
  queryables: Readonly<Record<string, OgcQueryable>>;
}

/** A SQL part without bindings (a table, a fixed predicate). */
const fixed = (sql: string): SqlPart => ({ sql, bindings: [] });
const none = fixed('');
const always = fixed('true');
/**
 * The queryables several collections share, over a table alias: the same name, type and title wherever they appear.
 * @example shared.communeInsee('p') // { sql: 'p.commune_insee', type: 'string', title: 'Code INSEE de la commune' }
 */
const shared = {
  id: (alias: string): OgcQueryable => ({ sql: `${alias}.id`, type: 'integer', title: 'Identifiant' }),
  name: (alias: string): OgcQueryable => ({ sql: `${alias}.name`, type: 'string', title: 'Nom' }),
  communeInsee: (alias: string): OgcQueryable => ({ sql: `${alias}.commune_insee`, type: 'string', title: 'Code INSEE de la commune' }),
  geometry: (alias: string): OgcQueryable => ({ sql: `${alias}.geom`, type: 'geometry', title: 'Géométrie' }),
};
/** The source of a collection that reads one table (or subquery) for its features and their properties alike. */
const oneTable = (from: SqlPart): ReturnType<OgcCollectionDef['source']> => ({ from, joined: from, where: always });

/**
 * The JSON type of a feature property as the collection's schema publishes it (`/collections/{id}/schema`): GDAL and
 * QGIS type their fields by it rather than by guessing from a first page (an empty collection then still has its fields).
 */
export type OgcPropertyType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date-time' | 'object' | 'array' | 'string-array';

export interface OgcPropertySchema {
  type: OgcPropertyType;
  /** The value may be null (absent). */
  nullable?: true;
}

/** A property of the features: its SQL over the collection's `joined` source, and its published type. */
interface OgcProperty extends OgcPropertySchema {
  sql: string;
  bindings?: readonly Knex.Value[];
}

/**
 * The features' properties written once: the `json_build_object` that writes them and the schema that types them.
 * @example typed({ name: { sql: 'c.name', type: 'string' } }) // { properties: json_build_object('name', c.name), schema: { name: { type: 'string' } } }
 */
function typed(props: Readonly<Record<string, OgcProperty>>): Pick<OgcCollectionDef, 'properties' | 'schema'> {
  const entries = Object.entries(props);
  return {
    properties: {
      sql: `json_build_object(${entries.map(([name, p]) => `'${name}', ${p.sql}`).join(', ')})`,
      bindings: entries.flatMap(([, p]) => p.bindings ?? []),
    },
    schema: Object.fromEntries(entries.map(([name, { type, nullable }]) => [name, nullable ? { type, nullable } : { type }])),
  };
}

const communes: OgcCollectionDef = {
  id: 'communes',
  title: 'Communes',
  description: 'Contours des communes (IGN Admin Express, simplifiés) et leur appartenance au territoire.',
  access: 'public',
  key: { sql: 'c.insee', type: 'string' },
  geometry: 'c.geom',
  datetime: null,
  dataVersion: 'communes',
  source: () => oneTable(fixed('communes c')),
  ...typed({
    insee: { sql: 'c.insee', type: 'string' },
    name: { sql: 'c.name', type: 'string' },
    siren: { sql: 'c.siren', type: 'string', nullable: true },
    departement: { sql: 'c.departement', type: 'string' },
    population: { sql: 'c.population', type: 'integer', nullable: true },
    sector_code: { sql: 'c.sector_code', type: 'string', nullable: true },
    in_territory: { sql: 'c.in_territory', type: 'boolean' },
  }),
  queryables: {
    insee: { sql: 'c.insee', type: 'string', title: 'Code INSEE' },
    name: shared.name('c'),
    departement: { sql: 'c.departement', type: 'string', title: 'Département' },
    population: { sql: 'c.population', type: 'integer', title: 'Population' },
    in_territory: { sql: 'c.in_territory', type: 'boolean', title: 'Dans le territoire' },
    geometry: shared.geometry('c'),
  },
};

const qpv: OgcCollectionDef = {
  id: 'qpv',
  title: 'Quartiers prioritaires (QPV)',
  description: 'Contours des quartiers prioritaires de la politique de la ville (ANCT).',
  access: 'public',
  key: { sql: 'q.code', type: 'string' },
  geometry: 'q.geom',
  datetime: null,
  dataVersion: 'qpv',
  source: () => oneTable(fixed('qpv q')),
  ...typed({
    code: { sql: 'q.code', type: 'string' },
    name: { sql: 'q.name', type: 'string' },
    communes: { sql: 'q.communes', type: 'string', nullable: true },
  }),
  queryables: {
    code: { sql: 'q.code', type: 'string', title: 'Code du QPV' },
    name: shared.name('q'),
    communes: { sql: 'q.communes', type: 'string', title: 'Communes' },
    geometry: shared.geometry('q'),
  },
};

const subsectors: OgcCollectionDef = {
  id: 'subsectors',
  title: 'Sous-secteurs',
  description: 'Périmètres de gestion actifs, leur issue (règle des 60 %) et le délégataire.',
  access: 'signed_in',
  key: { sql: 's.id', type: 'integer' },
  geometry: 's.geom',
  datetime: 's.updated_at',
  dataVersion: null, // the delegate's name comes from organisations, which bump only the parcels' version
  source: () => ({
    from: fixed('subsectors s'),
    joined: fixed('subsectors s LEFT JOIN organisations d ON d.code = s.delegate_organisation_code'),
    where: fixed(`s.status = 'active'`),
  }),
  ...typed({
    name: { sql: 's.name', type: 'string' },
    description: { sql: 's.description', type: 'string', nullable: true },
    status: { sql: 's.status', type: 'string' },
    outcome: { sql: 's.outcome', type: 'string', nullable: true },
    delegate_organisation_code: { sql: 's.delegate_organisation_code', type: 'string', nullable: true },
    delegate_organisation_name: { sql: 'd.name', type: 'string', nullable: true },
    threshold: { sql: 's.threshold', type: 'number' },
    borderline: { sql: 's.borderline', type: 'boolean', nullable: true },
    shares: { sql: 's.shares', type: 'array', nullable: true },
    version: { sql: 's.current_version', type: 'integer' },
    created_at: { sql: 's.created_at', type: 'date-time' },
    updated_at: { sql: 's.updated_at', type: 'date-time' },
  }),
  queryables: {
    id: shared.id('s'),
    name: shared.name('s'),
    outcome: { sql: 's.outcome', type: 'string', title: 'Issue (delegated, shared)' },
    delegate_organisation_code: { sql: 's.delegate_organisation_code', type: 'string', title: 'Organisation délégataire' },
    threshold: { sql: 's.threshold', type: 'number', title: 'Seuil de délégation' },
    borderline: { sql: 's.borderline', type: 'boolean', title: 'Cas limite' },
    updated_at: { sql: 's.updated_at', type: 'datetime', title: 'Dernière modification' },
    geometry: shared.geometry('s'),
  },
};

const parcels: OgcCollectionDef = {
  id: 'parcels',
  title: 'Parcelles cadastrales',
  description: 'Parcelles (Etalab, DGFiP) avec la nature du propriétaire principal et son organisation ; '
    + 'les personnes physiques ne sont jamais nommées.',
  access: 'public',
  key: { sql: 'p.idu', type: 'string' },
  geometry: 'p.geom',
  datetime: null,
  dataVersion: 'parcels', // parcels, parcel_rights, owners, organisations: all bump it
  source: () => {
    const lead = leadOwnerJoin('p');
    return { from: fixed('parcels p'), joined: { sql: `parcels p ${lead.sql}`, bindings: lead.bindings }, where: always };
  },
  ...typed({
    commune_insee: { sql: 'p.commune_insee', type: 'string' },
    prefix: { sql: 'p.prefix', type: 'string' },
    section: { sql: 'p.section', type: 'string' },
    number: { sql: 'p.number', type: 'string' },
    official_area_m2: { sql: 'p.official_area_m2', type: 'integer', nullable: true },
    owner_kind: { sql: leadKind.sql, bindings: leadKind.bindings, type: 'string' },
    owner_kind_label: { sql: `?::jsonb ->> ${leadKind.sql}`, bindings: [JSON.stringify(OWNER_KIND_LABELS), ...leadKind.bindings], type: 'string' },
    organisation_code: { sql: 'lead.org', type: 'string', nullable: true },
    organisation_name: { sql: 'lead.org_name', type: 'string', nullable: true },
    joint_owners: { sql: 'coalesce(lead.owners, 0)', type: 'integer' },
    source_vintage: { sql: 'p.source_vintage', type: 'date', nullable: true },
  }),
  queryables: {
    idu: { sql: 'p.idu', type: 'string', title: 'Identifiant de parcelle (IDU)' },
    commune_insee: shared.communeInsee('p'),
    section: { sql: 'p.section', type: 'string', title: 'Section' },
    number: { sql: 'p.number', type: 'string', title: 'Numéro' },
    official_area_m2: { sql: 'p.official_area_m2', type: 'integer', title: 'Contenance (m²)' },
    owner_kind: { sql: `coalesce(lead.kind, '${NATURAL_PERSONS_KIND}')`, type: 'string', title: 'Nature du propriétaire principal', joined: true },
    organisation_code: { sql: 'lead.org', type: 'string', title: 'Organisation propriétaire', joined: true },
    geometry: shared.geometry('p'),
  },
};

/** The types of the list API's row (`ReportRow`, data/reports.ts), the properties of a report feature. */
const REPORT_ROW_SCHEMA: Readonly<Record<string, OgcPropertySchema>> = {
  id: { type: 'integer' }, reference: { type: 'string' }, categoryCode: { type: 'string' }, categoryName: { type: 'string' },
  themeCode: { type: 'string' }, description: { type: 'string' }, urgent: { type: 'boolean' }, urgencyCriterion: { type: 'string', nullable: true },
  urgencyNotJustified: { type: 'boolean' }, status: { type: 'string' }, lon: { type: 'number' }, lat: { type: 'number' },
  communeInsee: { type: 'string' }, communeName: { type: 'string' }, parcelIdu: { type: 'string', nullable: true },
  owners: { type: 'array', nullable: true }, qpvCode: { type: 'string', nullable: true }, qpvName: { type: 'string', nullable: true },
  subsectorId: { type: 'integer', nullable: true }, serviceCode: { type: 'string' }, serviceName: { type: 'string' },
  routing: { type: 'object', nullable: true }, unresolved: { type: 'boolean' }, alsoNotify: { type: 'string-array' },
  ackDueAt: { type: 'date-time' }, resolveDueAt: { type: 'date-time' }, acknowledgedAt: { type: 'date-time', nullable: true },
  resolvedAt: { type: 'date-time', nullable: true }, duplicateOf: { type: 'integer', nullable: true }, createdBy: { type: 'integer' },
  createdByName: { type: 'string' }, createdAt: { type: 'date-time' }, updatedAt: { type: 'date-time' }, delayBasis: { type: 'string', nullable: true },
  source: { type: 'string' }, synthetic: { type: 'boolean' }, satisfaction: { type: 'integer', nullable: true }, overdue: { type: 'boolean' },
};

/** Reports: the rows of the list API (`ReportRow`), restricted by the caller's report scope. */
const reports: OgcCollectionDef = {
  id: 'reports',
  title: 'Signalements',
  description: 'Signalements de dysfonctionnements visibles par l\'utilisateur connecté (mêmes champs que la liste).',
  access: 'report_scope',
  key: { sql: 'g.id', type: 'integer' },
  geometry: 'g.geom',
  datetime: 'g.created_at',
  dataVersion: null, // per caller, and `overdue` follows the clock
  source: (scope) => {
    const visible = scopePredicate(scope, 'r');
    const from = { sql: `(${REPORT_ROW_SELECT} WHERE ${visible.sql}) x JOIN reports g ON g.id = x.id`, bindings: visible.bindings };
    return oneTable(from);
  },
  properties: { sql: 'to_json(x)', bindings: [] },
  schema: REPORT_ROW_SCHEMA,
  queryables: {
    id: shared.id('g'),
    reference: { sql: 'g.reference', type: 'string', title: 'Référence' },
    status: { sql: 'g.status', type: 'string', title: 'Statut' },
    category_code: { sql: 'g.category_code', type: 'string', title: 'Catégorie' },
    theme_code: { sql: 'x."themeCode"', type: 'string', title: 'Thématique' },
    commune_insee: shared.communeInsee('g'),
    qpv_code: { sql: 'g.qpv_code', type: 'string', title: 'QPV' },
    service_code: { sql: 'g.service_code', type: 'string', title: 'Service gestionnaire' },
    urgent: { sql: 'g.urgent', type: 'boolean', title: 'Urgent' },
    overdue: { sql: 'x.overdue', type: 'boolean', title: 'En retard' },
    created_at: { sql: 'g.created_at', type: 'datetime', title: 'Date de création' },
    resolve_due_at: { sql: 'g.resolve_due_at', type: 'datetime', title: 'Échéance de résolution' },
    geometry: shared.geometry('g'),
  },
};

/** The served collections, in the order of `/collections`. */
export const OGC_COLLECTIONS: readonly OgcCollectionDef[] = [communes, qpv, subsectors, parcels, reports];

export function ogcCollection(id: string): OgcCollectionDef | undefined {
  return OGC_COLLECTIONS.find((c) => c.id === id);
}

/** The queryables of a collection as name → type (what the CQL2 parser accepts). */
export function queryableTypes(def: OgcCollectionDef): Record<string, QueryableType> {
  return Object.fromEntries(Object.entries(def.queryables).map(([name, q]) => [name, q.type]));
}

export interface ItemsQuery {
  bbox?: [number, number, number, number] | undefined;
  interval?: Interval | undefined;
  filter?: Cql2Node | undefined;
  /** The last key of the previous page (keyset paging). */
  after?: string | number | undefined;
  limit: number;
}

export interface ItemsPage {
  /** The features of the page as GeoJSON text, comma-separated (the inside of a JSON array). */
  features: string;
  returned: number;
  matched: number;
  /** The key of the page's last feature when more features follow, else null. */
  nextAfter: string | number | null;
}

/** The feature's GeoJSON text (PostGIS writes the geometry, json_build_object the properties). */
function featureText(def: OgcCollectionDef): SqlPart {
  return {
    sql: `'{"type":"Feature","id":' || to_json(${def.key.sql})::text || ',"geometry":' || coalesce(ST_AsGeoJSON(${def.geometry}, 7), 'null')
          || ',"properties":' || (${def.properties.sql})::text || '}'`,
    bindings: def.properties.bindings,
  };
}

/**
 * What a feature's text is written by (its SQL and bindings), for validators of answers that hold features: a deploy
 * that changes how features are written changes it.
 */
export function featureSignature(def: OgcCollectionDef): string {
  const f = featureText(def);
  return JSON.stringify([f.sql, f.bindings]);
}

/** The WHERE of the collection, the bbox, the time interval and the CQL2 filter. */
function predicates(def: OgcCollectionDef, where: SqlPart, q: Omit<ItemsQuery, 'limit' | 'after'>): SqlPart {
  const parts = [where.sql];
  const b: Knex.Value[] = [...where.bindings];
  if (q.bbox) { parts.push(`ST_Intersects(${def.geometry}, ST_MakeEnvelope(?, ?, ?, ?, 4326))`); b.push(...q.bbox); }
  if (q.interval && def.datetime) {
    if (q.interval.start) { parts.push(`${def.datetime} >= ?::timestamptz`); b.push(q.interval.start); }
    if (q.interval.end) { parts.push(`${def.datetime} <= ?::timestamptz`); b.push(q.interval.end); }
  }
  if (q.filter) {
    const f = cql2Sql(q.filter, def.queryables);
    parts.push(f.sql);
    b.push(...f.bindings);
  }
  return { sql: parts.join(' AND '), bindings: b };
}

/**
 * One page of features in key order after `after`, with the number matched by the same predicates (a count over the
 * collection: cheap for these sizes; at national scale it would be estimated or dropped, OGC allows it absent), in
 * one statement. `matched`: that number when the caller already has it for the same predicates and data (the count
 * does not depend on the cursor; services/ogcapi.ts passes the previous page's to the page it reads ahead).
 */
export async function ogcItems(knex: Knex, def: OgcCollectionDef, scope: ReportScope, q: ItemsQuery, matched?: number): Promise<ItemsPage> {
  const src = def.source(scope);
  const where = predicates(def, src.where, q);
  const countFrom = q.filter && [...cql2Properties(q.filter)].some((p) => def.queryables[p]?.joined) ? src.joined : src.from;
  const count: SqlPart = matched === undefined
    ? { sql: `(SELECT count(*) FROM ${countFrom.sql} WHERE ${where.sql})::int`, bindings: [...countFrom.bindings, ...where.bindings] }
    : { sql: '?::int', bindings: [matched] };
  const feature = featureText(def);
  const after = q.after === undefined ? none : { sql: ` AND ${def.key.sql} > ?`, bindings: [q.after] };
  const { rows } = await knex.raw(
    `WITH page AS (
       SELECT ${def.key.sql} AS k, ${feature.sql} AS f
       FROM ${src.joined.sql} WHERE ${where.sql}${after.sql}
       ORDER BY ${def.key.sql} LIMIT ?),
     n AS (SELECT k, f, row_number() OVER (ORDER BY k) AS i FROM page)
     SELECT coalesce(string_agg(f, ',' ORDER BY i) FILTER (WHERE i <= ?), '') AS features,
            (count(*) FILTER (WHERE i <= ?))::int AS returned, (count(*) > ?) AS more, max(k) FILTER (WHERE i <= ?) AS last,
            ${count.sql} AS matched
     FROM n`,
    [...feature.bindings, ...src.joined.bindings, ...where.bindings, ...after.bindings, q.limit + 1,
      q.limit, q.limit, q.limit, q.limit, ...count.bindings],
  );
  const row = rows[0] as { features: string; returned: number; more: boolean; last: string | number | null; matched: number };
  return { features: row.features, returned: Number(row.returned), matched: Number(row.matched), nextAfter: row.more ? row.last : null };
}

/** One feature's GeoJSON text, or null when it does not exist or lies outside the caller's scope. */
export async function ogcFeature(knex: Knex, def: OgcCollectionDef, scope: ReportScope, key: string | number): Promise<string | null> {
  const src = def.source(scope);
  const feature = featureText(def);
  const { rows } = await knex.raw(
    `SELECT ${feature.sql} AS f FROM ${src.joined.sql} WHERE ${src.where.sql} AND ${def.key.sql} = ?`,
    [...feature.bindings, ...src.joined.bindings, ...src.where.bindings, key],
  );
  return (rows[0] as { f: string } | undefined)?.f ?? null;
}

export interface Extent {
  bbox: [number, number, number, number] | null;
  interval: [string | null, string | null] | null;
}

/** The spatial (and temporal, when the collection has time) extent of what the caller may read. */
export async function ogcExtent(knex: Knex, def: OgcCollectionDef, scope: ReportScope): Promise<Extent> {
  const src = def.source(scope);
  const time = def.datetime ? `, min(${def.datetime}) AS t0, max(${def.datetime}) AS t1` : '';
  const { rows } = await knex.raw(
    `SELECT ST_XMin(e.b) AS x0, ST_YMin(e.b) AS y0, ST_XMax(e.b) AS x1, ST_YMax(e.b) AS y1${def.datetime ? ', e.t0, e.t1' : ''}
     FROM (SELECT ST_Extent(${def.geometry})::geometry AS b${time} FROM ${src.from.sql} WHERE ${src.where.sql}) e`,
    [...src.from.bindings, ...src.where.bindings],
  );
  const r = rows[0] as { x0: number | null; y0: number; x1: number; y1: number; t0?: Date | string | null; t1?: Date | string | null };
  const iso = (t: Date | string | null | undefined) => (t == null ? null : new Date(t).toISOString());
  return {
    bbox: r.x0 == null ? null : [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)],
    interval: def.datetime ? [iso(r.t0), iso(r.t1)] : null,
  };
}

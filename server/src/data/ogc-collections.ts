/**
 * The OGC API – Features collections (DESIGN 3.9): a fixed table of definitions — key, geometry, time, access, the
 * features' properties written once with their published types, and the queryables — read by the statements of
 * data/ogc.ts and described by services/ogcapi.ts.
 */
import type { Knex } from 'knex';
import type { ReportScope } from '../domain/access.js';
import type { QueryableType } from '../domain/cql2.js';
import { OWNER_KIND_LABELS } from '../domain/owners.js';
import { scopePredicate, type SqlPart } from './access.js';
import type { QueryableColumn } from './cql2-sql.js';
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

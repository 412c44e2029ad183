/**
 * The statements that read the OGC API – Features collections (data/ogc-collections.ts). GeoJSON is written by
 * PostGIS (`ST_AsGeoJSON`, `json_build_object`) and a page comes back as ONE string with its count and cursor; every
 * request value is bound.
 */
import type { Knex } from 'knex';
import type { ReportScope } from '../domain/access.js';
import type { Cql2Node } from '../domain/cql2.js';
import type { Interval } from '../domain/ogc.js';
import type { SqlPart } from './access.js';
import { cql2Properties, cql2Sql } from './cql2-sql.js';
import type { OgcCollectionDef } from './ogc-collections.js';

/** No SQL (an absent cursor). */
const none: SqlPart = { sql: '', bindings: [] };

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

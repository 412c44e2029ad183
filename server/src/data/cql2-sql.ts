/**
 * A parsed CQL2 filter (domain/cql2.ts) as a SQL predicate: property names become the collection's column
 * expressions (a whitelist written in code), every literal a bound parameter with an explicit type — nothing the
 * caller wrote is pasted into the SQL text.
 */
import type { Knex } from 'knex';
import type { Cql2Node, Cql2Scalar, QueryableType } from '../domain/cql2.js';
import type { SqlPart } from './access.js';

/** A queryable property: its SQL expression (code constant) and its type. */
export interface QueryableColumn {
  sql: string;
  type: QueryableType;
}

const CAST: Record<Exclude<Cql2Scalar['kind'], 'property'>, string> = {
  string: 'text', number: 'double precision', boolean: 'boolean', datetime: 'timestamptz',
};

function scalar(s: Cql2Scalar, columns: Readonly<Record<string, QueryableColumn>>, b: Knex.Value[]): string {
  if (s.kind === 'property') return columns[s.name]!.sql;
  b.push(s.value);
  return `?::${CAST[s.kind]}`;
}

/**
 * The SQL of a filter over the given columns, with its bindings in order.
 * @example cql2Sql({ kind: 'compare', op: '=', left: { kind: 'property', name: 'code' }, right: { kind: 'string', value: "x'; --" } }, { code: { sql: 'q.code', type: 'string' } })
 * // { sql: '(q.code = ?::text)', bindings: ["x'; --"] }
 */
export function cql2Sql(node: Cql2Node, columns: Readonly<Record<string, QueryableColumn>>): SqlPart {
  const bindings: Knex.Value[] = [];
  const walk = (n: Cql2Node): string => {
    switch (n.kind) {
      case 'and':
      case 'or':
        return `(${n.args.map(walk).join(n.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${walk(n.arg)})`;
      case 'const':
        return n.value ? 'true' : 'false';
      case 'isNull':
        return `(${columns[n.property]!.sql} IS ${n.negated ? 'NOT ' : ''}NULL)`;
      case 'compare': {
        const left = scalar(n.left, columns, bindings);
        const right = scalar(n.right, columns, bindings);
        return `(${left} ${n.op} ${right})`;
      }
      case 's_intersects': {
        const column = columns[n.property]!.sql;
        if (n.geometry.kind === 'bbox') {
          bindings.push(...n.geometry.box);
          return `ST_Intersects(${column}, ST_MakeEnvelope(?, ?, ?, ?, 4326))`;
        }
        bindings.push(n.geometry.wkt);
        return `ST_Intersects(${column}, ST_MakeValid(ST_GeomFromText(?::text, 4326)))`;
      }
    }
  };
  const sql = walk(node);
  return { sql, bindings };
}

/** The property names a filter reads (to join only what it needs). */
export function cql2Properties(node: Cql2Node): Set<string> {
  const out = new Set<string>();
  const walk = (n: Cql2Node): void => {
    switch (n.kind) {
      case 'and': case 'or': n.args.forEach(walk); break;
      case 'not': walk(n.arg); break;
      case 'isNull': case 's_intersects': out.add(n.property); break;
      case 'compare':
        for (const s of [n.left, n.right]) if (s.kind === 'property') out.add(s.name);
        break;
      case 'const': break;
    }
  };
  walk(node);
  return out;
}

/**
 * OGC API – Features as pure rules: the query parameters (limit, bbox, datetime, cursor) and the basic CQL2 text
 * parser (server/src/domain/ogc.ts, cql2.ts), including what a hostile filter tries.
 */
import { describe, expect, it } from 'vitest';
import { CQL2_LIMITS, Cql2Error, parseCql2, type QueryableType } from '../../server/src/domain/cql2.js';
import { decodeCursor, encodeCursor, parseBbox, parseDatetime, parseLimit } from '../../server/src/domain/ogc.js';

const Q: Record<string, QueryableType> = { name: 'string', population: 'integer', urgent: 'boolean', created_at: 'datetime', geometry: 'geometry' };
const fails = (text: string, pattern: RegExp) => {
  expect(() => parseCql2(text, Q)).toThrow(Cql2Error);
  expect(() => parseCql2(text, Q)).toThrow(pattern);
};

describe('query parameters', () => {
  it('when limit is absent then 100; when 1 or 10 000 then kept; when 0, 10 001, negative or not an integer then refused', () => {
    expect(parseLimit(undefined)).toEqual({ ok: true, value: 100 });
    expect(parseLimit('1')).toEqual({ ok: true, value: 1 });
    expect(parseLimit('10000')).toEqual({ ok: true, value: 10_000 });
    for (const bad of ['0', '10001', '-5', '2.5', 'abc', '', '1e3']) expect(parseLimit(bad).ok, bad).toBe(false);
  });

  it('when bbox has 4 or 6 numbers in range then west,south,east,north; otherwise a reason', () => {
    expect(parseBbox('2.35,48.69,2.37,48.71')).toEqual({ ok: true, value: [2.35, 48.69, 2.37, 48.71] });
    expect(parseBbox('2.35,48.69,0,2.37,48.71,100')).toEqual({ ok: true, value: [2.35, 48.69, 2.37, 48.71] });
    for (const bad of ['1,2,3', '1,2,3,4,5', 'a,b,c,d', '2,91,3,92', '200,1,201,2', '2,49,3,48', '3,48,2,49', 'NaN,1,2,3', 'Infinity,1,2,3', '0x10,1,20,3']) {
      expect(parseBbox(bad).ok, bad).toBe(false);
    }
  });

  it('when datetime is an instant, a day, or an interval with an open end then bounds in UTC; otherwise a reason', () => {
    expect(parseDatetime('2026-03-01T10:00:00Z')).toEqual({ ok: true, value: { start: '2026-03-01T10:00:00.000Z', end: '2026-03-01T10:00:00.000Z' } });
    expect(parseDatetime('2026-03-01')).toEqual({ ok: true, value: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-01T23:59:59.999Z' } });
    expect(parseDatetime('2026-01-01/..')).toEqual({ ok: true, value: { start: '2026-01-01T00:00:00.000Z', end: null } });
    expect(parseDatetime('../2026-01-31')).toEqual({ ok: true, value: { start: null, end: '2026-01-31T23:59:59.999Z' } });
    expect(parseDatetime('2026-01-01T00:00:00+01:00/2026-01-02T00:00:00Z')).toEqual({ ok: true, value: { start: '2025-12-31T23:00:00.000Z', end: '2026-01-02T00:00:00.000Z' } });
    for (const bad of ['yesterday', '2026-02-30', '2026-13-01', '../..', '2026-02-01/2026-01-01', 'a/b/c', '2026-01-01T25:00:00Z', '2026-01-01T10:00:00']) {
      expect(parseDatetime(bad).ok, bad).toBe(false);
    }
  });

  it('when a cursor comes back then it gives the key it was made of; when forged or of the wrong type then refused', () => {
    expect(decodeCursor(encodeCursor('910270000A0020'), 'string')).toEqual({ ok: true, value: '910270000A0020' });
    expect(decodeCursor(encodeCursor(42), 'integer')).toEqual({ ok: true, value: 42 });
    expect(decodeCursor(encodeCursor('42'), 'integer').ok).toBe(false);
    expect(decodeCursor(encodeCursor(42), 'string').ok).toBe(false);
    for (const bad of ['', 'not base64!', 'x'.repeat(500), btoa('{"a":1}'), btoa("'; DROP TABLE parcels; --")]) expect(decodeCursor(bad, 'string').ok, bad).toBe(false);
  });
});

describe('basic CQL2 text', () => {
  it('when comparisons are joined by AND, OR, NOT and parentheses then the tree keeps their precedence', () => {
    expect(parseCql2("name = 'Athis' OR NOT (population >= 1000 AND urgent = TRUE)", Q)).toEqual({
      kind: 'or',
      args: [
        { kind: 'compare', op: '=', left: { kind: 'property', name: 'name' }, right: { kind: 'string', value: 'Athis' } },
        { kind: 'not', arg: { kind: 'and', args: [
          { kind: 'compare', op: '>=', left: { kind: 'property', name: 'population' }, right: { kind: 'number', value: 1000 } },
          { kind: 'compare', op: '=', left: { kind: 'property', name: 'urgent' }, right: { kind: 'boolean', value: true } },
        ] } },
      ],
    });
  });

  it('when a string holds quotes, semicolons or comments then it stays one literal value', () => {
    expect(parseCql2("name = 'O''Brien''; DROP TABLE parcels; --'", Q)).toEqual({
      kind: 'compare', op: '=', left: { kind: 'property', name: 'name' }, right: { kind: 'string', value: "O'Brien'; DROP TABLE parcels; --" },
    });
    expect(parseCql2('"name" <> \'/* x */\'', Q)).toMatchObject({ kind: 'compare', op: '<>', right: { value: '/* x */' } });
  });

  it('when IS NULL, TIMESTAMP, DATE and keywords in lower case are used then they are understood', () => {
    expect(parseCql2('name is not null and created_at > timestamp(\'2026-01-01T00:00:00Z\')', Q)).toEqual({
      kind: 'and',
      args: [
        { kind: 'isNull', property: 'name', negated: true },
        { kind: 'compare', op: '>', left: { kind: 'property', name: 'created_at' }, right: { kind: 'datetime', value: '2026-01-01T00:00:00Z' } },
      ],
    });
    expect(parseCql2("created_at < DATE('2026-02-01')", Q)).toMatchObject({ right: { kind: 'datetime', value: '2026-02-01T00:00:00Z' } });
  });

  it('when S_INTERSECTS gets a WKT geometry then the WKT is rebuilt from the parsed numbers; BBOX too', () => {
    expect(parseCql2('S_INTERSECTS(geometry, POLYGON((2.3 48.7, 2.4 48.7, 2.4 48.8, 2.30 48.70)))', Q)).toEqual({
      kind: 's_intersects', property: 'geometry', geometry: { kind: 'wkt', wkt: 'POLYGON((2.3 48.7,2.4 48.7,2.4 48.8,2.3 48.7))' },
    });
    expect(parseCql2('s_intersects(geometry, point(2.36 48.70))', Q)).toMatchObject({ geometry: { wkt: 'POINT(2.36 48.7)' } });
    expect(parseCql2('S_INTERSECTS(geometry, MULTIPOINT((2.3 48.7), 2.4 48.8))', Q)).toMatchObject({ geometry: { wkt: 'MULTIPOINT((2.3 48.7),2.4 48.8)' } });
    expect(parseCql2('S_INTERSECTS(geometry, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((2 2, 3 2, 3 3, 2 2))))', Q))
      .toMatchObject({ geometry: { wkt: 'MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))' } });
    expect(parseCql2('S_INTERSECTS(geometry, BBOX(2.3, 48.6, 2.4, 48.7))', Q)).toMatchObject({ geometry: { kind: 'bbox', box: [2.3, 48.6, 2.4, 48.7] } });
  });

  it('when a property is not a queryable, or a function, LIKE or a statement is slipped in, then refused with its position', () => {
    fails('password = 1', /propriété inconnue « password »/);
    fails('"name; DROP TABLE users" = 1', /propriété inconnue/);
    fails("name = 'x'; DROP TABLE parcels", /caractère inattendu « ; »/);
    fails("name = 'x' -- comment", /suite inattendue|nombre mal formé|caractère inattendu/);
    fails("name = 'x' /* c */", /caractère inattendu « \/ »/);
    fails("pg_sleep(10) = 1", /fonction non prise en charge « pg_sleep »/);
    fails("name LIKE 'A%'", /opérateur non pris en charge « LIKE »/);
    fails("name = 'x' UNION SELECT 1", /suite inattendue/);
    fails("name = 'unterminated", /chaîne non terminée/);
    try { parseCql2('name = = 1', Q); } catch (e) { expect((e as Cql2Error).position).toBe(7); }
  });

  it('when types do not match, or a geometry is compared, then refused', () => {
    fails("population = 'many'", /comparaison impossible entre integer et string/);
    fails('urgent < TRUE', /booléen/);
    fails("created_at > '2026-01-01'", /comparaison impossible/);
    fails('geometry = 1', /S_INTERSECTS/);
    fails("S_INTERSECTS(name, POINT(1 2))", /n'est pas une géométrie/);
    fails("TIMESTAMP('2026-02-30T00:00:00Z') = created_at", /date-heure/);
  });

  it('when a WKT is malformed, out of range or unclosed then refused', () => {
    fails('S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0.5)))', /non fermé/);
    fails('S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 0)))', /non fermé/);
    fails('S_INTERSECTS(geometry, POINT(200 48))', /longitude/);
    fails('S_INTERSECTS(geometry, POINT(2 95))', /latitude/);
    fails('S_INTERSECTS(geometry, LINESTRING(2 48))', /ligne/);
    fails('S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(1 2)))', /WKT/);
    fails("S_INTERSECTS(geometry, 'POINT(1 2)')", /WKT/);
  });

  it('when a filter is deeply nested, too long, has too many predicates, huge literals or too many points then refused', () => {
    fails(`${'('.repeat(CQL2_LIMITS.maxDepth + 1)}urgent = TRUE${')'.repeat(CQL2_LIMITS.maxDepth + 1)}`, /imbriquée/);
    fails(`${'NOT '.repeat(CQL2_LIMITS.maxDepth + 1)}urgent = TRUE`, /imbriquée/);
    expect(() => parseCql2(`${'('.repeat(CQL2_LIMITS.maxDepth)}urgent = TRUE${')'.repeat(CQL2_LIMITS.maxDepth)}`, Q)).not.toThrow();
    fails(`name = '${'x'.repeat(CQL2_LIMITS.maxLength)}'`, /filtre de plus de/);
    fails(`name = '${'x'.repeat(CQL2_LIMITS.maxStringLength + 1)}'`, /chaîne de plus de/);
    fails(`population = ${'9'.repeat(CQL2_LIMITS.maxNumberLength + 1)}`, /nombre de plus de/);
    fails(`population = 1e400`, /hors limites/);
    fails(Array.from({ length: CQL2_LIMITS.maxPredicates + 1 }, () => 'urgent = TRUE').join(' OR '), /prédicats/);
    const ring = Array.from({ length: CQL2_LIMITS.maxPoints + 1 }, (_, i) => `${i % 10} ${i % 7}`);
    fails(`S_INTERSECTS(geometry, LINESTRING(${ring.join(', ')}))`, /points/);
    fails('', /vide/);
    fails("name = 'a\u0000b'", /nul/);
  });
});

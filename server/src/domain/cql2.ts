/**
 * Basic CQL2 text (OGC API – Features Part 3) with the spatial predicate `S_INTERSECTS`: a tokenizer and a recursive
 * descent parser into an AST checked against a collection's queryables. Pure code: the data layer turns the AST into
 * SQL whose values are all bound parameters (never pasted).
 *
 * Supported: comparisons `= <> < > <= >=` between properties and literals (strings, numbers, booleans,
 * `DATE('…')`, `TIMESTAMP('…')`), `IS [NOT] NULL`, `AND`/`OR`/`NOT`, parentheses, `TRUE`/`FALSE`, and
 * `S_INTERSECTS(<geometry property>, <WKT | BBOX(…)>)` with POINT, LINESTRING, POLYGON and their MULTI forms in
 * WGS84 lon/lat. Everything is bounded: text length, nesting depth, number of predicates, literal sizes, WKT points.
 */

/** The type of a queryable property (JSON Schema words, `datetime` for timestamps). */
export type QueryableType = 'string' | 'number' | 'integer' | 'boolean' | 'datetime' | 'geometry';

export type Cql2Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'datetime'; value: string };

export type Cql2Scalar = Cql2Literal | { kind: 'property'; name: string };

/** A geometry literal, rebuilt as canonical WKT from the parsed numbers (never the caller's text). */
export type Cql2Geometry = { kind: 'wkt'; wkt: string } | { kind: 'bbox'; box: [number, number, number, number] };

export type Cql2Op = '=' | '<>' | '<' | '>' | '<=' | '>=';

export type Cql2Node =
  | { kind: 'and' | 'or'; args: Cql2Node[] }
  | { kind: 'not'; arg: Cql2Node }
  | { kind: 'const'; value: boolean }
  | { kind: 'compare'; op: Cql2Op; left: Cql2Scalar; right: Cql2Scalar }
  | { kind: 'isNull'; property: string; negated: boolean }
  | { kind: 's_intersects'; property: string; geometry: Cql2Geometry };

/** Limits of a filter (a request can never make the parser or the database work without bound). */
export const CQL2_LIMITS = Object.freeze({ maxLength: 20_000, maxDepth: 20, maxPredicates: 200, maxStringLength: 1_000, maxNumberLength: 40, maxPoints: 2_000 });

/** A filter the caller must correct: the message says what and where (`position`, 0-based character index). */
export class Cql2Error extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = 'Cql2Error';
  }
}

type Token =
  | { t: 'word'; v: string; pos: number }
  | { t: 'ident'; v: string; pos: number } // "quoted identifier"
  | { t: 'string'; v: string; pos: number }
  | { t: 'number'; v: number; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; pos: number };

const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Splits a CQL2 text into tokens; throws Cql2Error on a character it does not know. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const rest = text.slice(i, i + 64);
    if (c === "'") {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new Cql2Error('chaîne non terminée', i);
        if (text[j] === "'") {
          if (text[j + 1] === "'") { v += "'"; j += 2; continue; }
          break;
        }
        v += text[j];
        j++;
        if (v.length > CQL2_LIMITS.maxStringLength) throw new Cql2Error(`chaîne de plus de ${CQL2_LIMITS.maxStringLength} caractères`, i);
      }
      out.push({ t: 'string', v, pos: i });
      i = j + 1;
    } else if (c === '"') {
      const j = text.indexOf('"', i + 1);
      if (j < 0) throw new Cql2Error('identifiant entre guillemets non terminé', i);
      out.push({ t: 'ident', v: text.slice(i + 1, j), pos: i });
      i = j + 1;
    } else if (/[0-9.]/.test(c) || (c === '-' && /^-[0-9.]/.test(rest))) {
      const m = NUMBER.exec(text.slice(i, i + CQL2_LIMITS.maxNumberLength + 1));
      if (!m) throw new Cql2Error('nombre mal formé', i);
      if (m[0].length > CQL2_LIMITS.maxNumberLength) throw new Cql2Error(`nombre de plus de ${CQL2_LIMITS.maxNumberLength} caractères`, i);
      const v = Number(m[0]);
      if (!Number.isFinite(v)) throw new Cql2Error('nombre hors limites', i);
      out.push({ t: 'number', v, pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = WORD.exec(text.slice(i, i + 129))!;
      if (m[0].length > 128) throw new Cql2Error('nom de plus de 128 caractères', i);
      out.push({ t: 'word', v: m[0], pos: i });
      i += m[0].length;
    } else {
      const op = ['<>', '<=', '>='].find((o) => text.startsWith(o, i)) ?? (/[=<>(),]/.test(c) ? c : null);
      if (!op) throw new Cql2Error(`caractère inattendu « ${c} »`, i);
      out.push({ t: 'op', v: op, pos: i });
      i += op.length;
    }
  }
  out.push({ t: 'end', pos: text.length });
  return out;
}

const COMPARISONS: ReadonlySet<string> = new Set(['=', '<>', '<', '>', '<=', '>=']);
const WKT_TYPES = ['POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON'] as const;
type WktType = (typeof WKT_TYPES)[number];
/** Nesting of coordinate lists per WKT type: 0 a position, 1 a list of positions, 2 a list of those… */
const WKT_DEPTH: Record<WktType, number> = { POINT: 0, LINESTRING: 1, MULTIPOINT: 1, POLYGON: 2, MULTILINESTRING: 2, MULTIPOLYGON: 3 };
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;

/** Whether a text is an RFC 3339 date or date-time with an existing calendar day (`2026-02-30` is not). */
export function isRfc3339(text: string, dateOnly: boolean): boolean {
  const m = RFC3339.exec(text);
  if (!m || (dateOnly && m[4] !== undefined) || (!dateOnly && m[4] === undefined)) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return false;
  return m[4] === undefined || (Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60);
}

class Parser {
  private i = 0;
  private predicates = 0;
  private points = 0;

  constructor(private readonly tokens: Token[], private readonly queryables: Readonly<Record<string, QueryableType>>) {}

  parse(): Cql2Node {
    const node = this.or(0);
    const t = this.peek();
    if (t.t !== 'end') throw new Cql2Error('suite inattendue après l\'expression', t.pos);
    return node;
  }

  private peek(): Token { return this.tokens[this.i]!; }
  private next(): Token { return this.tokens[this.i++]!; }
  private isWord(w: string, t = this.peek()): boolean { return t.t === 'word' && t.v.toUpperCase() === w; }
  private isOp(o: string, t = this.peek()): boolean { return t.t === 'op' && t.v === o; }
  private expectOp(o: string): void {
    const t = this.next();
    if (!this.isOp(o, t)) throw new Cql2Error(`« ${o} » attendu`, t.pos);
  }
  private depth(d: number, pos: number): void {
    if (d > CQL2_LIMITS.maxDepth) throw new Cql2Error(`expression imbriquée sur plus de ${CQL2_LIMITS.maxDepth} niveaux`, pos);
  }

  private or(d: number): Cql2Node {
    this.depth(d, this.peek().pos);
    const args = [this.and(d)];
    while (this.isWord('OR')) { this.next(); args.push(this.and(d)); }
    return args.length === 1 ? args[0]! : { kind: 'or', args };
  }

  private and(d: number): Cql2Node {
    const args = [this.not(d)];
    while (this.isWord('AND')) { this.next(); args.push(this.not(d)); }
    return args.length === 1 ? args[0]! : { kind: 'and', args };
  }

  private not(d: number): Cql2Node {
    if (this.isWord('NOT')) {
      const t = this.next();
      this.depth(d + 1, t.pos);
      return { kind: 'not', arg: this.not(d + 1) };
    }
    return this.primary(d);
  }

  private primary(d: number): Cql2Node {
    const t = this.peek();
    if (this.isOp('(')) {
      this.next();
      const inner = this.or(d + 1);
      this.expectOp(')');
      return inner;
    }
    if (++this.predicates > CQL2_LIMITS.maxPredicates) throw new Cql2Error(`plus de ${CQL2_LIMITS.maxPredicates} prédicats`, t.pos);
    if (this.isWord('S_INTERSECTS')) return this.spatial();
    if (t.t === 'word' && this.isOp('(', this.tokens[this.i + 1]) && !['DATE', 'TIMESTAMP'].includes(t.v.toUpperCase())) {
      throw new Cql2Error(`fonction non prise en charge « ${t.v} » (CQL2 de base et S_INTERSECTS seulement)`, t.pos);
    }
    const left = this.scalar();
    if (this.isWord('IS')) {
      this.next();
      if (left.kind !== 'property') throw new Cql2Error('IS NULL s\'applique à une propriété', t.pos);
      const negated = this.isWord('NOT');
      if (negated) this.next();
      const n = this.next();
      if (!this.isWord('NULL', n)) throw new Cql2Error('NULL attendu après IS', n.pos);
      return { kind: 'isNull', property: left.name, negated };
    }
    const opToken = this.peek();
    if (opToken.t === 'op' && COMPARISONS.has(opToken.v)) {
      this.next();
      const right = this.scalar();
      const [lt, rt] = [this.typeOf(left), this.typeOf(right)];
      if (!comparable(lt, rt)) throw new Cql2Error(`comparaison impossible entre ${lt} et ${rt}`, opToken.pos);
      if (lt === 'boolean' && !['=', '<>'].includes(opToken.v)) throw new Cql2Error('un booléen se compare avec = ou <>', opToken.pos);
      return { kind: 'compare', op: opToken.v as Cql2Op, left, right };
    }
    if (left.kind === 'boolean') return { kind: 'const', value: left.value };
    if (opToken.t === 'word' && ['LIKE', 'BETWEEN', 'IN'].includes(opToken.v.toUpperCase())) {
      throw new Cql2Error(`opérateur non pris en charge « ${opToken.v} » (CQL2 de base)`, opToken.pos);
    }
    throw new Cql2Error('opérateur de comparaison attendu (=, <>, <, >, <=, >=, IS NULL)', opToken.pos);
  }

  private typeOf(s: Cql2Scalar): QueryableType {
    if (s.kind !== 'property') return s.kind;
    return this.queryables[s.name]!;
  }

  private property(t: Token): string {
    const name = t.t === 'word' || t.t === 'ident' ? t.v : '';
    if (!Object.hasOwn(this.queryables, name)) throw new Cql2Error(`propriété inconnue « ${name.slice(0, 64)} » (voir /queryables)`, t.pos);
    return name;
  }

  private scalar(): Cql2Scalar {
    const t = this.next();
    if (t.t === 'string') return { kind: 'string', value: t.v };
    if (t.t === 'number') return { kind: 'number', value: t.v };
    if (t.t === 'ident') return this.scalarProperty(t);
    if (t.t === 'word') {
      const w = t.v.toUpperCase();
      if (w === 'TRUE' || w === 'FALSE') return { kind: 'boolean', value: w === 'TRUE' };
      if ((w === 'DATE' || w === 'TIMESTAMP') && this.isOp('(')) {
        this.next();
        const s = this.next();
        if (s.t !== 'string' || !isRfc3339(s.v, w === 'DATE')) throw new Cql2Error(`${w}('…') attend une ${w === 'DATE' ? 'date AAAA-MM-JJ' : 'date-heure RFC 3339'}`, s.pos);
        this.expectOp(')');
        return { kind: 'datetime', value: w === 'DATE' ? `${s.v}T00:00:00Z` : s.v };
      }
      return this.scalarProperty(t);
    }
    throw new Cql2Error('propriété ou valeur attendue', t.pos);
  }

  private scalarProperty(t: Token): Cql2Scalar {
    const name = this.property(t);
    if (this.queryables[name] === 'geometry') throw new Cql2Error(`la géométrie « ${name} » ne s'emploie que dans S_INTERSECTS`, t.pos);
    return { kind: 'property', name };
  }

  private spatial(): Cql2Node {
    this.next();
    this.expectOp('(');
    const p = this.next();
    const property = this.property(p);
    if (this.queryables[property] !== 'geometry') throw new Cql2Error(`« ${property} » n'est pas une géométrie`, p.pos);
    this.expectOp(',');
    const geometry = this.geometry();
    this.expectOp(')');
    return { kind: 's_intersects', property, geometry };
  }

  private geometry(): Cql2Geometry {
    const t = this.next();
    const w = t.t === 'word' ? t.v.toUpperCase() : '';
    if (w === 'BBOX') {
      this.expectOp('(');
      const n: number[] = [];
      for (const axis of ['lon', 'lat', 'lon', 'lat'] as const) {
        if (n.length) this.expectOp(',');
        n.push(this.lonLat(this.number(), axis));
      }
      this.expectOp(')');
      if (n[0]! > n[2]! || n[1]! > n[3]!) throw new Cql2Error('BBOX(ouest, sud, est, nord) attendu', t.pos);
      return { kind: 'bbox', box: n as [number, number, number, number] };
    }
    if (!(WKT_TYPES as readonly string[]).includes(w)) throw new Cql2Error('géométrie WKT (POINT, LINESTRING, POLYGON, MULTI…) ou BBOX attendue', t.pos);
    const type = w as WktType;
    const body = this.coordinates(WKT_DEPTH[type], type);
    return { kind: 'wkt', wkt: `${type}${body}` };
  }

  private number(): number {
    const t = this.next();
    if (t.t !== 'number') throw new Cql2Error('nombre attendu', t.pos);
    return t.v;
  }

  private lonLat(v: number, axis: 'lon' | 'lat'): number {
    const max = axis === 'lon' ? 180 : 90;
    if (v < -max || v > max) throw new Cql2Error(`${axis === 'lon' ? 'longitude' : 'latitude'} hors de [-${max}, ${max}]`, this.tokens[this.i - 1]!.pos);
    return v;
  }

  /** One position `x y`, checked in range and counted. */
  private position(pos: number): string {
    const x = this.lonLat(this.number(), 'lon');
    const y = this.lonLat(this.number(), 'lat');
    if (++this.points > CQL2_LIMITS.maxPoints) throw new Cql2Error(`géométrie de plus de ${CQL2_LIMITS.maxPoints} points`, pos);
    return `${x} ${y}`;
  }

  /**
   * A WKT coordinate list nested `depth` times (0: `(x y)`, 1: `(x y, …)`, 2: `((…), …)`…), rebuilt from numbers;
   * rings are checked closed with ≥ 4 positions, lines with ≥ 2.
   */
  private coordinates(depth: number, type: WktType): string {
    const open = this.peek();
    this.expectOp('(');
    const parts: string[] = [];
    do {
      if (parts.length) this.next();
      if (depth <= 1 && type === 'MULTIPOINT' && this.isOp('(')) parts.push(this.coordinates(0, type));
      else if (depth <= 1) parts.push(this.position(open.pos));
      else parts.push(this.coordinates(depth - 1, type));
    } while (depth > 0 && this.isOp(','));
    this.expectOp(')');
    if (depth === 1 && (type === 'POLYGON' || type === 'MULTIPOLYGON') && (parts.length < 4 || parts[0] !== parts[parts.length - 1])) {
      throw new Cql2Error('anneau de polygone non fermé ou de moins de 4 points', open.pos);
    }
    if (depth === 1 && (type === 'LINESTRING' || type === 'MULTILINESTRING') && parts.length < 2) throw new Cql2Error('ligne de moins de 2 points', open.pos);
    return `(${parts.join(',')})`;
  }
}

function comparable(a: QueryableType, b: QueryableType): boolean {
  const norm = (t: QueryableType) => (t === 'integer' ? 'number' : t);
  return norm(a) === norm(b) && a !== 'geometry';
}

/**
 * Parses a basic CQL2 text filter against the queryables of a collection (property name → type).
 * Throws Cql2Error (message in French, with the position) for anything it does not accept.
 * @example parseCql2("commune_insee = '91027' AND NOT urgent = TRUE", { commune_insee: 'string', urgent: 'boolean' })
 * // { kind: 'and', args: [{ kind: 'compare', op: '=', … }, { kind: 'not', … }] }
 */
export function parseCql2(text: string, queryables: Readonly<Record<string, QueryableType>>): Cql2Node {
  if (text.length > CQL2_LIMITS.maxLength) throw new Cql2Error(`filtre de plus de ${CQL2_LIMITS.maxLength} caractères`, CQL2_LIMITS.maxLength);
  if (!text.trim()) throw new Cql2Error('filtre vide', 0);
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw new Cql2Error('caractère nul interdit', nul);
  return new Parser(tokenize(text), queryables).parse();
}

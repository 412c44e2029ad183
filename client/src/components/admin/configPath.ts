/** Reading and writing a dotted path (`delegate.email`, `urgency.criteria`) in plain JSON objects, without mutating them. */
type Obj = Record<string, unknown>;

/** @example getPath({ a: { b: 1 } }, 'a.b') // 1 */
export const getPath = (obj: Obj, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), obj);

/** A copy of `obj` with `path` set to `value` (removed when undefined). @example setPath({ a: {} }, 'a.b', 2) // { a: { b: 2 } } */
export function setPath(obj: Obj, path: string, value: unknown): Obj {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  const copy = { ...obj };
  if (rest.length) copy[head] = setPath((obj[head] as Obj | undefined) ?? {}, rest.join('.'), value);
  else if (value === undefined) delete copy[head];
  else copy[head] = value;
  return copy;
}

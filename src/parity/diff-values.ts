/** One value that differs between two documents: its path, and each side (undefined: absent). */
export interface ValueDifference {
  readonly path: string;
  readonly a: unknown;
  readonly b: unknown;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const nameOf = (v: unknown): string | undefined => (isMap(v) && typeof v.name === 'string' ? v.name : undefined);
const isNamedList = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.length > 0 && v.every((e) => nameOf(e) !== undefined);

/** A canonical JSON text (keys sorted) for comparing plain data. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (isMap(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : x));
}

/**
 * The leaf differences between `a` and `b`: maps key by key, lists of named entries by name
 * (`rules[llm-gateway-page].target`), anything else compared whole. Sorted by path.
 */
export function diffValues(a: unknown, b: unknown, path = ''): ValueDifference[] {
  if (canonical(a) === canonical(b)) return [];
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (
    (isNamedList(a) || (Array.isArray(a) && a.length === 0)) &&
    (isNamedList(b) || (Array.isArray(b) && b.length === 0)) &&
    (isNamedList(a) || isNamedList(b))
  ) {
    const byName = (l: unknown[]) => new Map(l.map((e) => [nameOf(e)!, e] as const));
    const am = byName(a as unknown[]);
    const bm = byName(b as unknown[]);
    const names = [...new Set([...am.keys(), ...bm.keys()])].sort();
    return names.flatMap((n) => diffValues(am.get(n), bm.get(n), `${path}[${n}]`));
  }
  return [{ path, a, b }];
}

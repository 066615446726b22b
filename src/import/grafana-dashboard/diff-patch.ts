import type { RawPatch } from '../../dashboards/index.js';

/** A JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep JSON equality; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Sets an own property, whatever its name (`__proto__` included). */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/**
 * The `RawPatch` that turns `built` into `want` (see `applyPatch`): changed keys set, objects on
 * both sides diffed key by key, keys only `built` has set to `undefined`. Empty when equal.
 */
export function diffPatch(built: Record<string, unknown>, want: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [k, w] of Object.entries(want)) {
    if (w === undefined) continue;
    const b = Object.hasOwn(built, k) ? built[k] : undefined;
    if (jsonEqual(b, w)) continue;
    if (isObject(b) && isObject(w)) define(patch, k, diffPatch(b, w));
    else define(patch, k, w);
  }
  for (const k of Object.keys(built)) if (built[k] !== undefined && !(Object.hasOwn(want, k) && want[k] !== undefined)) define(patch, k, undefined);
  return patch;
}

/** `o` without `keys` (a shallow copy). */
export function omit(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

/** A patch has something to say. */
export function isEmptyPatch(p: RawPatch): boolean {
  return Object.keys(p).length === 0;
}

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
    return ka.length === kb.length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The `RawPatch` that turns `built` into `want` (see `applyPatch`): changed keys set, objects on
 * both sides diffed key by key, keys only `built` has set to `undefined`. Empty when equal.
 */
export function diffPatch(built: Record<string, unknown>, want: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [k, w] of Object.entries(want)) {
    if (w === undefined) continue;
    const b = built[k];
    if (jsonEqual(b, w)) continue;
    if (isObject(b) && isObject(w)) patch[k] = diffPatch(b, w);
    else patch[k] = w;
  }
  for (const k of Object.keys(built)) if (built[k] !== undefined && want[k] === undefined) patch[k] = undefined;
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

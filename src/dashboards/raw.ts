import type * as cog from '@grafana/grafana-foundation-sdk/cog';

/**
 * The escape hatch of the dashboard helpers: Grafana JSON that no helper option expresses, kept
 * verbatim. A patch merges over what a helper built: objects merge key by key, arrays and scalars
 * replace, and a key set to `undefined` is removed. `vigil import grafana-dashboard` writes one for
 * every panel, query, variable or row whose JSON the helpers alone do not reproduce.
 */
export type RawPatch = { readonly [key: string]: unknown };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** `target` with `patch` merged over it (a copy; neither argument is changed). */
export function applyPatch<T>(target: T, patch: RawPatch): T {
  const out = (isPlainObject(target) ? clone(target) : {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    if (value === undefined) delete out[key];
    // defineProperty: a key named `__proto__` stays data, as in the JSON it came from.
    else
      Object.defineProperty(out, key, {
        value: isPlainObject(value) && isPlainObject(current) ? applyPatch(current, value) : clone(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out as T;
}

/** A builder whose output carries a patch; the layout reads a patched `gridPos` as a fixed position. */
export class PatchedBuilder<T> implements cog.Builder<T> {
  constructor(
    private readonly inner: cog.Builder<T> | undefined,
    readonly patch: RawPatch,
  ) {}

  build(): T {
    return applyPatch(this.inner ? clone(this.inner.build()) : ({} as T), this.patch);
  }
}

/** A helper's panel, query or variable with verbatim JSON merged over it (see `RawPatch`). */
export function raw<T>(builder: cog.Builder<T>, patch: RawPatch): cog.Builder<T> {
  return new PatchedBuilder(builder, patch);
}

/** A panel, query or variable no helper builds, given as its Grafana JSON. */
export function verbatim<T>(json: RawPatch): cog.Builder<T> {
  return new PatchedBuilder<T>(undefined, json);
}

/** The fixed grid position a patched panel asks for (`x` and `y` given), if any. */
export function pinnedGridPos(b: cog.Builder<unknown>): { x: number; y: number; w?: number; h?: number } | undefined {
  if (!(b instanceof PatchedBuilder)) return undefined;
  const g = (b.patch as { gridPos?: unknown }).gridPos;
  if (!isPlainObject(g) || typeof g.x !== 'number' || typeof g.y !== 'number') return undefined;
  return g as { x: number; y: number; w?: number; h?: number };
}

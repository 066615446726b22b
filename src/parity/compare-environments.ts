import type { EnvOverride } from '../load/env-overlay.js';
import type { ProjectModel } from '../project/project-model.js';
import { diffValues } from './diff-values.js';
import { environmentFacets, type Facet, type ParityKind } from './environment-facets.js';

/** Where a declared difference is explained. */
export interface ParityReason {
  /** The environment whose override it is; empty for an explanation in the input itself. */
  readonly env: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The spec path the override sets, e.g. `slos[availability].objective`. */
  readonly path: string;
}

/** One semantic difference between two environments. */
export interface ParityDifference {
  readonly kind: ParityKind;
  /** What differs: an SLO id, `pack/Alert`, a route, a dashboard uid, a file. */
  readonly subject: string;
  /** The facet path inside it; `(presence)` when it exists in one environment only. */
  readonly path: string;
  /** The value in the first environment; null when absent there. */
  readonly a: unknown;
  /** The value in the second environment; null when absent there. */
  readonly b: unknown;
  /** `declared`: an override explains it (see `because`); `drift`: nothing does. */
  readonly status: 'declared' | 'drift';
  readonly because?: ParityReason;
}

/** `vigil parity`'s result (`--format json` prints it as is). */
export interface ParityReport {
  readonly envA: string;
  readonly envB: string;
  /** How many things of each kind were compared (in either environment). */
  readonly compared: Readonly<Record<ParityKind, number>>;
  readonly differences: readonly ParityDifference[];
  readonly declared: number;
  readonly drift: number;
}

const KINDS: readonly ParityKind[] = ['slo', 'alert', 'route', 'routing', 'dashboard', 'rollback', 'exporter', 'config'];

/**
 * The semantic difference of two environments' models (pure): per SLO, alert, routing path,
 * dashboard, rollback policy, exporter models file and configuration, each difference marked
 * declared (an override of either environment, or a dashboard module reading `env`, explains it)
 * or drift. Sorted by kind, subject and path.
 */
export function compareEnvironments(a: { env: string; model: ProjectModel }, b: { env: string; model: ProjectModel }): ParityReport {
  const key = (f: Facet) => `${f.kind}\u0000${f.subject}`;
  const fa = new Map(environmentFacets(a.model).map((f) => [key(f), f] as const));
  const fb = new Map(environmentFacets(b.model).map((f) => [key(f), f] as const));
  const overrides = [...a.model.overrides.map((o) => ({ ...o, env: a.env })), ...b.model.overrides.map((o) => ({ ...o, env: b.env }))];
  const differences: ParityDifference[] = [];
  const compared = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<ParityKind, number>;
  for (const k of [...new Set([...fa.keys(), ...fb.keys()])]) {
    const x = fa.get(k);
    const y = fb.get(k);
    const facet = (x ?? y)!;
    compared[facet.kind]++;
    const diffs = x && y ? diffValues(x.value, y.value) : [{ path: '(presence)', a: x ? 'present' : null, b: y ? 'present' : null }];
    for (const d of diffs) {
      const because = reason(x, y, overrides, d.path);
      differences.push({
        kind: facet.kind,
        subject: facet.subject,
        path: d.path,
        a: d.a ?? null,
        b: d.b ?? null,
        status: because ? 'declared' : 'drift',
        ...(because ? { because } : {}),
      });
    }
  }
  const order = (d: ParityDifference) => `${String(KINDS.indexOf(d.kind)).padStart(2, '0')}\u0000${d.subject}\u0000${d.path}`;
  differences.sort((p, q) => (order(p) < order(q) ? -1 : order(p) > order(q) ? 1 : 0));
  const declared = differences.filter((d) => d.status === 'declared').length;
  return { envA: a.env, envB: b.env, compared, differences, declared, drift: differences.length - declared };
}

function reason(x: Facet | undefined, y: Facet | undefined, overrides: readonly EnvOverride[], path: string): ParityReason | undefined {
  for (const f of [x, y]) {
    if (!f) continue;
    const want = f.specPathOf?.(path) ?? path;
    // Of several overrides that explain it, the one whose path is closest to what sets the value.
    let best: { o: EnvOverride; score: number } | undefined;
    for (const c of overrides) {
      if (!f.explains(c, path)) continue;
      const score = commonPrefix(c.path, want);
      if (!best || score > best.score) best = { o: c, score };
    }
    const o = best?.o ?? f.implicit;
    if (o) return { env: o.env, file: o.file, line: o.line, column: o.column, path: o.path };
  }
  return undefined;
}

function commonPrefix(p: string, q: string): number {
  let i = 0;
  while (i < p.length && i < q.length && p[i] === q[i]) i++;
  return i;
}

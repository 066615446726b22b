/**
 * Alert timing comparison: firing intervals of a candidate against the exact raw-window form, both
 * sampled once per evaluation (1 min). A candidate interval belongs to the exact interval it
 * overlaps; an exact interval with none is a miss, a candidate interval with none is spurious.
 */

/** Half-open runs [start, end) of steps where `firing` holds. */
export function intervals(firing: ArrayLike<boolean>): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= firing.length; i++) {
    const on = i < firing.length && firing[i];
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  return out;
}

export interface Episode {
  /** Exact interval, in steps from the window start. */
  exact: [number, number];
  /** Candidate start − exact start, in steps (positive: later); NaN if missed. */
  startDelay: number;
  /** Candidate end − exact end, in steps (positive: stops later). */
  stopDelay: number;
  /** Candidate intervals matched (more than one: it flapped). */
  pieces: number;
}

export interface Comparison {
  episodes: Episode[];
  missed: number;
  /** Candidate intervals overlapping no exact one, with their lengths in steps. */
  spurious: number[];
}

export function compareFiring(exact: ArrayLike<boolean>, candidate: ArrayLike<boolean>): Comparison {
  const ex = intervals(exact);
  const cand = intervals(candidate);
  const used = new Set<number>();
  const episodes: Episode[] = [];
  let missed = 0;
  for (const e of ex) {
    const mine = cand.map((c, i) => [c, i] as const).filter(([c]) => c[0] < e[1] && c[1] > e[0]);
    if (mine.length === 0) {
      missed++;
      episodes.push({ exact: e, startDelay: NaN, stopDelay: NaN, pieces: 0 });
      continue;
    }
    for (const [, i] of mine) used.add(i);
    episodes.push({ exact: e, startDelay: mine[0]![0][0] - e[0], stopDelay: mine[mine.length - 1]![0][1] - e[1], pieces: mine.length });
  }
  const spurious = cand.filter((_, i) => !used.has(i)).map((c) => c[1] - c[0]);
  return { episodes, missed, spurious };
}

/** Max of |a − b| / |b| over steps where both are numbers and |b| ≥ floor. */
export function maxRelError(a: Float64Array, b: Float64Array, floor = 0): { max: number; at: number } {
  let max = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y) || Math.abs(y) < floor || y === 0) continue;
    const r = Math.abs(x - y) / Math.abs(y);
    if (r > max) {
      max = r;
      at = i;
    }
  }
  return { max, at };
}

/** Max of |a − b| over steps where both are numbers. */
export function maxAbsError(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!) && !Number.isNaN(b[i]!)) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

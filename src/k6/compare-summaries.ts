import type { K6CompareThresholds } from '../load/k6-config.js';
import type { K6Summary } from './read-summary.js';

/** One compared figure of two k6 runs. */
export interface ComparedFigure {
  /** `p50`, `p95`, `p99` (http_req_duration, ms), `errorRatio` (http_req_failed rate), `throughput` (http_reqs per second). */
  readonly name: 'p50' | 'p95' | 'p99' | 'errorRatio' | 'throughput';
  /** Where it was read, e.g. `http_req_duration med`. */
  readonly source: string;
  readonly base: number | null;
  readonly candidate: number | null;
  /** Latency and throughput: percent change; error ratio: absolute change. Null when either side is missing. */
  readonly change: number | null;
  /** The largest accepted change against the worse direction (percent, or absolute for the error ratio). */
  readonly limit: number;
  readonly regression: boolean;
  /** Why the figure was not compared: which run lacks it. */
  readonly missing: string | null;
}

export interface CompareResult {
  readonly ok: boolean;
  readonly figures: readonly ComparedFigure[];
  /** How many figures both runs have. */
  readonly compared: number;
}

/** The metrics a comparison reads. */
export const COMPARED_METRICS: readonly string[] = ['http_req_duration', 'http_req_failed', 'http_reqs'];

/** Statistics that hold each latency figure, in the order looked for (k6 writes `med`; `p(50)` when asked). */
const LATENCY: readonly { name: 'p50' | 'p95' | 'p99'; stats: readonly string[] }[] = [
  { name: 'p50', stats: ['med', 'p(50)'] },
  { name: 'p95', stats: ['p(95)'] },
  { name: 'p99', stats: ['p(99)'] },
];

function stat(summary: K6Summary, metric: string, stats: readonly string[]): { value: number; stat: string } | undefined {
  const m = summary.metrics.get(metric);
  for (const s of stats) {
    const v = m?.values[s];
    if (v !== undefined && !Number.isNaN(v)) return { value: v, stat: s };
  }
  return undefined;
}

/**
 * The performance-baseline comparison of two k6 summaries (two runs, or two environments):
 * http_req_duration p50/p95/p99 may rise by at most their percent, the http_req_failed ratio by
 * at most `errorRatio` (absolute), and http_reqs per second may drop by at most `throughput`
 * percent. A figure either run lacks (or holds as NaN/null) is reported missing, not compared; a
 * comparison with no figure in common is not ok.
 */
export function compareSummaries(base: K6Summary, candidate: K6Summary, limits: K6CompareThresholds): CompareResult {
  const figures: ComparedFigure[] = [];
  const missingIn = (b: unknown, c: unknown) =>
    b === undefined && c === undefined ? 'both runs' : b === undefined ? 'base' : c === undefined ? 'candidate' : null;
  for (const { name, stats } of LATENCY) {
    const b = stat(base, 'http_req_duration', stats);
    const c = stat(candidate, 'http_req_duration', stats);
    const change = b && c ? percentChange(b.value, c.value) : null;
    figures.push({
      name,
      source: `http_req_duration ${(b ?? c)?.stat ?? stats.join('|')}`,
      base: b?.value ?? null,
      candidate: c?.value ?? null,
      change,
      limit: limits[name],
      regression: change !== null && change > limits[name],
      missing: missingIn(b, c),
    });
  }
  const be = stat(base, 'http_req_failed', ['rate']);
  const ce = stat(candidate, 'http_req_failed', ['rate']);
  const errChange = be && ce ? round(ce.value - be.value) : null;
  figures.push({
    name: 'errorRatio',
    source: 'http_req_failed rate',
    base: be?.value ?? null,
    candidate: ce?.value ?? null,
    change: errChange,
    limit: limits.errorRatio,
    regression: errChange !== null && errChange > limits.errorRatio,
    missing: missingIn(be, ce),
  });
  const bt = stat(base, 'http_reqs', ['rate']);
  const ct = stat(candidate, 'http_reqs', ['rate']);
  const tChange = bt && ct ? percentChange(bt.value, ct.value) : null;
  figures.push({
    name: 'throughput',
    source: 'http_reqs rate',
    base: bt?.value ?? null,
    candidate: ct?.value ?? null,
    change: tChange,
    limit: limits.throughput,
    regression: tChange !== null && -tChange > limits.throughput,
    missing: missingIn(bt, ct),
  });
  const compared = figures.filter((f) => f.change !== null).length;
  return { ok: compared > 0 && figures.every((f) => !f.regression), figures, compared };
}

/** Percent change from `base` to `candidate`; from 0 to more is +Infinity (a regression at any limit). */
function percentChange(base: number, candidate: number): number {
  if (base === 0) return candidate === 0 ? 0 : candidate > 0 ? Infinity : -Infinity;
  return round(((candidate - base) / base) * 100);
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

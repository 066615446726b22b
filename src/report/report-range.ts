/** The time range a report covers and the query steps that read it. */

/** Prometheus refuses a range query with more than this many points per series. */
export const MAX_POINTS_PER_QUERY = 11_000;

/** A report's range in unix seconds: the period (from, to], both on multiples of `alignSeconds`. */
export interface ReportRange {
  readonly fromSeconds: number;
  readonly toSeconds: number;
}

/**
 * The range of `--period` (ending now) or of `--from`/`--to`, both ends rounded down to a
 * multiple of `alignSeconds` (the SLOs' base window), so that the base-window samples read at
 * each step tile the range exactly.
 */
export function resolveRange(
  spec:
    | { readonly periodSeconds: number; readonly fromSeconds?: undefined; readonly toSeconds?: number }
    | { readonly fromSeconds: number; readonly toSeconds: number },
  nowSeconds: number,
  alignSeconds: number,
): ReportRange {
  const floor = (t: number) => Math.floor(t / alignSeconds) * alignSeconds;
  if ('periodSeconds' in spec) {
    const to = floor(spec.toSeconds ?? nowSeconds);
    return { fromSeconds: to - Math.ceil(spec.periodSeconds / alignSeconds) * alignSeconds, toSeconds: to };
  }
  return { fromSeconds: floor(spec.fromSeconds), toSeconds: floor(spec.toSeconds) };
}

/** Evaluation times of a range at `step`: from + step, …, to (each sample covers the step before it). */
export function stepTimes(range: ReportRange, stepSeconds: number): number[] {
  const out: number[] = [];
  for (let t = range.fromSeconds + stepSeconds; t <= range.toSeconds; t += stepSeconds) out.push(t);
  return out;
}

/**
 * Splits the evaluation times of a range into consecutive [start, end] chunks of at most
 * `maxPoints` points each, so that any period can be read at the base window's step however long
 * it is (30d at 5m is 8,640 points; 90d at 5m takes three queries).
 */
export function rangeChunks(range: ReportRange, stepSeconds: number, maxPoints = MAX_POINTS_PER_QUERY): [number, number][] {
  const first = range.fromSeconds + stepSeconds;
  if (first > range.toSeconds) return [];
  const chunks: [number, number][] = [];
  for (let start = first; start <= range.toSeconds; start += maxPoints * stepSeconds) {
    chunks.push([start, Math.min(range.toSeconds, start + (maxPoints - 1) * stepSeconds)]);
  }
  return chunks;
}

/**
 * Steps per chart point: the range is drawn with at most `maxPoints` points, each aggregating
 * whole base-window steps (event-weighted, never an average of ratios).
 */
export function chartBucketSteps(steps: number, maxPoints = 360): number {
  return Math.max(1, Math.ceil(steps / maxPoints));
}

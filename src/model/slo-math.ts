import { formatMinutes } from './duration.js';
import type { AlertWindow, SloModel } from './types.js';

/** Minutes in the Workbook's reference period (30 days). */
export const REFERENCE_PERIOD_MINUTES = 30 * 1440;

/**
 * The SRE Workbook's multiwindow, multi-burn-rate table for a 30d period (ch. 5, Table 5-8 plus
 * the 24h/2h ticket pair of its final rule): windows in minutes and the share of budget spent
 * when each pair fires.
 */
export const WORKBOOK_PAIRS: readonly { tier: 'page' | 'ticket'; longMinutes: number; shortMinutes: number; budgetShare: number }[] = [
  { tier: 'page', longMinutes: 60, shortMinutes: 5, budgetShare: 0.02 },
  { tier: 'page', longMinutes: 360, shortMinutes: 30, budgetShare: 0.05 },
  { tier: 'ticket', longMinutes: 1440, shortMinutes: 120, budgetShare: 0.1 },
  { tier: 'ticket', longMinutes: 4320, shortMinutes: 360, budgetShare: 0.1 },
];

/** Window lengths (minutes) alert windows snap to: readable durations, each a multiple of 5m from 5m up. */
export const WINDOW_LADDER: readonly number[] = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 5760, 10080, 20160];

/** The ladder value nearest to `minutes` on a log scale, among those allowed. */
function snap(minutes: number, allowed: readonly number[]): number {
  let best = allowed[0]!;
  for (const v of allowed) if (Math.abs(Math.log(v / minutes)) < Math.abs(Math.log(best / minutes))) best = v;
  return best;
}

/**
 * The base window: the shortest window, which every other window and the period are multiples
 * of, so that each tiles exactly into recorded base windows. It is the Workbook's 5m scaled to
 * the period and snapped to the ladder among values that divide the period.
 */
export function baseWindowMinutes(periodMinutes: number): number {
  const divisors = WINDOW_LADDER.filter((v) => v <= 1440 && periodMinutes % v === 0);
  return snap((5 * periodMinutes) / REFERENCE_PERIOD_MINUTES, divisors);
}

/**
 * Alert windows for a period. Windows scale with the period (W × P / 30d) and snap to readable
 * durations that are multiples of the base window (so 28d keeps 1h/5m, 6h/30m, 1d/2h, 3d/6h),
 * short < long. The burn-rate factor is then recomputed from the pair's share
 * of budget and its actual long window (factor = share × P / long), so every pair spends exactly
 * the Workbook's share of the budget whatever the period and rounding. Pairs whose error-ratio
 * threshold would be ≥ 1 can never fire and are returned in `dropped`.
 */
export function alertWindowsFor(
  periodMinutes: number,
  errorBudget: number,
  severities: { page: string | false; ticket: string | false },
): { windows: AlertWindow[]; dropped: AlertWindow[] } {
  const base = baseWindowMinutes(periodMinutes);
  const scale = periodMinutes / REFERENCE_PERIOD_MINUTES;
  const windows: AlertWindow[] = [];
  const dropped: AlertWindow[] = [];
  for (const pair of WORKBOOK_PAIRS) {
    const severity = severities[pair.tier];
    if (severity === false) continue;
    const allowed = WINDOW_LADDER.filter((v) => v % base === 0 && v < periodMinutes);
    const shortMinutes = snap(pair.shortMinutes * scale, allowed);
    const longMinutes = snap(
      pair.longMinutes * scale,
      allowed.filter((v) => v > shortMinutes).length ? allowed.filter((v) => v > shortMinutes) : [periodMinutes],
    );
    const factor = (pair.budgetShare * periodMinutes) / longMinutes;
    const threshold = factor * errorBudget;
    const w: AlertWindow = {
      tier: pair.tier,
      severity,
      longMinutes,
      shortMinutes,
      long: formatMinutes(longMinutes),
      short: formatMinutes(shortMinutes),
      budgetShare: pair.budgetShare,
      factor,
      threshold,
    };
    (threshold >= 1 ? dropped : windows).push(w);
  }
  return { windows, dropped };
}

/** Budget share spent when a pair fires: factor × long / period (equals `budgetShare`). */
export function budgetConsumedAtFiring(w: AlertWindow, periodMinutes: number): number {
  return (w.factor * w.longMinutes) / periodMinutes;
}

/**
 * Minutes from the moment the error ratio jumps from 0 to `errorRatio` until the pair fires
 * (Workbook: (budget / e) × long × factor); Infinity when `errorRatio` never crosses the threshold.
 * The short window crosses sooner (it is shorter), so the long window decides.
 */
export function detectionMinutes(w: AlertWindow, errorBudget: number, errorRatio: number): number {
  if (!(errorRatio > w.threshold)) return Infinity;
  const longDetect = (errorBudget / errorRatio) * w.longMinutes * w.factor;
  const shortDetect = (errorBudget / errorRatio) * w.shortMinutes * w.factor;
  return Math.max(longDetect, shortDetect);
}

/**
 * Minutes the pair keeps firing after a bad period at `errorRatio` ends (derived from the
 * Workbook: short × (1 − threshold / e)); the short window clears first and ends the alert.
 */
export function resetMinutes(w: AlertWindow, errorRatio: number): number {
  if (!(errorRatio > w.threshold)) return 0;
  return w.shortMinutes * (1 - w.threshold / errorRatio);
}

/**
 * All windows an SLO records, in minutes, ascending: the base window, every Workbook window of
 * its period (also those of a disabled tier or a dropped pair: they keep each longer window a
 * sum of a few tiles, and dashboards show them), and the period itself.
 */
export function recordedWindows(slo: Pick<SloModel, 'periodMinutes'>): number[] {
  // Windows depend on the period alone (the budget only sorts pairs into windows/dropped, and both
  // are kept), and projects use a handful of periods: each is worked out once.
  let windows = windowsByPeriod.get(slo.periodMinutes);
  if (!windows) {
    const all = alertWindowsFor(slo.periodMinutes, 0.001, { page: 'page', ticket: 'ticket' });
    const set = new Set<number>([baseWindowMinutes(slo.periodMinutes), slo.periodMinutes]);
    for (const w of [...all.windows, ...all.dropped]) {
      set.add(w.longMinutes);
      set.add(w.shortMinutes);
    }
    windows = [...set].sort((x, y) => x - y);
    windowsByPeriod.set(slo.periodMinutes, windows);
  }
  return [...windows];
}

const windowsByPeriod = new Map<number, readonly number[]>();

/**
 * The smallest set of consecutive tiles, each a recorded window, that covers `window` exactly:
 * greedy from the largest recorded window not longer than what is left. Returns tiles with their
 * offsets (minutes back from now), newest first.
 */
export function tileWindow(windowMinutes: number, recorded: readonly number[]): { minutes: number; offset: number }[] {
  const sizes = [...recorded].filter((r) => r < windowMinutes).sort((a, b) => b - a);
  const tiles: { minutes: number; offset: number }[] = [];
  let offset = 0;
  let left = windowMinutes;
  while (left > 0) {
    const size = sizes.find((s) => s <= left);
    if (size === undefined) throw new Error(`cannot tile ${windowMinutes}m with ${recorded.join(',')}`);
    tiles.push({ minutes: size, offset });
    offset += size;
    left -= size;
  }
  return tiles;
}

/** Evaluation interval of SLO rule groups when neither the SLO file nor vigil.config.yaml sets one. */
export const DEFAULT_SLO_EVALUATION_INTERVAL = '1m';

/**
 * Whether rule groups evaluated every `intervalSeconds` keep the tiles exact for this period: every
 * tile boundary is a multiple of the base window back from now, so it falls on an earlier
 * evaluation exactly when the interval divides the base window (Prometheus schedules a group at
 * fixed multiples of its own interval, whatever the global evaluation_interval).
 */
export function intervalKeepsTilesExact(intervalSeconds: number, periodMinutes: number): boolean {
  return Number.isInteger(intervalSeconds) && intervalSeconds > 0 && (baseWindowMinutes(periodMinutes) * 60) % intervalSeconds === 0;
}

import type { AlertWindow, SloModel } from './types.js';

/**
 * The multiwindow burn-rate test, once, as data: a window pair breaches when the burn rate
 * (event-weighted error ratio ÷ error budget) of both its long and its short window is strictly
 * above the pair's factor. Comparing burn rates to the factor is the same test as comparing error
 * ratios to factor × (1 − objective); burn rates are what Prometheus records, so every target
 * (alert rule, AnalysisTemplate, rollback poller) compares those, against one rounded number.
 */
export interface BurnRateBreach {
  /** Prometheus durations of the two windows, e.g. `1h` and `5m`. */
  readonly long: string;
  readonly short: string;
  /** Burn rate (× the budget rate, dimensionless) both windows must strictly exceed; already rounded. */
  readonly burnRateAbove: number;
}

/**
 * Significant digits a threshold keeps: drops float noise (14.400000000000002 → 14.4) yet keeps
 * every digit a period's factor carries (28d: 0.933333333333), so targets agree to the last one.
 */
export const THRESHOLD_SIGNIFICANT_DIGITS = 12;

/** A burn-rate threshold rounded the one way every target uses (idempotent). */
export function roundThreshold(factor: number): number {
  return Number(factor.toPrecision(THRESHOLD_SIGNIFICANT_DIGITS));
}

/** A threshold as PromQL and Argo expr text: the rounded number's shortest decimal form. */
export function formatThreshold(threshold: number): string {
  return String(roundThreshold(threshold));
}

/** The breach condition of one window pair: its windows and its rounded factor. */
export function breachCondition(pair: Pick<AlertWindow, 'long' | 'short' | 'factor'>): BurnRateBreach {
  return { long: pair.long, short: pair.short, burnRateAbove: roundThreshold(pair.factor) };
}

/** The page pairs of an SLO as breach conditions, in table order (what canaries and the poller gate on). */
export function pageBreachConditions(slo: Pick<SloModel, 'windows'>): BurnRateBreach[] {
  return slo.windows.filter((w) => w.tier === 'page').map(breachCondition);
}

/**
 * Whether measured burn rates breach: both strictly above the threshold, as the alert's `>`
 * (a rate equal to it does not breach). NaN never breaches, as in PromQL.
 */
export function breaches(condition: Pick<BurnRateBreach, 'burnRateAbove'>, longBurnRate: number, shortBurnRate: number): boolean {
  return longBurnRate > condition.burnRateAbove && shortBurnRate > condition.burnRateAbove;
}

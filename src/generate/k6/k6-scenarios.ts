import { roundThreshold } from '../../model/burn-rate-breach.js';
import { formatMinutes } from '../../model/duration.js';
import { detectionMinutes } from '../../model/slo-math.js';
import type { SloModel } from '../../model/types.js';
import { parseDurationSeconds } from '../../runtime/duration.js';
import type { K6Target } from './k6-targets.js';

/** A k6 scenario as plain data (the fields @types/k6's Scenario types name). */
export type K6Scenario =
  | { readonly executor: 'constant-vus'; readonly vus: number; readonly duration: string; readonly tags: Readonly<Record<string, string>> }
  | {
      readonly executor: 'constant-arrival-rate';
      readonly rate: number;
      readonly timeUnit: string;
      readonly duration: string;
      readonly preAllocatedVUs: number;
      readonly maxVUs: number;
      readonly tags: Readonly<Record<string, string>>;
    };

/** When one page pair of the drilled SLO fires under the drill. */
export interface DrillPagePair {
  readonly long: string;
  readonly short: string;
  readonly factor: number;
  /** Minutes from the drill's start until the pair fires; undefined when the drill's burn rate is not above the pair's factor. */
  readonly minutes: number | undefined;
}

/** The burn drill of a target: which SLO it burns, how hard, and when the page should come. */
export interface BurnDrillPlan {
  readonly slo: SloModel;
  /** Burn rate asked for (× the budget rate). */
  readonly factor: number;
  /** Share of requests the drill fails: factor × (1 − objective), at most 1. */
  readonly fraction: number;
  /** Burn rate the fraction achieves (below `factor` when the fraction was capped at 1). */
  readonly burnRate: number;
  readonly pages: readonly DrillPagePair[];
  /** Earliest page, minutes; undefined when no page pair fires at this burn rate. */
  readonly timeToPageMinutes: number | undefined;
  /** The scenario's duration (configured, else time to page + 20%, at least 10m; 1h when it never pages). */
  readonly duration: string;
}

/**
 * The burn drill of a target, or undefined when it measures no ratio SLO (failing requests does
 * not make them slow, so latency SLOs are not drilled). The drilled SLO is the configured one,
 * else the ratio SLO with the smallest error budget (the first to page). Time to page per page
 * pair is `vigil explain`'s detection time at the drill's error ratio (detectionMinutes), and a
 * pair whose factor the drill's burn rate only equals never fires: the alert compares with `>`.
 */
export function planBurnDrill(target: K6Target): BurnDrillPlan | undefined {
  const ratio = target.slos.filter((s) => s.indicator.kind === 'ratio');
  const named = target.config.burnDrill.slo?.name;
  const slo = named ? ratio.find((s) => s.name === named) : [...ratio].sort((a, b) => a.errorBudget - b.errorBudget || a.id.localeCompare(b.id))[0];
  if (!slo) return undefined;
  const factor = target.config.burnDrill.factor;
  const fraction = Math.min(1, roundThreshold(factor * slo.errorBudget));
  const burnRate = roundThreshold(fraction / slo.errorBudget);
  const pages = slo.windows
    .filter((w) => w.tier === 'page')
    .map((w) => {
      const fires = burnRate > roundThreshold(w.factor);
      // detectionMinutes wants the error ratio strictly above the pair's threshold; the rounded
      // comparison above decides, so pass the ratio the pair sees at this burn rate.
      const minutes = fires ? detectionMinutes(w, slo.errorBudget, Math.max(fraction, w.threshold * (1 + 1e-12))) : undefined;
      return { long: w.long, short: w.short, factor: roundThreshold(w.factor), minutes: minutes === undefined ? undefined : Math.round(minutes * 100) / 100 };
    });
  const times = pages.flatMap((p) => (p.minutes === undefined ? [] : [p.minutes]));
  const timeToPageMinutes = times.length ? Math.min(...times) : undefined;
  const duration =
    target.config.burnDrill.duration ?? (timeToPageMinutes === undefined ? '1h' : formatMinutes(Math.max(10, Math.ceil((timeToPageMinutes * 1.2) / 5) * 5)));
  return { slo, factor, fraction, burnRate, pages, timeToPageMinutes, duration };
}

/** Iterations per second of the baseline (rate ÷ timeUnit), at least 1. */
function baselinePerSecond(target: K6Target): number {
  const { rate, timeUnit } = target.config.baseline;
  return Math.max(1, Math.round(rate / (parseDurationSeconds(timeUnit) ?? 1)));
}

/**
 * The scenarios of a target's script, by name: `smoke` (constant-vus), `baseline`
 * (constant-arrival-rate from the config) and, with a ratio SLO, `burn-drill`
 * (constant-arrival-rate; the script fails the plan's share of its iterations).
 */
export function k6Scenarios(target: K6Target, drill: BurnDrillPlan | undefined): Record<string, K6Scenario> {
  const { smoke, baseline } = target.config;
  const scenarios: Record<string, K6Scenario> = {
    smoke: { executor: 'constant-vus', vus: smoke.vus, duration: smoke.duration, tags: { vigil_scenario: 'smoke' } },
    baseline: { executor: 'constant-arrival-rate', ...baseline, tags: { vigil_scenario: 'baseline' } },
  };
  if (drill) {
    const rate = target.config.burnDrill.rate ?? baselinePerSecond(target);
    scenarios['burn-drill'] = {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: drill.duration,
      preAllocatedVUs: rate,
      maxVUs: rate * 10,
      tags: { vigil_scenario: 'burn-drill' },
    };
  }
  return scenarios;
}

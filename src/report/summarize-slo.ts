import type { SloModel } from '../model/types.js';
import { chartBucketSteps, type ReportRange } from './report-range.js';
import { AT_RISK_BUDGET_REMAINING, type ChartPoint, type FiringBand, type MemberFigures, type SloReport, type SloStatus } from './report-model.js';

/** One groupBy member's base-window rates at each step (per second; null: no sample at that step). */
export interface MemberHistory {
  readonly labels: Readonly<Record<string, string>>;
  readonly errors: readonly (number | null)[];
  readonly total: readonly (number | null)[];
}

/** What Prometheus holds about one SLO over the range, aligned to `times`. */
export interface SloHistory {
  /** Evaluation times (unix seconds), one base window apart; each sample covers the step before it. */
  readonly times: readonly number[];
  readonly stepSeconds: number;
  /** One entry per groupBy member (a single one with no labels when the SLO is not grouped). */
  readonly members: readonly MemberHistory[];
  /** Per alert severity: whether any of its alerts fired at each step. */
  readonly alerts: readonly { readonly severity: string; readonly firing: readonly boolean[] }[];
  /** Latency SLOs: the objective's percentile at each of its own steps (null: no data). */
  readonly latency?: { readonly stepSeconds: number; readonly points: readonly ChartPoint[] };
}

/**
 * The figures of one SLO from its history (pure). Attainment and budget are ratios of event sums
 * over the steps that have data; steps without data count as missing, never as good.
 */
export function summarizeSlo(slo: SloModel, history: SloHistory, range: ReportRange, severities: { page: string[]; ticket: string[] }): SloReport {
  const { times, stepSeconds } = history;
  const budget = slo.errorBudget;
  // Per step: events summed over members, or null when no member has a sample.
  const stepErrors: (number | null)[] = times.map(() => null);
  const stepTotal: (number | null)[] = times.map(() => null);
  const members: MemberFigures[] = [];
  let errors = 0;
  let total = 0;
  for (const m of history.members) {
    let me = 0;
    let mt = 0;
    times.forEach((_, i) => {
      const t = m.total[i];
      if (t === null || t === undefined || !Number.isFinite(t)) return;
      const e = m.errors[i];
      const te = t * stepSeconds;
      const ee = e !== null && e !== undefined && Number.isFinite(e) ? e * stepSeconds : 0;
      stepTotal[i] = (stepTotal[i] ?? 0) + te;
      stepErrors[i] = (stepErrors[i] ?? 0) + ee;
      me += ee;
      mt += te;
    });
    errors += me;
    total += mt;
    members.push({ labels: m.labels, errors: me, total: mt, errorRatio: mt > 0 ? me / mt : null, budgetSpent: null });
  }
  const covered = stepTotal.filter((t) => t !== null).length;
  const rangeSeconds = range.toSeconds - range.fromSeconds;
  const coverage = { seconds: covered * stepSeconds, rangeSeconds, ratio: rangeSeconds > 0 ? (covered * stepSeconds) / rangeSeconds : 0 };
  const hasTraffic = covered > 0 && total > 0;
  const errorRatio = hasTraffic ? errors / total : null;
  const attainment = errorRatio === null ? null : 1 - errorRatio;
  const errorBudgetRemaining = errorRatio === null ? null : 1 - errorRatio / budget;
  const status: SloStatus =
    covered === 0
      ? 'no-data'
      : !hasTraffic
        ? 'no-traffic'
        : errorBudgetRemaining! < 0
          ? 'breached'
          : errorBudgetRemaining! < AT_RISK_BUDGET_REMAINING
            ? 'at-risk'
            : 'met';
  const worstMembers =
    slo.groupBy.length === 0
      ? []
      : members
          .map((m) => ({ ...m, budgetSpent: hasTraffic ? m.errors / (budget * total) : null }))
          .sort((a, b) => b.errors - a.errors || memberKey(a.labels).localeCompare(memberKey(b.labels)))
          .slice(0, 10);
  const bands = firingBands(history, severities);
  const seconds = (tier: string[]) => firingSteps(history, tier) * stepSeconds;
  const sla = slo.sla
    ? { text: slo.sla.text, objectivePercent: slo.sla.objectivePercent, met: attainment === null ? null : attainment * 100 >= slo.sla.objectivePercent - 1e-9 }
    : null;
  const latency =
    slo.indicator.kind === 'latency' && history.latency
      ? latencyFigures(slo.objective, slo.indicator.threshold, history.latency)
      : slo.indicator.kind === 'latency'
        ? {
            quantile: slo.objective,
            thresholdSeconds: slo.indicator.threshold,
            stepSeconds: 0,
            points: [],
            max: null,
            pointsWithData: 0,
            pointsAboveThreshold: 0,
          }
        : null;
  return {
    id: slo.id,
    service: slo.service,
    name: slo.name,
    description: slo.description,
    indicator: slo.indicator.kind,
    objectivePercent: slo.objectivePercent,
    period: slo.period,
    groupBy: slo.groupBy,
    sla,
    coverage,
    events: slo.indicator.kind === 'raw' || covered === 0 ? null : { errors, total },
    attainment,
    errorBudgetRemaining,
    status,
    alerts: { pageSeconds: seconds(severities.page), ticketSeconds: seconds(severities.ticket), bands },
    worstMembers,
    charts: charts(times, stepSeconds, stepErrors, stepTotal, budget, total),
    latency,
  };
}

function memberKey(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Steps at which any alert of the tier fired. */
function firingSteps(history: SloHistory, tier: string[]): number {
  const of = history.alerts.filter((a) => tier.includes(a.severity));
  return history.times.filter((_, i) => of.some((a) => a.firing[i])).length;
}

/** Contiguous firing stretches per severity; a step firing at t covers (t − step, t]. */
export function firingBands(history: SloHistory, severities: { page: string[]; ticket: string[] }): FiringBand[] {
  const bands: FiringBand[] = [];
  const order = (s: string) => (severities.page.includes(s) ? 0 : severities.ticket.includes(s) ? 1 : 2);
  const alerts = [...history.alerts].sort((a, b) => order(a.severity) - order(b.severity) || a.severity.localeCompare(b.severity));
  for (const a of alerts) {
    const tier = (['page', 'ticket', 'other'] as const)[order(a.severity)];
    let start: number | undefined;
    history.times.forEach((t, i) => {
      if (a.firing[i] && start === undefined) start = t - history.stepSeconds;
      if (!a.firing[i] && start !== undefined) {
        bands.push({ severity: a.severity, tier, fromSeconds: start, toSeconds: history.times[i - 1]! });
        start = undefined;
      }
    });
    if (start !== undefined) bands.push({ severity: a.severity, tier, fromSeconds: start, toSeconds: history.times[history.times.length - 1]! });
  }
  return bands;
}

/**
 * Chart series: the burn rate within each bucket (its errors / its events / budget) and the budget
 * remaining at each bucket's end, counting the errors so far against the budget of all the
 * range's events (so the line ends at the period's figure).
 */
function charts(
  times: readonly number[],
  stepSeconds: number,
  stepErrors: readonly (number | null)[],
  stepTotal: readonly (number | null)[],
  budget: number,
  total: number,
): SloReport['charts'] {
  const per = chartBucketSteps(times.length);
  const burnRate: ChartPoint[] = [];
  const budgetRemaining: ChartPoint[] = [];
  let spent = 0;
  for (let i = 0; i < times.length; i += per) {
    const end = Math.min(times.length, i + per);
    let e = 0;
    let n = 0;
    let seen = false;
    for (let j = i; j < end; j++) {
      if (stepTotal[j] === null) continue;
      seen = true;
      e += stepErrors[j]!;
      n += stepTotal[j]!;
    }
    spent += e;
    const t = times[end - 1]!;
    burnRate.push([t, seen && n > 0 ? chartValue(e / n / budget) : null]);
    budgetRemaining.push([t, total > 0 && seen ? chartValue(1 - spent / (budget * total)) : null]);
  }
  return { bucketSeconds: per * stepSeconds, budgetRemaining, burnRate };
}

/** Chart values keep 6 significant digits: a chart is not read to the 15th digit, and report.json stays small. */
function chartValue(v: number): number {
  return Number(v.toPrecision(6));
}

function latencyFigures(quantile: number, thresholdSeconds: number, h: NonNullable<SloHistory['latency']>): NonNullable<SloReport['latency']> {
  const values = h.points.map((p) => p[1]).filter((v): v is number => v !== null);
  return {
    quantile,
    thresholdSeconds,
    stepSeconds: h.stepSeconds,
    points: h.points,
    max: values.length ? Math.max(...values) : null,
    pointsWithData: values.length,
    pointsAboveThreshold: values.filter((v) => v > thresholdSeconds).length,
  };
}

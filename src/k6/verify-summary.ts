import { k6SlowMetric } from '../conventions.js';
import { k6Measurements, subMetricKey, type K6Target } from '../generate/k6/k6-targets.js';
import type { K6Summary } from './read-summary.js';

/** One SLO group's verdict from a k6 summary. */
export interface SloVerdict {
  readonly slo: string;
  /** The group's tags (`{}` for an ungrouped SLO). */
  readonly group: Readonly<Record<string, string>>;
  readonly kind: 'errors' | 'latency';
  /** `pass`, `fail`, or `not-measured` (a metric missing, null or NaN: a failure too). */
  readonly status: 'pass' | 'fail' | 'not-measured';
  /** The bad-event ratio measured: failed requests, or requests slower than the threshold. */
  readonly badRatio: number | null;
  /** Latency SLOs: the objective percentile in ms and its statistic (`p(95)`). */
  readonly percentile: { readonly stat: string; readonly ms: number | null; readonly limitMs: number } | null;
  readonly errorBudget: number;
  /** badRatio ÷ error budget: 1 spends exactly the budget over the period. */
  readonly burnRate: number | null;
  /** Share of the period's whole error budget one hour at this ratio spends: burnRate ÷ period hours. */
  readonly budgetPerHour: number | null;
  /** Hours until the whole budget is gone at this rate (period ÷ burnRate); null at zero burn. */
  readonly hoursToExhaust: number | null;
  readonly reasons: readonly string[];
}

/** Verdicts of every SLO group of a target, in SLO then group order. */
export interface VerifyResult {
  readonly service: string;
  readonly ok: boolean;
  readonly verdicts: readonly SloVerdict[];
}

/**
 * Judges a k6 summary against a service's SLOs, using the measurements the generated script
 * records (k6Measurements): per SLO group the failed-request ratio (`http_req_failed`) or the
 * objective percentile of `http_req_duration` and the slow-request ratio (`vigil_slow_<slo>`).
 * Pass: bad ratio ≤ error budget, percentile ≤ threshold. A measurement that is missing, null or
 * NaN is `not-measured`, which fails. A latency SLO without its slow-request metric (a summary from
 * another script) is judged by its percentile alone and has no burn rate.
 */
export function verifySummary(target: K6Target, summary: K6Summary): VerifyResult {
  const verdicts: SloVerdict[] = [];
  const measurements = k6Measurements(target);
  const groups = new Map<string, typeof measurements>();
  for (const m of measurements) {
    const id = `${m.slo.id}\u0000${JSON.stringify(m.tags)}`;
    groups.set(id, [...(groups.get(id) ?? []), m]);
  }
  for (const list of groups.values()) {
    const { slo, tags } = list[0]!;
    const reasons: string[] = [];
    const read = (metric: string, stat: string): number | null => {
      const key = subMetricKey(metric, tags);
      const found = summary.metrics.get(key);
      if (!found) {
        reasons.push(`${key} is not in the summary`);
        return null;
      }
      const v = found.values[stat];
      if (v === undefined || Number.isNaN(v)) {
        reasons.push(`${key} ${stat} is ${v === undefined ? 'missing' : 'NaN or null'}`);
        return null;
      }
      return v;
    };
    let badRatio: number | null = null;
    let percentile: SloVerdict['percentile'] = null;
    let status: SloVerdict['status'] = 'pass';
    if (slo.indicator.kind === 'ratio') {
      const m = list.find((x) => x.kind === 'errors')!;
      badRatio = read(m.metric, 'rate');
      if (badRatio === null) status = 'not-measured';
      else if (badRatio > m.limit) {
        status = 'fail';
        reasons.push(`error ratio ${fmtPct(badRatio)} is above the budget ${fmtPct(m.limit)}`);
      }
    } else {
      const lat = list.find((x) => x.kind === 'latency')!;
      const ms = read(lat.metric, lat.stat);
      percentile = { stat: lat.stat, ms, limitMs: lat.limit };
      const slowKey = subMetricKey(k6SlowMetric(slo.id), tags);
      if (summary.metrics.has(slowKey)) badRatio = read(k6SlowMetric(slo.id), 'rate');
      if (ms === null || (summary.metrics.has(slowKey) && badRatio === null)) status = 'not-measured';
      else {
        if (ms > lat.limit) reasons.push(`${lat.stat} ${round(ms)} ms is above ${lat.limit} ms`);
        const budget = list.find((x) => x.kind === 'slow')!.limit;
        if (badRatio !== null && badRatio > budget)
          reasons.push(`${fmtPct(badRatio)} of requests slower than ${lat.limit} ms, above the budget ${fmtPct(budget)}`);
        if (reasons.length > 0) status = 'fail';
      }
    }
    const periodHours = slo.periodMinutes / 60;
    const burnRate = badRatio === null ? null : badRatio / slo.errorBudget;
    verdicts.push({
      slo: slo.id,
      group: tags,
      kind: slo.indicator.kind === 'ratio' ? 'errors' : 'latency',
      status,
      badRatio,
      percentile,
      errorBudget: slo.errorBudget,
      burnRate: burnRate === null ? null : round(burnRate),
      budgetPerHour: burnRate === null ? null : round(burnRate / periodHours),
      hoursToExhaust: burnRate === null || burnRate === 0 ? null : round(periodHours / burnRate),
      reasons,
    });
  }
  return { service: target.service, ok: verdicts.every((v) => v.status === 'pass'), verdicts };
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

export function fmtPct(x: number): string {
  return `${Number((x * 100).toPrecision(4))}%`;
}

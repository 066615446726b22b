import type { AlertWindow, SloModel } from '../../model/types.js';
import { matcherMatches, type VectorSelector } from '../../query/promql.js';
import { seriesLabels } from '../prometheus/slo-rules.js';
import type { SynthSeries } from './synthetic-series.js';

/** One burn-rate alert an SLO's rules will raise for one group, and the minutes it is active. */
export interface PredictedAlert {
  readonly slo: SloModel;
  readonly window: AlertWindow;
  /** Alert labels without alertname: series labels, group labels, rule labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** active[t]: both windows above the threshold at minute t (event-weighted ratios). */
  readonly active: readonly boolean[];
}

/** The labels (without alertname) of one burn-rate alert of `slo` for one group. */
export function alertLabelsFor(slo: SloModel, w: AlertWindow, group: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ...seriesLabels(slo),
    ...group,
    slo: slo.id,
    service: slo.service,
    severity: w.severity,
    long_window: w.long,
    short_window: w.short,
    ...slo.alertLabels,
  };
}

function matches(sel: VectorSelector, s: SynthSeries): boolean {
  return s.metric === sel.metric && sel.matchers.every((m) => matcherMatches(m, s.labels[m.name]));
}

/** Per-minute bad and total events of one SLO, per group, from the synthetic inputs. */
function eventsByGroup(
  slo: SloModel,
  series: readonly SynthSeries[],
  minutes: number,
): Map<string, { labels: Record<string, string>; bad: number[]; total: number[] }> {
  const groups = new Map<string, { labels: Record<string, string>; bad: number[]; total: number[] }>();
  const groupOf = (s: SynthSeries) => {
    const labels: Record<string, string> = {};
    for (const g of slo.groupBy) if (s.labels[g] !== undefined && s.labels[g] !== '') labels[g] = s.labels[g]!;
    const key = JSON.stringify(labels);
    let entry = groups.get(key);
    if (!entry) {
      entry = { labels, bad: new Array<number>(minutes).fill(0), total: new Array<number>(minutes).fill(0) };
      groups.set(key, entry);
    }
    return entry;
  };
  const ind = slo.indicator;
  for (const s of series) {
    const add = (arr: number[], f: (v: number) => number) => s.perMinute.forEach((v, m) => (arr[m]! += f(v)));
    if (ind.kind === 'ratio') {
      if (matches(ind.total, s)) add(groupOf(s).total, (v) => v);
      if (ind.errors && matches(ind.errors, s)) add(groupOf(s).bad, (v) => v);
      if (ind.good && matches(ind.good, s)) add(groupOf(s).bad, (v) => -v);
    } else if (ind.kind === 'latency') {
      const count = { metric: `${ind.histogram.metric}_count`, matchers: ind.histogram.matchers };
      const bucket = { metric: `${ind.histogram.metric}_bucket`, matchers: ind.histogram.matchers };
      if (matches(count, s)) add(groupOf(s).total, (v) => v);
      if (matches(bucket, s) && ind.leValues.includes(s.labels.le ?? '')) add(groupOf(s).bad, (v) => -v);
    } else if (ind.kind === 'boolGauge') {
      if (matches(ind.gauge, s)) {
        const g = groupOf(s);
        add(g.total, (v) => (Number.isNaN(v) ? 0 : 1));
        add(g.bad, (v) => (v === 0 ? 1 : 0));
      }
    }
  }
  // good-based forms recorded bad as -good so far: bad = total - good.
  if ((ind.kind === 'ratio' && ind.good) || ind.kind === 'latency') {
    for (const g of groups.values()) g.bad = g.bad.map((b, m) => Math.max(0, g.total[m]! + b));
  }
  return groups;
}

/**
 * Predicts, minute by minute, which burn-rate alerts of `slos` fire on the synthetic inputs:
 * the error ratio of a window is bad / total events inside it (0 without traffic), as the
 * recorded rules compute it. Raw indicators cannot be simulated and are skipped: callers leave
 * out scenarios whose series a raw SLO reads.
 */
export function predictAlerts(slos: readonly SloModel[], series: readonly SynthSeries[], minutes: number): { alerts: PredictedAlert[] } {
  const alerts: PredictedAlert[] = [];
  for (const slo of slos) {
    if (slo.indicator.kind === 'raw') continue;
    const gauge = slo.indicator.kind === 'boolGauge';
    for (const g of eventsByGroup(slo, series, minutes).values()) {
      const prefix = (arr: number[]) => {
        const p = [0];
        for (const v of arr) p.push(p[p.length - 1]! + v);
        return p;
      };
      const pb = prefix(g.bad);
      const pt = prefix(g.total);
      // Counter increments of minute m land at sample m+1; gauge samples count at their minute.
      const ratio = (t: number, w: number) => {
        const hi = gauge ? t + 1 : t;
        const lo = Math.max(0, hi - w);
        const total = pt[hi]! - pt[lo]!;
        return total > 0 ? (pb[hi]! - pb[lo]!) / total : 0;
      };
      for (const w of slo.windows) {
        const active = Array.from({ length: minutes }, (_, t) => ratio(t, w.longMinutes) > w.threshold && ratio(t, w.shortMinutes) > w.threshold);
        alerts.push({ slo, window: w, labels: alertLabelsFor(slo, w, g.labels), active });
      }
    }
  }
  return { alerts };
}

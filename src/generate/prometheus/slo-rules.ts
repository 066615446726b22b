import {
  LABEL_LONG_WINDOW,
  LABEL_SERVICE,
  LABEL_SEVERITY,
  LABEL_SHORT_WINDOW,
  LABEL_SLO,
  sloDashboardUrl,
  DEFAULT_SLO_RUNBOOK_FILE,
  SLO_FIGURE_ANNOTATIONS,
  sloRuleGroupName,
  sloSeries,
} from '../../conventions.js';
import { formatMinutes } from '../../model/duration.js';
import { breachCondition, formatThreshold, type BurnRateBreach } from '../../model/burn-rate-breach.js';
import { leRegex } from '../../model/le-values.js';
import { DEFAULT_SLO_EVALUATION_INTERVAL, recordedWindows, tileWindow } from '../../model/slo-math.js';
import type { AlertWindow, SloModel } from '../../model/types.js';
import { formatSelector, type VectorSelector } from '../../query/promql.js';
import type { AlertingRule, RecordingRule, RuleGroup } from '../../model/rule-group.js';
import { generateSliHealthRules } from './sli-health.js';

/** Default runbook when a spec names none: the generic burn-rate runbook of this repo. */
export const DEFAULT_SLO_RUNBOOK = `docs/runbooks/${DEFAULT_SLO_RUNBOOK_FILE}`;

/**
 * The rule group of one SLO (pure). Cost design (DESIGN B3): only the base-window rules read raw
 * series; every longer window is the sum of consecutive, non-overlapping tiles of shorter recorded
 * windows read at offsets from now (`x offset 1h`), so a window costs a handful of samples however
 * many raw series sit below, and the tiles cover the window exactly (no edge overlap, no lag beyond
 * one evaluation). Ratios are ratios of sums (event-weighted), never averages of ratios. The group
 * sets its own `interval` (the SLO file's, else `defaultInterval`), which divides the base window:
 * every tile boundary then falls on an earlier evaluation whatever the global evaluation_interval.
 */
export function generateSloRuleGroup(slo: SloModel, defaultInterval: string = DEFAULT_SLO_EVALUATION_INTERVAL): RuleGroup {
  const labels = seriesLabels(slo);
  // Derived rules keep their inputs' labels; the slo label alone keeps each rule distinct for promtool's duplicate-rule lint.
  const idLabel = { [LABEL_SLO]: slo.id };
  const windows = recordedWindows(slo);
  const base = windows[0]!;
  const rules: (RecordingRule | AlertingRule)[] = [];
  const sel = (name: string) => `${name}{${LABEL_SLO}=${JSON.stringify(slo.id)}}`;

  if (slo.indicator.kind === 'raw') {
    for (const w of windows) {
      const expr = slo.indicator.errorRatio.replaceAll('{{window}}', formatMinutes(w));
      // `>= 0` drops NaN (zero traffic) while keeping every real value.
      rules.push({ record: sloSeries.errorRatio(formatMinutes(w)), expr: `(${expr}) >= 0`, labels });
    }
  } else {
    // Total first: rules of a group run in order at one timestamp, so the errors rule reads the
    // total just recorded instead of every raw total series again (its zero fallback and the
    // good/latency difference).
    const { errors, total } = baseExpressions(slo, base, sel(sloSeries.total(formatMinutes(base))));
    rules.push({ record: sloSeries.total(formatMinutes(base)), expr: total, labels });
    rules.push({ record: sloSeries.errors(formatMinutes(base)), expr: errors, labels });
    const done: number[] = [base];
    for (const w of windows.slice(1)) {
      const tiles = tileWindow(w, done);
      for (const series of [sloSeries.errors, sloSeries.total]) {
        rules.push({ record: series(formatMinutes(w)), expr: tiledRate(tiles, w, (m) => sel(series(formatMinutes(m)))), labels: idLabel });
      }
      done.push(w);
    }
    for (const w of windows) {
      const e = sel(sloSeries.errors(formatMinutes(w)));
      const t = sel(sloSeries.total(formatMinutes(w)));
      // No traffic: the division has no element and `or` yields 0, never NaN.
      rules.push({ record: sloSeries.errorRatio(formatMinutes(w)), expr: `(${e} / (${t} > 0)) or (0 * ${t})`, labels: idLabel });
    }
  }
  const budget = num(slo.errorBudget);
  for (const w of windows) {
    rules.push({ record: sloSeries.burnRate(formatMinutes(w)), expr: `${sel(sloSeries.errorRatio(formatMinutes(w)))} / ${budget}`, labels: idLabel });
  }
  rules.push({ record: sloSeries.objective, expr: `vector(${num(slo.objective)})`, labels });
  rules.push({ record: sloSeries.errorBudget, expr: `vector(${budget})`, labels });
  rules.push({ record: sloSeries.periodSeconds, expr: `vector(${slo.periodMinutes * 60})`, labels });
  rules.push({
    record: sloSeries.errorBudgetRemaining,
    expr: `1 - ${sel(sloSeries.errorRatio(formatMinutes(slo.periodMinutes)))} / ${budget}`,
    labels: idLabel,
  });
  for (const w of slo.windows) rules.push(burnRateAlert(slo, w, sel));
  rules.push(...generateSliHealthRules(slo));
  return { name: sloRuleGroupName(slo.id), interval: slo.evaluationInterval ?? defaultInterval, rules };
}

/** Labels every recorded series of the SLO carries (besides its groupBy labels). */
export function seriesLabels(slo: SloModel): Record<string, string> {
  return { [LABEL_SLO]: slo.id, [LABEL_SERVICE]: slo.service, ...slo.labels };
}

function burnRateAlert(slo: SloModel, w: AlertWindow, sel: (name: string) => string): AlertingRule {
  return {
    alert: slo.alertName,
    expr: breachExpr(breachCondition(w), sel),
    labels: {
      [LABEL_SLO]: slo.id,
      [LABEL_SERVICE]: slo.service,
      [LABEL_SEVERITY]: w.severity,
      [LABEL_LONG_WINDOW]: w.long,
      [LABEL_SHORT_WINDOW]: w.short,
      ...slo.alertLabels,
    },
    annotations: alertAnnotations(slo, w),
  };
}

/** A breach condition as an alert expr: both windows' recorded burn rates strictly above the threshold. */
export function breachExpr(c: BurnRateBreach, sel: (name: string) => string): string {
  const t = formatThreshold(c.burnRateAbove);
  return `${sel(sloSeries.burnRate(c.long))} > ${t} and ${sel(sloSeries.burnRate(c.short))} > ${t}`;
}

/** The annotations of one burn-rate alert (static text: exact in promtool tests). */
export function alertAnnotations(slo: SloModel, w: AlertWindow): Record<string, string> {
  const pct = (x: number) => `${num(x * 100)}%`;
  const per = slo.groupBy.length > 0 ? ` (per ${slo.groupBy.join(', ')})` : '';
  return {
    summary: `${slo.id}: error budget burning ${num(round(w.factor, 3))}x over ${w.long} and ${w.short}${per}`,
    description:
      `${slo.service} ${slo.name} (objective ${slo.objectivePercent}% over ${slo.period}) has an error ratio above ` +
      `${pct(round(w.threshold, 6))} over both the last ${w.long} and ${w.short}. At this rate ${pct(w.budgetShare)} of the ` +
      `${slo.period} error budget is spent in ${w.long}.` +
      (slo.description ? ` SLO: ${slo.description}` : ''),
    runbook_url: slo.runbook ?? DEFAULT_SLO_RUNBOOK,
    dashboard_url: slo.dashboardUrl ?? sloDashboardUrl(slo.service, slo.id),
    [SLO_FIGURE_ANNOTATIONS.objective]: `${slo.objectivePercent}% over ${slo.period}`,
    [SLO_FIGURE_ANNOTATIONS.burnRateThreshold]: `${num(round(w.factor, 3))}x`,
    [SLO_FIGURE_ANNOTATIONS.errorRatioThreshold]: pct(round(w.threshold, 6)),
    [SLO_FIGURE_ANNOTATIONS.budgetConsumed]: pct(w.budgetShare),
  };
}

function baseExpressions(slo: SloModel, baseMinutes: number, recordedTotal: string): { errors: string; total: string } {
  const bw = formatMinutes(baseMinutes);
  const by = slo.groupBy.length > 0 ? `sum by (${slo.groupBy.join(', ')}) ` : 'sum ';
  const seconds = baseMinutes * 60;
  // Per-second increase over exactly the base window, as the difference of the newest sample and
  // the one a base window earlier. Unlike rate(), which extrapolates the part of its range before
  // its first sample, consecutive tiles then meet at a shared sample and add up to the exact
  // counter increase (BENCHMARKS.md, slo-rules). A negative difference is a counter reset inside
  // the tile: the increase up to the reset (the highest sample of the tile, never below the
  // sample a base window ago) plus the value counted since the reset, as increase() counts it;
  // exact for one reset per tile and series (README, "Rules and their cost", gives the residual
  // error). A series that did not exist a base window ago has no difference and counts nothing
  // (no burst of its whole history).
  const increase = (sel: string) => `((${sel} - ${sel} offset ${bw}) >= 0 or (clamp_min(max_over_time(${sel}[${bw}]) - ${sel} offset ${bw}, 0) + ${sel}))`;
  const rate = (s: VectorSelector, extra: Parameters<typeof formatSelector>[1] = []) => `${by}(${increase(formatSelector(s, extra))}) / ${seconds}`;
  // The recorded total carries the SLO's own labels besides the groupBy ones, the raw sums only
  // the groupBy ones: match on those (on() when there are none: at most one element each side).
  const on = `on(${slo.groupBy.join(', ')})`;
  const zeroTotal = `${on} (0 * ${recordedTotal})`;
  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio': {
      const total = rate(ind.total);
      if (ind.errors) return { total, errors: `(${rate(ind.errors)}) or ${zeroTotal}` };
      // good may be absent while total is not: then nothing was good.
      return { total, errors: `clamp_min(${recordedTotal} - ${on} ((${rate(ind.good!)}) or ${zeroTotal}), 0)` };
    }
    case 'latency': {
      const count = { metric: `${ind.histogram.metric}_count`, matchers: ind.histogram.matchers };
      const bucket = { metric: `${ind.histogram.metric}_bucket`, matchers: ind.histogram.matchers };
      const total = rate(count);
      const fast = rate(bucket, [{ name: 'le', op: '=~', value: leRegex(ind.leValues) }]);
      return { total, errors: `clamp_min(${recordedTotal} - ${on} ((${fast}) or ${zeroTotal}), 0)` };
    }
    case 'boolGauge': {
      const samples = `${by}(count_over_time(${formatSelector(ind.gauge)}[${bw}]))`;
      const up = `${by}(sum_over_time(${formatSelector(ind.gauge)}[${bw}]))`;
      return { total: `${samples} / ${seconds}`, errors: `clamp_min(${samples} - ${up}, 0) / ${seconds}` };
    }
    case 'raw':
      throw new Error('raw indicators have no base expressions');
  }
}

/** Σ tile rate × tile length / window length; missing history counts as no traffic. */
function tiledRate(tiles: readonly { minutes: number; offset: number }[], windowMinutes: number, seriesFor: (m: number) => string): string {
  const uniform = tiles.every((t) => t.minutes === tiles[0]!.minutes);
  const terms = tiles.map((t) => {
    const s = seriesFor(t.minutes);
    const term = t.offset === 0 ? s : `(${s} offset ${formatMinutes(t.offset)} or 0 * ${s})`;
    return uniform ? term : `${term} * ${t.minutes}`;
  });
  if (uniform) return terms.length === 1 ? terms[0]! : `(${terms.join(' + ')}) / ${tiles.length}`;
  return `(${terms.join(' + ')}) / ${windowMinutes}`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A number as PromQL/YAML text without float noise (0.014400000000000001 → 0.0144). */
export function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

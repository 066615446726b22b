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
import { formatSelector, type LabelMatcher, type VectorSelector } from '../../query/promql.js';
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
    // Rules of a group run in order at one timestamp: each base rule reads the ones recorded
    // before it (rise before its tile, total before errors) instead of the raw series again.
    for (const r of baseRules(slo, base, sel)) rules.push({ record: r.record, expr: r.expr, labels });
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

/**
 * A recorded rule of the base window. Each carries the SLO's own labels: a tile's `or on(...)`
 * joins series with only the `on` labels to recorded ones with all of them, and the rule's labels
 * make both the same.
 */
interface BaseRule {
  readonly record: string;
  readonly expr: string;
}

/** Label the shared read sets (to MATCH_FLAG_VALUE) on the series an extra matcher selects (1-based). */
const MATCH_FLAG_PREFIX = 'vigil_match_';
/**
 * The flag's value: a word, not "1", so that an SLO whose own label value is "1" still has the rule
 * shape of one whose value is "2" (`vigil test` proves each shape once; it renames own values).
 */
const MATCH_FLAG_VALUE = 'matched';

/**
 * The matchers `part` adds to `total` when both select the same metric and every matcher of the
 * total is one of the part's: the part is then the total's series that these select, and one raw
 * read serves both. Undefined when the part is not such a subset (another metric, or a total
 * matcher the part lacks).
 */
export function extraMatchers(total: VectorSelector, part: VectorSelector): readonly LabelMatcher[] | undefined {
  if (total.metric !== part.metric) return undefined;
  const key = (m: LabelMatcher) => `${m.name}\u0000${m.op}\u0000${m.value}`;
  const partKeys = new Set(part.matchers.map(key));
  if (!total.matchers.every((m) => partKeys.has(key(m)))) return undefined;
  const totalKeys = new Set(total.matchers.map(key));
  const extra = part.matchers.filter((m) => !totalKeys.has(key(m)));
  return extra.some((m) => m.name === '__name__') ? undefined : extra;
}

/** RE2 text matching exactly `value` (label_replace anchors its regex like a `=~` matcher). */
function literalRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/**
 * The base-window rules: the only rules that read raw series. Per raw selector two reads, no more
 * (each raw selector costs a postings lookup and a chunk seek per series, whatever it returns; a
 * vector-to-vector operator costs a label match per series):
 *
 * - rise: Σ clamp_min(highest sample of the tile − the sample a base window ago, 0). Without a
 *   reset this is the newest sample minus the one a base window ago (a counter's highest sample is
 *   its newest): the exact increase, tiles meeting at a shared sample (unlike rate(), which
 *   extrapolates). With a reset inside the tile it is the increase up to the reset.
 * - resets: Σ of the newest sample over the series whose newest sample is below the one a base
 *   window ago (`x < x offset 5m` keeps x): the value counted since the reset, as increase() counts
 *   it. Empty unless a counter restarted, so it is added with `or` (a missing group counts 0).
 *
 * Exact for one reset per tile and series after which the counter stays below its value a base
 * window ago (README, "Rules and their cost", gives the residual error). A series that did not exist a base window ago has no earlier sample and counts nothing
 * (no burst of its whole history). When the errors (or good) selector is the total's metric with
 * extra matchers, one read of the total serves both: the sums are split by a `vigil_match_N` label
 * (label_replace of the extra matchers' labels after a first sum, so a few series carry it) and
 * the errors are the split whose labels say every extra matcher holds. `sel` selects one of the
 * SLO's recorded series (its slo label), as every other rule of the group does.
 */
function baseRules(slo: SloModel, baseMinutes: number, sel: (name: string) => string): BaseRule[] {
  const bw = formatMinutes(baseMinutes);
  const seconds = baseMinutes * 60;
  const g = slo.groupBy;
  const sumBy = (labels: readonly string[]) => (labels.length > 0 ? `sum by (${labels.join(', ')}) ` : 'sum ');
  const onG = `on(${g.join(', ')})`;
  const totalSeries = sloSeries.total(bw);
  const zeroTotal = `${onG} (0 * ${sel(totalSeries)})`;

  /** Rise rule and reset expression of one raw read, summed by `keep` (after an optional split). */
  const read = (s: string, keep: readonly string[], split: (inner: string) => string = (e) => e) => ({
    rise: `${sumBy(keep)}(${split(`clamp_min(max_over_time(${s}[${bw}]) - ${s} offset ${bw}, 0)`)}) / ${seconds}`,
    resets: `${sumBy(keep)}(${split(`${s} < ${s} offset ${bw}`)}) / ${seconds}`,
  });
  /** The tile of one read: rise plus resets where a counter restarted. */
  const tile = (riseSeries: string, resets: string, keep: readonly string[]) => {
    const on = `on(${keep.join(', ')})`;
    return `(${sel(riseSeries)} + ${on} (${resets})) or ${on} ${sel(riseSeries)}`;
  };
  /** Rules of a read recorded on its own: its rise series, and its tile as an expression. */
  const own = (part: 'total' | 'errors' | 'good', s: VectorSelector, extra: readonly LabelMatcher[] = []) => {
    const r = read(formatSelector(s, extra), g);
    const rise = sloSeries.rise(part, bw);
    return { rule: { record: rise, expr: r.rise }, tile: tile(rise, r.resets, g) };
  };

  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio': {
      const part = ind.errors ?? ind.good!;
      const extra = extraMatchers(ind.total, part);
      if (extra) {
        const flags = extra.map((_, i) => `${MATCH_FLAG_PREFIX}${i + 1}`);
        const keep = [...g, ...flags];
        const inner = [...new Set([...g, ...extra.map((m) => m.name)])];
        const split = (e: string) =>
          extra.reduce(
            (acc, m, i) =>
              `label_replace(${acc}, "${flags[i]}", "${MATCH_FLAG_VALUE}", "${m.name}", ${JSON.stringify(m.op.endsWith('~') ? m.value : literalRegex(m.value))})`,
            `${sumBy(inner)}(${e})`,
          );
        const r = read(formatSelector(ind.total), keep, split);
        const rise = sloSeries.rise('events', bw);
        // The part: every flag of a positive matcher set, every flag of a negative one absent.
        const partSel = `${sloSeries.events(bw)}{${[`${LABEL_SLO}=${JSON.stringify(slo.id)}`, ...extra.map((m, i) => `${flags[i]}="${m.op.startsWith('!') ? '' : MATCH_FLAG_VALUE}"`)].join(', ')}}`;
        const partSum = `${sumBy(g)}(${partSel})`;
        return [
          { record: rise, expr: r.rise },
          { record: sloSeries.events(bw), expr: tile(rise, r.resets, keep) },
          { record: totalSeries, expr: `${sumBy(g)}(${sel(sloSeries.events(bw))})` },
          ind.errors
            ? { record: sloSeries.errors(bw), expr: `${partSum} or ${zeroTotal}` }
            : { record: sloSeries.errors(bw), expr: `clamp_min(${sel(totalSeries)} - ${onG} (${partSum} or ${zeroTotal}), 0)` },
        ];
      }
      const total = own('total', ind.total);
      const other = own(ind.errors ? 'errors' : 'good', part);
      // good may be absent while total is not: then nothing was good.
      const errors = ind.errors ? `(${other.tile}) or ${zeroTotal}` : `clamp_min(${sel(totalSeries)} - ${onG} ((${other.tile}) or ${zeroTotal}), 0)`;
      return [total.rule, { record: totalSeries, expr: total.tile }, other.rule, { record: sloSeries.errors(bw), expr: errors }];
    }
    case 'latency': {
      const total = own('total', { metric: `${ind.histogram.metric}_count`, matchers: ind.histogram.matchers });
      const fast = own('good', { metric: `${ind.histogram.metric}_bucket`, matchers: ind.histogram.matchers }, [
        { name: 'le', op: '=~', value: leRegex(ind.leValues) },
      ]);
      return [
        total.rule,
        { record: totalSeries, expr: total.tile },
        fast.rule,
        { record: sloSeries.errors(bw), expr: `clamp_min(${sel(totalSeries)} - ${onG} ((${fast.tile}) or ${zeroTotal}), 0)` },
      ];
    }
    case 'boolGauge': {
      const samples = `${sumBy(g)}(count_over_time(${formatSelector(ind.gauge)}[${bw}]))`;
      const up = `${sumBy(g)}(sum_over_time(${formatSelector(ind.gauge)}[${bw}]))`;
      return [
        { record: totalSeries, expr: `${samples} / ${seconds}` },
        { record: sloSeries.errors(bw), expr: `clamp_min(${samples} - ${up}, 0) / ${seconds}` },
      ];
    }
    case 'raw':
      throw new Error('raw indicators have no base rules');
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

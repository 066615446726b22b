import {
  LABEL_REASON,
  LABEL_SERVICE,
  LABEL_SEVERITY,
  LABEL_SLO,
  SLI_HEALTH_ALERT_NAME,
  SLI_HEALTH_RUNBOOK_FILE,
  sliHealthReasons,
  sloDashboardUrl,
  sloSeries,
} from '../../conventions.js';
import { formatMinutes } from '../../model/duration.js';
import { leRegex } from '../../model/le-values.js';
import type { AlertingRule } from '../../model/rule-group.js';
import { recordedWindows } from '../../model/slo-math.js';
import type { SloModel } from '../../model/types.js';
import { formatSelector, type LabelMatcher, type VectorSelector } from '../../query/promql.js';

/** Default runbook of SLOIndicatorBroken when no runbook base URL is configured. */
export const DEFAULT_SLI_HEALTH_RUNBOOK = `docs/runbooks/${SLI_HEALTH_RUNBOOK_FILE}`;
/** Severity of every SLOIndicatorBroken alert: a broken SLI is a ticket for the SLO's owner, not a page. */
export const SLI_HEALTH_SEVERITY = 'warning';
/** Target labels that say which service a selector reads: `up` with these matchers is the service's scrape health. */
const SCRAPE_LABELS = ['job', 'namespace'];

export type SliHealthReason = (typeof sliHealthReasons)[keyof typeof sliHealthReasons];

/**
 * What can go silently wrong with one SLO's indicator, as plain data: the rules below and their
 * generated promtool tests both read it, so the tests predict exactly the conditions the rules check.
 */
export interface SliHealthPlan {
  /** The raw series whose absence means the SLI records nothing (ratio: total; latency: `_count`; boolGauge: the gauge). */
  readonly total: VectorSelector;
  /** `up` matchers saying the service is scraped; absent when the selector names no job or namespace (no `no_total_series` rule). */
  readonly scraped?: readonly LabelMatcher[];
  /** Latency: the threshold's bucket (`_bucket` with `le` in every spelling of the threshold). */
  readonly thresholdBucket?: VectorSelector;
  /** Ratio with `good:`: the good series (their absence with traffic makes every event bad). */
  readonly good?: VectorSelector;
}

/**
 * The SLI-health checks an SLO gets (see docs/runbooks/slo-indicator-broken.md for why each):
 * - ratio, latency, boolGauge: `no_total_series` when the selector has a `job` or `namespace`
 *   matcher (without one, vigil cannot tell "not deployed here" from "scraped but the metric is
 *   gone", and an alert firing in every environment without the service would be noise); never for
 *   a boolGauge on `up` itself, which is its own scrape health.
 * - latency: `no_threshold_bucket`, per group. It subsumes "all bad because the bucket is absent".
 * - ratio with `good:`: `all_bad`, per group. With `errors:` (or a boolGauge) a ratio of exactly 1
 *   is an outage the burn-rate alerts page on, indistinguishable from a broken selector.
 * - raw: nothing; vigil cannot tell what an arbitrary expression reads.
 * Undefined when the SLO gets none of them.
 */
export function sliHealthPlan(slo: SloModel): SliHealthPlan | undefined {
  const ind = slo.indicator;
  const total = indicatorTotal(slo);
  if (total === undefined) return undefined;
  switch (ind.kind) {
    case 'raw':
      return undefined;
    case 'ratio':
      return withChecks({ total, ...scrapedBy(ind.total), ...(ind.good ? { good: ind.good } : {}) });
    case 'latency': {
      const le: LabelMatcher = { name: 'le', op: '=~', value: leRegex(ind.leValues) };
      return {
        total,
        ...scrapedBy(ind.histogram),
        thresholdBucket: { metric: `${ind.histogram.metric}_bucket`, matchers: [...ind.histogram.matchers, le] },
      };
    }
    case 'boolGauge':
      // A gauge on `up` is its own scrape health: nothing to check.
      return ind.gauge.metric === 'up' ? undefined : withChecks({ total, ...scrapedBy(ind.gauge) });
  }
}

/**
 * The raw series an SLO's events are counted from: a ratio's total, a latency histogram's
 * `_count`, a boolGauge's gauge; undefined for a raw indicator (vigil cannot tell what it reads).
 */
export function indicatorTotal(slo: SloModel): VectorSelector | undefined {
  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio':
      return ind.total;
    case 'latency':
      return { metric: `${ind.histogram.metric}_count`, matchers: ind.histogram.matchers };
    case 'boolGauge':
      return ind.gauge;
    case 'raw':
      return undefined;
  }
}

/** The plan when it checks anything, else undefined (an SLO with no SLOIndicatorBroken rule). */
function withChecks(plan: SliHealthPlan): SliHealthPlan | undefined {
  return plan.scraped || plan.thresholdBucket || plan.good ? plan : undefined;
}

function scrapedBy(s: VectorSelector): { scraped?: readonly LabelMatcher[] } {
  const scraped = s.matchers.filter((m) => SCRAPE_LABELS.includes(m.name));
  return scraped.length > 0 ? { scraped } : {};
}

/**
 * The SLOIndicatorBroken rules of one SLO (pure), for the end of its own rule group: evaluated
 * right after the recorded series they read, at the group's interval, placed with the SLO's other
 * rules. Cheap by construction: each reads one or two recorded series of this SLO and at most one
 * small raw selector that cannot be replaced (`up` of the service's targets, the threshold's
 * bucket series, the good series: absent and zero look alike in every recorded series).
 */
export function generateSliHealthRules(slo: SloModel): AlertingRule[] {
  const plan = sliHealthPlan(slo);
  if (!plan) return [];
  const base = formatMinutes(recordedWindows(slo)[0]!);
  const sel = (name: string) => `${name}{${LABEL_SLO}=${JSON.stringify(slo.id)}}`;
  const total = sel(sloSeries.total(base));
  const on = `on(${slo.groupBy.join(', ')})`;
  const present = (s: VectorSelector) =>
    slo.groupBy.length > 0 ? `count by (${slo.groupBy.join(', ')}) (${formatSelector(s)})` : `count(${formatSelector(s)})`;
  const rules: AlertingRule[] = [];
  const rule = (reason: SliHealthReason, expr: string, forDuration: string) =>
    rules.push({
      alert: SLI_HEALTH_ALERT_NAME,
      expr,
      for: forDuration,
      labels: sliHealthRuleLabels(slo, reason),
      annotations: sliHealthAnnotations(slo, reason),
    });
  // absent() of the recorded total is one series lookup; it carries the slo label (its only equality matcher).
  if (plan.scraped) rule(sliHealthReasons.noTotalSeries, `absent(${total}) and on() (${formatSelector({ metric: 'up', matchers: plan.scraped })} == 1)`, '10m');
  if (plan.thresholdBucket) rule(sliHealthReasons.noThresholdBucket, `${total} unless ${on} ${present(plan.thresholdBucket)}`, '10m');
  if (plan.good) rule(sliHealthReasons.allBad, `(${sel(sloSeries.errorRatio(base))} == 1 and ${total} > 0) unless ${on} ${present(plan.good)}`, '30m');
  return rules;
}

/** The labels an SLOIndicatorBroken rule sets (the series it returns add the SLO's series and groupBy labels). */
export function sliHealthRuleLabels(slo: SloModel, reason: SliHealthReason): Record<string, string> {
  return {
    ...slo.labels,
    ...slo.alertLabels,
    [LABEL_SLO]: slo.id,
    [LABEL_SERVICE]: slo.service,
    [LABEL_SEVERITY]: SLI_HEALTH_SEVERITY,
    [LABEL_REASON]: reason,
  };
}

/** Annotations of SLOIndicatorBroken (static text, exact in promtool tests), in the burn-rate alerts' style. */
export function sliHealthAnnotations(slo: SloModel, reason: SliHealthReason): Record<string, string> {
  const plan = sliHealthPlan(slo)!;
  const per = slo.groupBy.length > 0 ? ` (per ${slo.groupBy.join(', ')})` : '';
  const what = `${slo.service} ${slo.name}`;
  const text: Record<SliHealthReason, [string, string]> = {
    [sliHealthReasons.noTotalSeries]: [
      `${slo.id}: the SLI reads no series while its targets are up`,
      `${formatSelector(plan.total)} matches no series while ${formatSelector({ metric: 'up', matchers: plan.scraped ?? [] })} is 1: ` +
        `${what} records nothing, so its error budget can neither burn nor alert. A renamed metric or label, a wrong job, or a release that dropped the instrumentation.`,
    ],
    [sliHealthReasons.noThresholdBucket]: [
      `${slo.id}: no histogram bucket at the latency threshold${per}`,
      `${plan.total.metric.replace(/_count$/, '_bucket')} has no bucket with le=${JSON.stringify(slo.indicator.kind === 'latency' ? slo.indicator.leValues[0] : '')} ` +
        `while the histogram has series: every request counts as slow and ${what} burns its budget on healthy traffic. Set the threshold to one of the histogram's bucket bounds, or add the bucket.`,
    ],
    [sliHealthReasons.allBad]: [
      `${slo.id}: every event counted bad for 30m and the good series are absent${per}`,
      `The error ratio of ${what} has been exactly 100% for 30 minutes with traffic, and ${plan.good ? formatSelector(plan.good) : 'the good selector'} matches no series. ` +
        `Either every request fails (the burn-rate alerts page for that) or the good selector matches nothing (a renamed label value such as code="200" against "2xx").`,
    ],
  };
  const [summary, description] = text[reason];
  return {
    summary,
    description,
    runbook_url: slo.sliHealthRunbook ?? DEFAULT_SLI_HEALTH_RUNBOOK,
    dashboard_url: slo.dashboardUrl ?? sloDashboardUrl(slo.service, slo.id),
  };
}

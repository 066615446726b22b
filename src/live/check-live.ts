import type { Diagnostic } from '../diagnostics.js';
import { nearestName } from '../load/nearest-name.js';
import { formatMinutes } from '../model/duration.js';
import type { SloModel } from '../model/types.js';
import type { ProjectModel } from '../project/project-model.js';
import { formatSelector, matcherMatches, selectorUses, type VectorSelector } from '../query/promql.js';
import { mapWithConcurrency } from '../runtime/map-with-concurrency.js';
import { collectProbes, type Probe, type ProbeSite } from './live-probes.js';
import { PrometheusApi, PrometheusQueryError, type MetricType, type SeriesLabels } from './prometheus-api.js';

/** Stable codes of the live checks. */
export const LIVE_CODES = {
  noSeries: 'LIVE001',
  noThresholdBucket: 'LIVE002',
  groupByLabelMissing: 'LIVE003',
  counterAsGauge: 'LIVE004',
  gaugeInRate: 'LIVE005',
  rejected: 'LIVE006',
} as const;

/** Settings of `checkLive`. */
export interface LiveCheckOptions {
  /** Prometheus base URL. */
  readonly url: string;
  /** Series count when they have samples in the last `lookbackMs` (default one hour). */
  readonly lookbackMs?: number;
  /** Per-request timeout, ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Requests in flight at once (default 8). */
  readonly concurrency?: number;
  /** Severity of every finding: `warning` by default, `error` for `check --strict`. */
  readonly severity?: Diagnostic['severity'];
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** What the live check found and how much it asked. */
export interface LiveCheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Selector uses in the project (SLOs, alerts, dashboards). */
  readonly probes: number;
  /** Distinct selectors asked about. */
  readonly selectors: number;
  /** HTTP requests made. */
  readonly requests: number;
}

/**
 * Asks a live Prometheus whether the project's selectors match series: SLO indicators, PromQL alert
 * expressions and dashboard queries. Reports a selector with no series (naming the nearest metric
 * or the matcher that matches nothing), a latency threshold without its bucket, a `groupBy` label no
 * series carries, a counter read as a gauge and a gauge read through rate(). Throws
 * `PrometheusUnavailableError` when Prometheus cannot be asked at all.
 */
export async function checkLive(model: ProjectModel, options: LiveCheckOptions): Promise<LiveCheckResult> {
  const lookbackMs = options.lookbackMs ?? 3_600_000;
  const api = new PrometheusApi({
    url: options.url,
    lookbackMs,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const limit = options.concurrency ?? 8;
  let requests = 0;
  const ask = <T>(p: Promise<T>): Promise<T> => {
    requests++;
    return p;
  };

  // The first request doubles as the check that the URL is a reachable Prometheus.
  const names = await ask(api.metricNames());
  const nameSet = new Set(names);
  const types = await ask(api.metadata());
  const probes = collectProbes(model);
  const texts = [...new Set(probes.map((p) => p.text))];
  const bySelector = new Map<string, readonly SeriesLabels[] | PrometheusQueryError>();
  const selectorOf = new Map(probes.map((p) => [p.text, p.selector] as const));
  await mapWithConcurrency(texts, limit, async (text) => {
    // A metric name Prometheus does not know has no series: no need to ask.
    if (!nameSet.has(selectorOf.get(text)!.metric)) return bySelector.set(text, []);
    try {
      bySelector.set(text, await ask(api.series(text)));
    } catch (err) {
      if (!(err instanceof PrometheusQueryError)) throw err;
      bySelector.set(text, err);
    }
    return undefined;
  });

  /** Whether Prometheus answered `text` with no series (false for a selector it rejected). */
  const empty = (text: string | undefined) => {
    const r = text === undefined ? undefined : bySelector.get(text);
    return Array.isArray(r) && r.length === 0;
  };

  // Why an empty selector is empty: the values its labels do have on that metric.
  const valuesKey = (label: string, metric: string) => `${label}\u0000${metric}`;
  const wanted = new Map<string, { label: string; metric: string }>();
  for (const p of probes) {
    if (!p.expectsSeries || !nameSet.has(p.selector.metric) || !empty(p.text)) continue;
    for (const m of p.selector.matchers) wanted.set(valuesKey(m.name, p.selector.metric), { label: m.name, metric: p.selector.metric });
  }
  const labelValues = new Map<string, readonly string[]>();
  await mapWithConcurrency([...wanted], limit, async ([key, { label, metric }]) => {
    labelValues.set(key, await ask(api.labelValues(label, metric)));
  });

  const lookback = lookbackMs % 60_000 === 0 ? formatMinutes(lookbackMs / 60_000) : `${lookbackMs / 1000}s`;
  const out = new Findings(options.severity ?? 'warning');
  const nearest = new Map<string, string | undefined>();
  for (const p of probes) {
    const series = bySelector.get(p.text)!;
    if (series instanceof PrometheusQueryError) {
      out.add(LIVE_CODES.rejected, p.at, `${p.what}: Prometheus rejected ${p.text}: ${series.message}`);
      continue;
    }
    if (series.length === 0 && p.expectsSeries && !empty(p.unless)) {
      const why = nameSet.has(p.selector.metric)
        ? whyEmpty(p.selector, (label) => labelValues.get(valuesKey(label, p.selector.metric)) ?? [])
        : noMetric(p.selector.metric, names, nearest);
      out.add(
        LIVE_CODES.noSeries,
        p.at,
        `${p.what}: ${p.text} matches no series in the last ${lookback}: ${why}`,
        'compare the metric name and label values with what Prometheus scrapes; a selector without series makes an SLO record nothing and an alert never fire',
      );
    }
    checkType(p, types, out);
  }
  for (const slo of model.slos) checkSlo(slo, bySelector, out);
  return { diagnostics: out.items, probes: probes.length, selectors: texts.length, requests };
}

/** Collects findings at one severity, each (code, position, message) once. */
class Findings {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly severity: Diagnostic['severity']) {}

  add(code: string, at: ProbeSite, message: string, hint?: string): void {
    const key = `${code}|${at.file}:${at.line}:${at.column}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({
      severity: this.severity,
      code,
      message,
      file: at.file,
      line: at.line,
      column: at.column,
      ...(hint ? { hint } : {}),
    });
  }
}

function noMetric(metric: string, names: readonly string[], nearest: Map<string, string | undefined>): string {
  if (!nearest.has(metric)) nearest.set(metric, nearestName(metric, names));
  const near = nearest.get(metric);
  return `Prometheus has no metric ${metric}${near ? ` (nearest existing metric: ${near})` : ''}`;
}

/** The first matcher that no value of its label satisfies, with the values there are. */
function whyEmpty(s: VectorSelector, valuesOf: (label: string) => readonly string[]): string {
  for (const m of s.matchers) {
    const values = valuesOf(m.name);
    // A missing label reads as "": `x!="a"` or `x=~".*"` match series without it.
    if (matcherMatches(m, undefined) || values.some((v) => matcherMatches(m, v))) continue;
    const shown = values.length === 0 ? `no series of ${s.metric} has a ${m.name} label` : `${m.name} on ${s.metric} is one of ${list(values)}`;
    return `no series has ${m.name}${m.op}${JSON.stringify(m.value)}; ${shown}`;
  }
  return `${s.metric} has series for each matcher alone, but none for all of them together`;
}

function list(values: readonly string[], max = 10): string {
  const shown = values.slice(0, max).map((v) => JSON.stringify(v));
  return values.length > max ? `${shown.join(', ')} … (${values.length} in all)` : shown.join(', ');
}

/** A bucket's upper bound as a number (`+Inf` included). */
function leBound(le: string): number {
  return /^\+?inf$/i.test(le) ? Infinity : Number(le);
}

/** Counter or gauge, as the targets declare it; `_total` names without metadata count as counters. */
export function metricKind(name: string, types: ReadonlyMap<string, MetricType>): 'counter' | 'gauge' | undefined {
  const t = types.get(name);
  if (t === 'counter') return 'counter';
  if (t === 'gauge') return 'gauge';
  const base = name.replace(/_(bucket|count|sum)$/, '');
  const baseType = base !== name ? types.get(base) : undefined;
  if (baseType === 'histogram' || baseType === 'summary') return 'counter';
  // OpenMetrics names the counter family without its `_total` suffix.
  if (name.endsWith('_total') && (t === undefined || t === 'unknown')) return 'counter';
  return undefined;
}

function checkType(p: Probe, types: ReadonlyMap<string, MetricType>, out: Findings): void {
  const kind = metricKind(p.selector.metric, types);
  const declared = types.has(p.selector.metric) ? `its TYPE is ${types.get(p.selector.metric)}` : 'its name ends in _total';
  if (kind === 'counter' && p.use === 'instant' && p.checkCounterAsGauge) {
    const boolGauge = p.what.endsWith('(boolGauge)');
    out.add(
      LIVE_CODES.counterAsGauge,
      p.at,
      `${p.what}: ${p.selector.metric} is a counter (${declared}) but is read as a gauge${boolGauge ? ': a bool gauge must be 0 or 1 (like up or probe_success)' : ', without rate() or increase()'}`,
      boolGauge
        ? 'for a counter of failures use indicator.ratio with errors: and total:'
        : "compare rate(x[5m]) or increase(x[1h]): a counter's value only grows, so a comparison on it flips once and stays",
    );
  }
  if (kind === 'gauge' && p.use === 'rate') {
    out.add(
      LIVE_CODES.gaugeInRate,
      p.at,
      `${p.what}: ${p.selector.metric} is a gauge (TYPE gauge) but is read through rate()${p.what.startsWith('SLO') ? ' (vigil applies rate() to ratio and latency selectors)' : ''}: a gauge going down reads as a counter reset`,
      p.what.startsWith('SLO') ? 'use indicator.boolGauge for a 0/1 gauge, or indicator.raw' : 'use deriv() or delta() for a gauge, or *_over_time()',
    );
  }
}

/** The latency threshold's bucket and the groupBy labels, against the series of the SLO's indicator. */
function checkSlo(slo: SloModel, bySelector: ReadonlyMap<string, readonly SeriesLabels[] | PrometheusQueryError>, out: Findings): void {
  const seriesOf = (s: VectorSelector) => {
    const r = bySelector.get(formatSelector(s));
    return Array.isArray(r) ? (r as readonly SeriesLabels[]) : undefined;
  };
  const ind = slo.indicator;
  const read: VectorSelector[] = [];
  if (ind.kind === 'ratio') read.push(...[ind.total, ind.errors ?? ind.good].filter((s): s is VectorSelector => s !== undefined));
  else if (ind.kind === 'boolGauge') read.push(ind.gauge);
  else if (ind.kind === 'raw') read.push(...selectorUses(ind.errorRatio.replaceAll('{{window}}', '5m')).map((u) => u.selector));
  else {
    const bucket = { metric: `${ind.histogram.metric}_bucket`, matchers: ind.histogram.matchers };
    read.push(bucket);
    const series = seriesOf(bucket) ?? [];
    const les = [...new Set(series.map((s) => s.le).filter((v): v is string => v !== undefined))].sort((a, b) => leBound(a) - leBound(b));
    if (series.length > 0 && !ind.leValues.some((v) => les.includes(v))) {
      const at = slo.at?.indicator.threshold ?? slo.source;
      out.add(
        LIVE_CODES.noThresholdBucket,
        at,
        `SLO ${slo.id}: ${formatSelector(bucket)} has no bucket le=${JSON.stringify(ind.leValues[0])} for the threshold; its buckets are ${les.join(', ')}. Without it the good series is absent, so the SLO reads 100% bad on healthy traffic`,
        `set threshold to one of the bucket bounds, or add a ${ind.leValues[0]} bucket to the histogram`,
      );
    }
  }
  slo.groupBy.forEach((label, i) => {
    const lacking = read.filter((s) => {
      const series = seriesOf(s);
      return series !== undefined && series.length > 0 && !series.some((x) => (x[label] ?? '') !== '');
    });
    if (lacking.length === 0) return;
    const at = slo.at?.groupBy[i] ?? slo.source;
    const carried = [...new Set((seriesOf(lacking[0]!) ?? []).flatMap((x) => Object.keys(x)))].filter((k) => k !== '__name__').sort();
    out.add(
      LIVE_CODES.groupByLabelMissing,
      at,
      `SLO ${slo.id}: groupBy label ${label} is on no series of ${lacking.map((s) => formatSelector(s)).join(' or ')} (their labels: ${carried.join(', ')}), so the SLO records one series without ${label} instead of one per ${label}`,
      'group by a label those series carry, or add the label where they are scraped (relabelling)',
    );
  });
}

import { inputPaths, k6SlowMetric } from '../../conventions.js';
import { defaultK6Service, type K6ServiceConfig } from '../../load/k6-config.js';
import type { ProjectConfig } from '../../load/load-config.js';
import { roundThreshold } from '../../model/burn-rate-breach.js';
import type { SloModel } from '../../model/types.js';

/**
 * Whether an SLO reads HTTP request metrics, which a k6 load test can measure from the outside:
 * a ratio or latency indicator whose metric names a request (`http_requests_total`,
 * `inference_requests_total`, `http_request_duration_seconds`: the Prometheus naming of request
 * instrumentation). Gauges, raw expressions and other histograms (time to first token) are not.
 */
export function isHttpSlo(slo: SloModel): boolean {
  const ind = slo.indicator;
  if (ind.kind === 'ratio') return [ind.errors, ind.good, ind.total].some((s) => s !== undefined && /request/.test(s.metric));
  if (ind.kind === 'latency') return /request/.test(ind.histogram.metric);
  return false;
}

/** One service's load test: its configuration and the SLOs the script measures. */
export interface K6Target {
  readonly service: string;
  readonly config: K6ServiceConfig;
  /** Ratio and latency SLOs, by id. */
  readonly slos: readonly SloModel[];
  /** Files named in the generated-by header: the SLO files, and the configuration when it lists the service. */
  readonly sources: readonly string[];
}

/**
 * The services that get a load test, sorted: every service with an HTTP SLO, and every service
 * the `k6.services` section lists (with the SLOs it names, or its HTTP SLOs). SLOs other than
 * ratio and latency are never measured; validate/k6-services reports names that do not fit.
 */
export function k6Targets(model: { readonly slos: readonly SloModel[]; readonly config: ProjectConfig }): K6Target[] {
  const services = [...new Set(model.slos.map((s) => s.service))].sort();
  const targets: K6Target[] = [];
  for (const service of services) {
    const config = model.config.k6.services.get(service);
    const own = model.slos.filter((s) => s.service === service);
    const names = config?.slos?.map((s) => s.name);
    const slos = own.filter((s) => (s.indicator.kind === 'ratio' || s.indicator.kind === 'latency') && (names ? names.includes(s.name) : isHttpSlo(s)));
    if (slos.length === 0) continue;
    const files = [...new Set(slos.map((s) => s.source.file))];
    targets.push({ service, config: config ?? defaultK6Service(service), slos, sources: config ? [...files, model.config.file ?? inputPaths.config] : files });
  }
  return targets;
}

/** What a load test measures of one SLO: a k6 metric (or tagged sub-metric), its statistic, and the limit. */
export interface K6Measurement {
  readonly slo: SloModel;
  /** `errors`: the failed-request ratio; `latency`: the objective percentile; `slow`: the share slower than the threshold. */
  readonly kind: 'errors' | 'latency' | 'slow';
  /** Base metric: http_req_failed, http_req_duration or the SLO's slow-request Rate. */
  readonly metric: string;
  /** Tags of the sub-metric (one SLO group), empty for the whole metric. */
  readonly tags: Readonly<Record<string, string>>;
  /** The threshold's aggregation: `rate` or `p(N)`. */
  readonly stat: string;
  /** The value must not exceed this (a ratio, or milliseconds for `latency`). */
  readonly limit: number;
}

/** `metric{tag:value,tag:value}`, as k6 names a sub-metric (tags in the SLO's groupBy order). */
export function subMetricKey(metric: string, tags: Readonly<Record<string, string>>): string {
  const entries = Object.entries(tags);
  return entries.length === 0 ? metric : `${metric}{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

/** The latency threshold of an SLO in milliseconds (`_milliseconds` histograms count in ms; others in seconds). */
export function thresholdMs(slo: SloModel): number {
  if (slo.indicator.kind !== 'latency') throw new Error(`${slo.id} is not a latency SLO`);
  const { histogram, threshold } = slo.indicator;
  return roundThreshold(/_milliseconds$/.test(histogram.metric) ? threshold : threshold * 1000);
}

/**
 * The groups of an SLO the requests exercise: one tag set per distinct combination of its
 * groupBy labels among the requests' tags (requests lacking one of them are not in any group).
 * An ungrouped SLO, or one no request names a group of, has the single empty group.
 */
export function sloGroups(slo: SloModel, target: K6Target): Readonly<Record<string, string>>[] {
  if (slo.groupBy.length === 0) return [{}];
  const seen = new Map<string, Record<string, string>>();
  for (const r of target.config.requests) {
    if (!slo.groupBy.every((l) => r.tags[l] !== undefined)) continue;
    const tags = Object.fromEntries(slo.groupBy.map((l) => [l, r.tags[l]!]));
    seen.set(JSON.stringify(tags), tags);
  }
  return seen.size === 0 ? [{}] : [...seen.values()];
}

/**
 * Every measurement of a target, in SLO order then group order: per ratio SLO the failed-request
 * rate below the error budget; per latency SLO its objective percentile below the threshold and
 * the share of slow requests below the error budget.
 */
export function k6Measurements(target: K6Target): K6Measurement[] {
  const out: K6Measurement[] = [];
  for (const slo of target.slos) {
    const budget = roundThreshold(slo.errorBudget);
    for (const tags of sloGroups(slo, target)) {
      if (slo.indicator.kind === 'ratio') out.push({ slo, kind: 'errors', metric: 'http_req_failed', tags, stat: 'rate', limit: budget });
      else {
        out.push({ slo, kind: 'latency', metric: 'http_req_duration', tags, stat: `p(${slo.objectivePercent})`, limit: thresholdMs(slo) });
        out.push({ slo, kind: 'slow', metric: k6SlowMetric(slo.id), tags, stat: 'rate', limit: budget });
      }
    }
  }
  return out;
}

/**
 * A measurement as a k6 threshold expression, e.g. `rate<=0.001` or `p(95)<=2000`: an SLO is met
 * at exactly its objective (99.9% good, 95% within 2s), so the limit itself passes.
 */
export function thresholdExpression(m: Pick<K6Measurement, 'stat' | 'limit'>): string {
  return `${m.stat}<=${m.limit}`;
}

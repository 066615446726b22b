import { LABEL_SLO, sloSeries } from '../conventions.js';
import type { PrometheusApi, RangeSeries } from '../live/prometheus-api.js';
import { formatMinutes } from '../model/duration.js';
import { baseWindowMinutes } from '../model/slo-math.js';
import type { SloModel } from '../model/types.js';
import { formatSelector } from '../query/promql.js';
import type { ChartPoint } from './report-model.js';
import { chartBucketSteps, rangeChunks, stepTimes, type ReportRange } from './report-range.js';
import type { MemberHistory, SloHistory } from './summarize-slo.js';

/** The step an SLO is read at: its base window, the length of its shortest recorded tile (seconds). */
export function baseStepSeconds(slo: Pick<SloModel, 'periodMinutes'>): number {
  return baseWindowMinutes(slo.periodMinutes) * 60;
}

/**
 * Reads one SLO's history over the range from vigil's recorded series: the base window's errors and
 * total rates at every base-window step (consecutive samples tile the range exactly), the SLO's
 * firing `ALERTS`, and for latency SLOs the objective's percentile of the raw histogram. Long ranges
 * are read in chunks of at most 11,000 points. Requests of one SLO go one after another; callers
 * bound how many SLOs are read at once.
 */
export async function readSloHistory(api: PrometheusApi, slo: SloModel, range: ReportRange): Promise<SloHistory> {
  const step = baseStepSeconds(slo);
  const times = stepTimes(range, step);
  if (times.length === 0) return { times, stepSeconds: step, members: [], alerts: [] };
  const sel = (name: string) => `${name}{${LABEL_SLO}=${JSON.stringify(slo.id)}}`;
  const base = formatMinutes(step / 60);
  const members = new Map<string, { labels: Record<string, string>; errors: (number | null)[]; total: (number | null)[] }>();
  const memberOf = (metric: Readonly<Record<string, string>>) => {
    const labels = Object.fromEntries(slo.groupBy.map((g) => [g, metric[g] ?? '']));
    const key = JSON.stringify(labels);
    let m = members.get(key);
    if (!m) members.set(key, (m = { labels, errors: times.map(() => null), total: times.map(() => null) }));
    return m;
  };
  const index = (t: number) => Math.round((t - times[0]!) / step);
  const fill = (
    series: readonly RangeSeries[],
    pick: (m: { errors: (number | null)[]; total: (number | null)[] }) => (number | null)[],
    value = (v: number) => v,
  ) => {
    for (const s of series) {
      const into = pick(memberOf(s.metric));
      for (const [t, v] of s.values) {
        const i = index(t);
        const x = Number(v);
        if (i >= 0 && i < times.length && Number.isFinite(x)) into[i] = (into[i] ?? 0) + value(x);
      }
    }
  };
  const read = async (expr: string) => {
    const out: RangeSeries[] = [];
    for (const [start, end] of rangeChunks(range, step)) out.push(...(await api.queryRange(expr, start, end, step)));
    return out;
  };

  if (slo.indicator.kind === 'raw') {
    // Only the error ratio is recorded: each step with a sample counts as one unit of time.
    const ratio = await read(sel(sloSeries.errorRatio(base)));
    fill(
      ratio,
      (m) => m.errors,
      (x) => x / step,
    );
    fill(
      ratio,
      (m) => m.total,
      () => 1 / step,
    );
  } else {
    fill(await read(sel(sloSeries.total(base))), (m) => m.total);
    fill(await read(sel(sloSeries.errors(base))), (m) => m.errors);
  }

  const alertSeries = await read(`ALERTS{alertname=${JSON.stringify(slo.alertName)}, ${LABEL_SLO}=${JSON.stringify(slo.id)}, alertstate="firing"}`);
  const bySeverity = new Map<string, boolean[]>();
  for (const s of alertSeries) {
    const severity = s.metric.severity ?? '';
    let firing = bySeverity.get(severity);
    if (!firing) bySeverity.set(severity, (firing = times.map(() => false)));
    for (const [t] of s.values) {
      const i = index(t);
      if (i >= 0 && i < times.length) firing[i] = true;
    }
  }

  let latency: SloHistory['latency'];
  if (slo.indicator.kind === 'latency') {
    // The objective's percentile of the raw histogram, one point per chart bucket (rate over the bucket).
    const bucketSeconds = chartBucketSteps(times.length) * step;
    const bucket = formatSelector({ metric: `${slo.indicator.histogram.metric}_bucket`, matchers: slo.indicator.histogram.matchers });
    const expr = `histogram_quantile(${slo.objective}, sum by (le) (rate(${bucket}[${formatMinutes(bucketSeconds / 60)}])))`;
    const lt = stepTimes(range, bucketSeconds);
    const values = new Map<number, number>();
    for (const [start, end] of rangeChunks(range, bucketSeconds)) {
      for (const s of await api.queryRange(expr, start, end, bucketSeconds)) {
        for (const [t, v] of s.values) if (Number.isFinite(Number(v))) values.set(Math.round(t), Number(v));
      }
    }
    const points: ChartPoint[] = lt.map((t) => [t, values.get(t) ?? null]);
    latency = { stepSeconds: bucketSeconds, points };
  }

  const sorted: MemberHistory[] = [...members.values()].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
  return {
    times,
    stepSeconds: step,
    members: sorted,
    alerts: [...bySeverity.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([severity, firing]) => ({ severity, firing })),
    ...(latency ? { latency } : {}),
  };
}

/**
 * The synthetic platform of the report tests: two services, four SLOs (one grouped by model, one
 * latency, one without any data), four days of history ending half an hour after "now", with a
 * burst of llama-70b errors on the first day that fires the page alert.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Diagnostics } from '../../src/diagnostics.js';
import { loadSlos } from '../../src/load/load-slos.js';
import type { SloModel } from '../../src/model/types.js';
import type { MinuteTraffic, RawSeries, SloTraffic } from '../support/slo-history.js';

export const HOUR_MIN = 60;
export const DAYS = 4;
/** Minutes of data: four days plus half an hour past now (so "now" queries find samples). */
export const MINUTES = DAYS * 1440 + 30;

/** Day-0 incidents, in minutes since the data start. */
export const BURST = { from: 6 * HOUR_MIN, to: 8 * HOUR_MIN + 30 }; // llama-70b: 20 % errors
export const SLOW = { from: 12 * HOUR_MIN, to: 15 * HOUR_MIN }; // document latency degraded
export const BLIP = { from: 18 * HOUR_MIN, to: 18 * HOUR_MIN + 20 }; // document errors 0.5 %

const within = (m: number, r: { from: number; to: number }) => m >= r.from && m < r.to;

export const SLO_FILES: Record<string, string> = {
  'slos/document-processing.yaml': `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: document-processing
labels: { team: ml-platform }
period: 30d
slos:
  - name: availability
    description: Document requests succeed.
    objective: 99.9
    sla: { text: "99.9% availability" }
    indicator:
      ratio:
        errors: http_requests_total{job="doc-api", code=~"5.."}
        total: http_requests_total{job="doc-api"}
  - name: latency
    description: 95% of document requests finish within 2 seconds.
    objective: 95
    sla: { text: "P95 < 2 s" }
    indicator:
      latency:
        histogram: http_request_duration_seconds{job="doc-api"}
        threshold: 2s
`,
  'slos/gpu-inference.yaml': `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: gpu-inference
period: 30d
slos:
  - name: availability
    description: Inference requests succeed, per model.
    objective: 99.5
    groupBy: [model]
    indicator:
      ratio:
        errors: inference_requests_total{job="gpu-inference", status="error"}
        total: inference_requests_total{job="gpu-inference"}
  - name: queue-up
    description: The model queue is up (no data was ever recorded for it).
    objective: 99
    indicator:
      boolGauge: up{job="model-queue"}
`,
};

/** The model name that must come out escaped in every page. */
export const ODD_MODEL = 'mistral<7b>&co';

const docAvailability = (m: number): MinuteTraffic => ({ total: 1000, errors: within(m, BLIP) ? 5 : 0 });
/** Requests per minute at or below each bucket bound (600 requests a minute). */
const docBuckets = (m: number): Record<string, number> =>
  within(m, SLOW) ? { '0.5': 200, '1': 350, '2': 540, '5': 590, '+Inf': 600 } : { '0.5': 420, '1': 510, '2': 582, '5': 597, '+Inf': 600 };
const docLatency = (m: number): MinuteTraffic => ({ total: 600, errors: 600 - docBuckets(m)['2']! });
const llama = (m: number): MinuteTraffic => ({ total: 300, errors: within(m, BURST) ? 60 : 0.3 });
const mistral = (): MinuteTraffic => ({ total: 100, errors: 0 });

/** Writes the fixture project (with `prometheus.url` in its config when given). */
export function writeProject(root: string, prometheusUrl?: string): void {
  for (const [p, text] of Object.entries(SLO_FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  }
  // prod and staging declared: the report is made with --env prod (its SLO overrides, none here).
  const config = `apiVersion: vigil/v1\nkind: VigilConfig\nenvironments: [prod, staging]\n`;
  fs.writeFileSync(path.join(root, 'vigil.config.yaml'), prometheusUrl ? `${config}prometheus:\n  url: ${prometheusUrl}\n` : config);
}

export async function loadScenarioSlos(root: string): Promise<SloModel[]> {
  const diags = new Diagnostics();
  const slos = await loadSlos(root, diags);
  if (diags.hasErrors) throw new Error(JSON.stringify(diags.sorted()));
  return slos;
}

/** Sum of a minute function over minutes [0, n), per member. */
function running(f: (m: number) => number): (m: number) => number {
  const cache = [0];
  return (m) => {
    for (let i = cache.length; i <= m; i++) cache.push(cache[i - 1]! + f(i - 1));
    return cache[m]!;
  };
}

/** The raw series and per-SLO traffic of the scenario. */
export function scenarioTraffic(slos: readonly SloModel[]): { raw: RawSeries[]; slos: SloTraffic[] } {
  const byId = (id: string) => slos.find((s) => s.id === id)!;
  const counter = (
    metric: string,
    labels: Record<string, string>,
    f: (m: number) => number,
    family = metric.replace(/_(total|bucket|count)$/, ''),
  ): RawSeries => ({
    metric,
    family,
    type: 'counter',
    labels,
    value: running(f),
  });
  const raw: RawSeries[] = [
    counter('http_requests_total', { job: 'doc-api', code: '200' }, (m) => docAvailability(m).total - docAvailability(m).errors),
    counter('http_requests_total', { job: 'doc-api', code: '500' }, (m) => docAvailability(m).errors),
    ...['0.5', '1', '2', '5', '+Inf'].map((le) => counter('http_request_duration_seconds_bucket', { job: 'doc-api', le }, (m) => docBuckets(m)[le]!)),
    counter('http_request_duration_seconds_count', { job: 'doc-api' }, () => 600, 'http_request_duration_seconds'),
    counter('inference_requests_total', { job: 'gpu-inference', model: 'llama-70b', status: 'ok' }, (m) => llama(m).total - llama(m).errors),
    counter('inference_requests_total', { job: 'gpu-inference', model: 'llama-70b', status: 'error' }, (m) => llama(m).errors),
    counter('inference_requests_total', { job: 'gpu-inference', model: ODD_MODEL, status: 'ok' }, () => 100),
    counter('inference_requests_total', { job: 'gpu-inference', model: ODD_MODEL, status: 'error' }, () => 0),
  ];
  return {
    raw,
    slos: [
      { slo: byId('document-processing-availability'), members: [{ labels: {}, minute: docAvailability }] },
      { slo: byId('document-processing-latency'), members: [{ labels: {}, minute: docLatency }] },
      {
        slo: byId('gpu-inference-availability'),
        members: [
          { labels: { model: 'llama-70b' }, minute: llama },
          { labels: { model: ODD_MODEL }, minute: mistral },
        ],
      },
    ],
  };
}

/** Events of an SLO's members over minutes [0, n), summed: what the report must show for that span. */
export function eventsUpTo(
  traffic: SloTraffic,
  n: number,
): { total: number; errors: number; perMember: { labels: Record<string, string>; total: number; errors: number }[] } {
  const perMember = traffic.members.map((mb) => {
    let total = 0;
    let errors = 0;
    for (let m = 0; m < n; m++) {
      const t = mb.minute(m);
      total += t.total;
      errors += t.errors;
    }
    return { labels: { ...mb.labels }, total, errors };
  });
  return { total: perMember.reduce((s, x) => s + x.total, 0), errors: perMember.reduce((s, x) => s + x.errors, 0), perMember };
}

import { metricNamesIn } from '../query/promql.js';
import type { MetricCatalog } from '../model/metric-catalog.js';
import type { SloModel } from '../model/types.js';

/**
 * Metrics that exist around every vigil platform without being declared in this repo:
 * node_exporter (`node_*`), Prometheus itself (`up`, `ALERTS`, `scrape_*`), kube-state-metrics
 * (`kube_*`), and model servers (vLLM `vllm:*`, Triton `nv_inference_*`).
 */
export function declareAmbientMetrics(metrics: MetricCatalog): void {
  metrics.addPrefix('node_', 'node-exporter');
  for (const n of ['up', 'ALERTS', 'ALERTS_FOR_STATE', 'scrape_duration_seconds', 'scrape_samples_scraped']) metrics.add(n, 'prometheus');
  metrics.addPrefix('kube_', 'kube-state-metrics');
  metrics.addPrefix('vllm:', 'model-server');
  metrics.addPrefix('nv_inference_', 'model-server');
}

/** Metrics an SLO's indicator reads: its spec declares that the service produces them. */
export function sloIndicatorMetrics(slo: SloModel): string[] {
  const i = slo.indicator;
  switch (i.kind) {
    case 'ratio':
      return [i.errors?.metric, i.good?.metric, i.total.metric].filter((m): m is string => m !== undefined);
    case 'latency':
      return [i.histogram.metric];
    case 'boolGauge':
      return [i.gauge.metric];
    case 'raw':
      return metricNamesIn(i.errorRatio.replaceAll('{{window}}', '5m'));
  }
}

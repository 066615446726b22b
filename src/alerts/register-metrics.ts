import type { Diagnostics } from '../diagnostics.js';
import type { MetricCatalog, MetricSource } from '../model/metric-catalog.js';
import { validateWithSchema } from '../load/validate-schema.js';
import type { YamlSource } from '../load/yaml-source.js';
import { checkApiVersion } from './load-alert-packs.js';
import { ALERT_SCHEMA_CODES, ExternalMetricsSchema, type ExternalMetricsSpec } from './schema.js';

/**
 * Declares what the monitoring stack itself produces, so alert expressions can be checked
 * against it: node_exporter (`node_*`), kube-state-metrics (`kube_*`), `up` and the other scrape series, `ALERTS`, and the
 * self-metrics of Prometheus and Alertmanager.
 */
export function registerStackMetrics(metrics: MetricCatalog): void {
  metrics.addPrefix('node_', 'node-exporter');
  metrics.addPrefix('kube_', 'kube-state-metrics');
  metrics.addPrefix('prometheus_', 'prometheus');
  metrics.addPrefix('alertmanager_', 'prometheus');
  for (const name of [
    'up',
    'scrape_duration_seconds',
    'scrape_samples_scraped',
    'scrape_samples_post_metric_relabeling',
    'scrape_series_added',
    'ALERTS',
    'ALERTS_FOR_STATE',
  ])
    metrics.add(name, 'prometheus');
}

const SOURCES: readonly MetricSource[] = ['exporter', 'recording-rule', 'node-exporter', 'external', 'prometheus', 'kube-state-metrics', 'model-server'];

/** Registers the metrics an ExternalMetrics file declares. */
export function registerExternalMetrics(source: YamlSource, metrics: MetricCatalog, diags: Diagnostics): void {
  if (!checkApiVersion(source, diags)) return;
  if (!validateWithSchema(ExternalMetricsSchema, source, diags, ALERT_SCHEMA_CODES)) return;
  const spec = source.value as ExternalMetricsSpec;
  const kind = (s: string): MetricSource => ((SOURCES as readonly string[]).includes(s) ? (s as MetricSource) : 'external');
  for (const m of spec.metrics ?? []) metrics.add(m.name, kind(m.source));
  for (const p of spec.prefixes ?? []) metrics.addPrefix(p.prefix, kind(p.source));
}

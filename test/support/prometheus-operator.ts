/**
 * A Prometheus scrape config derived from a rendered Service and ServiceMonitor the way
 * prometheus-operator derives it (../shared/reference/integration-facts.md §1), for end-to-end
 * tests that cannot run Kubernetes: the target carries the `__meta_kubernetes_*` labels service
 * discovery would attach, and the relabelling is the operator's, run by the real Prometheus.
 *
 * Relabelling order, as the operator generates it: `job` := the Service name; then, when
 * `spec.jobLabel` is set, `job` := the Service's label of that name (only when non-empty); then the
 * endpoint's own `relabelings`, which run last and win.
 */

interface Service {
  metadata: { name: string; labels?: Record<string, string> };
}

interface Relabeling {
  sourceLabels?: string[];
  separator?: string;
  targetLabel?: string;
  regex?: string;
  replacement?: string;
  action?: string;
}

interface ServiceMonitor {
  spec: { jobLabel?: string; endpoints: { port?: string; path?: string; relabelings?: Relabeling[] }[] };
}

/** Kubernetes label name → the `__meta_kubernetes_service_label_*` suffix (non-alphanumerics become `_`). */
const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

/**
 * One `scrape_configs` entry (as an object to serialize) for endpoint `endpoint` of the monitor,
 * scraping `target`; `podNodeName` stands in for the node service discovery reports for the pod.
 */
export function operatorScrapeConfig(
  service: Service,
  monitor: ServiceMonitor,
  options: { target: string; podNodeName: string; endpoint?: number; scrapeInterval?: string },
): Record<string, unknown> {
  const i = options.endpoint ?? 0;
  const ep = monitor.spec.endpoints[i]!;
  const meta: Record<string, string> = {
    __meta_kubernetes_service_name: service.metadata.name,
    __meta_kubernetes_pod_node_name: options.podNodeName,
  };
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) meta[`__meta_kubernetes_service_label_${sanitize(k)}`] = v;
  const relabel: Record<string, unknown>[] = [{ source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', replacement: '${1}' }];
  if (monitor.spec.jobLabel)
    relabel.push({
      source_labels: [`__meta_kubernetes_service_label_${sanitize(monitor.spec.jobLabel)}`],
      target_label: 'job',
      regex: '(.+)',
      replacement: '${1}',
    });
  for (const r of ep.relabelings ?? [])
    relabel.push({
      ...(r.sourceLabels ? { source_labels: r.sourceLabels } : {}),
      ...(r.separator !== undefined ? { separator: r.separator } : {}),
      ...(r.targetLabel ? { target_label: r.targetLabel } : {}),
      ...(r.regex !== undefined ? { regex: r.regex } : {}),
      ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
      ...(r.action ? { action: r.action.toLowerCase() } : {}),
    });
  return {
    // The operator's scrape job name; it is not the `job` label.
    job_name: `serviceMonitor/ns/${service.metadata.name}/${i}`,
    ...(options.scrapeInterval ? { scrape_interval: options.scrapeInterval } : {}),
    metrics_path: ep.path ?? '/metrics',
    static_configs: [{ targets: [options.target], labels: meta }],
    relabel_configs: relabel,
  };
}

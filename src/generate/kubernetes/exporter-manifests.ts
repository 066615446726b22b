import { DEFAULT_EXPORTER_JOB, EXPORTER_JOB_LABEL, inputPaths } from '../../conventions.js';
import type { ModelsFile } from '../../../exporters/gpu/models/models-schema.js';
import type { YamlDocument } from '../document.js';

/** Deployment choices; every field has a default. */
export interface ExporterManifestOptions {
  /** The Prometheus job name the exporter's targets get (default `gpu-exporter`, what the built-in packs select). */
  readonly job?: string;
  /** Spec path named in the generated header (default `exporters/gpu/models.yaml`). */
  readonly specPath?: string;
  /** The models file as its author wrote it, for the ConfigMap (default: the models as JSON, which YAML 1.2 reads too). */
  readonly modelsText?: string;
  /** Namespace of the DaemonSet, Service, ServiceMonitor (default `vigil-monitoring`). */
  readonly namespace?: string;
  /** Container image (default `ghcr.io/vigil-monitoring/vigil:0.1.0`). */
  readonly image?: string;
  /** GPU source in the pod (default `nvml`). */
  readonly source?: 'nvml' | 'nvidia-smi';
  /** Port (default 9400, dcgm-exporter's). */
  readonly port?: number;
  /** Sampling interval (default `5s`). */
  readonly interval?: string;
  /** ServiceMonitor scrape interval (default `15s`). */
  readonly scrapeInterval?: string;
  /** Node selector of GPU nodes (default `nvidia.com/gpu.present: "true"`, set by GPU feature discovery). */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** RuntimeClass that injects the driver (default `nvidia`). */
  readonly runtimeClassName?: string;
  /** Prometheus URL KEDA queries (default `http://prometheus-operated.monitoring.svc:9090`). */
  readonly prometheusUrl?: string;
  /** Labels of the ServiceMonitor so a Prometheus selects it (default `release: prometheus`). */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
}

const NAME = 'vigil-gpu-exporter';
const LABELS = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'vigil', 'app.kubernetes.io/managed-by': 'vigil' };
const SELECTOR = { 'app.kubernetes.io/name': NAME };

function yamlFile(path: string, specPath: string, value: unknown): YamlDocument {
  return { path, format: 'yaml', source: specPath, value };
}

/** A Kubernetes name from free text: lower-case, [a-z0-9-], at most 63 characters. */
export function kubeName(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 63)
    .replace(/-$/, '');
}

/** PromQL string literal. */
const q = (s: string) => JSON.stringify(s);

/**
 * Kubernetes manifests of the exporter: a DaemonSet on GPU nodes (read-only root, non-root, no
 * capabilities; the NVIDIA runtime injects the driver library and device nodes), its models
 * ConfigMap, a Service and a ServiceMonitor; per model with `scale`, a KEDA ScaledObject on
 * `vigil_model_queue_depth`, and the equivalent prometheus-adapter rule plus HPA. Pure and
 * deterministic.
 */
/** Node options the exporter runs with in its DaemonSet (and in the exporter benchmark). */
export const EXPORTER_NODE_OPTIONS = '--max-semi-space-size=8';

export function generateExporterManifests(models: ModelsFile | undefined, options: ExporterManifestOptions = {}): YamlDocument[] {
  const spec = options.specPath ?? inputPaths.exporterModels;
  const ns = options.namespace ?? 'vigil-monitoring';
  const port = options.port ?? 9400;
  const dir = 'kubernetes/gpu-exporter';
  const args = [
    'exporter',
    '--source',
    options.source ?? 'nvml',
    '--listen',
    `0.0.0.0:${port}`,
    '--interval',
    options.interval ?? '5s',
    ...(models ? ['--models', '/etc/vigil/models.yaml'] : []),
  ];
  const artifacts: YamlDocument[] = [];
  if (models) {
    const modelsText = options.modelsText ?? `${JSON.stringify(models, null, 2)}\n`;
    artifacts.push(
      yamlFile(`${dir}/configmap.yaml`, spec, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${NAME}-models`, namespace: ns, labels: LABELS },
        data: { 'models.yaml': modelsText },
      }),
    );
  }
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: NAME, namespace: ns, labels: LABELS },
    spec: {
      selector: { matchLabels: SELECTOR },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: { labels: LABELS },
        spec: {
          runtimeClassName: options.runtimeClassName ?? 'nvidia',
          nodeSelector: options.nodeSelector ?? { 'nvidia.com/gpu.present': 'true' },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          priorityClassName: 'system-node-critical',
          automountServiceAccountToken: false,
          // Non-root works with NVML: the runtime's device nodes are world-readable (0666).
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'exporter',
              image: options.image ?? 'ghcr.io/vigil-monitoring/vigil:0.1.0',
              args,
              env: [
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' },
                { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'utility' },
                // Caps V8's young generation, which otherwise grows in steps under scrape load and
                // moves RSS by 16-32 MiB; the exporter's live heap is about 12 MiB (BENCHMARKS.md).
                { name: 'NODE_OPTIONS', value: EXPORTER_NODE_OPTIONS },
              ],
              ports: [{ name: 'metrics', containerPort: port, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 20, failureThreshold: 3 },
              resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '160Mi' } },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              ...(models ? { volumeMounts: [{ name: 'models', mountPath: '/etc/vigil', readOnly: true }] } : {}),
            },
          ],
          ...(models ? { volumes: [{ name: 'models', configMap: { name: `${NAME}-models` } }] } : {}),
        },
      },
    },
  };
  artifacts.push(yamlFile(`${dir}/daemonset.yaml`, spec, daemonSet));
  artifacts.push(
    yamlFile(`${dir}/service.yaml`, spec, {
      apiVersion: 'v1',
      kind: 'Service',
      // prometheus-operator names the job after this label (the ServiceMonitor's jobLabel), not the
      // Service name, so the alerts' job="…" and the scraped targets agree by construction.
      metadata: { name: NAME, namespace: ns, labels: { ...LABELS, [EXPORTER_JOB_LABEL]: options.job ?? DEFAULT_EXPORTER_JOB } },
      spec: { type: 'ClusterIP', clusterIP: 'None', selector: SELECTOR, ports: [{ name: 'metrics', port, targetPort: 'metrics', protocol: 'TCP' }] },
    }),
  );
  artifacts.push(
    yamlFile(`${dir}/servicemonitor.yaml`, spec, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: NAME, namespace: ns, labels: { ...LABELS, ...(options.serviceMonitorLabels ?? { release: 'prometheus' }) } },
      spec: {
        jobLabel: EXPORTER_JOB_LABEL,
        selector: { matchLabels: SELECTOR },
        namespaceSelector: { matchNames: [ns] },
        endpoints: [
          {
            port: 'metrics',
            path: '/metrics',
            interval: options.scrapeInterval ?? '15s',
            scrapeTimeout: '10s',
            relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
          },
        ],
      },
    }),
  );
  artifacts.push(...generateAutoscaling(models, { ...options, specPath: spec }));
  return artifacts.sort((a, b) => a.path.localeCompare(b.path));
}

/** KEDA ScaledObjects and the equivalent prometheus-adapter rule + HPAs, one per model with `scale`. */
export function generateAutoscaling(models: ModelsFile | undefined, options: ExporterManifestOptions = {}): YamlDocument[] {
  const spec = options.specPath ?? inputPaths.exporterModels;
  const scaled = (models?.servers ?? []).flatMap((s) =>
    (s.models ?? []).filter((m) => m.scale).map((m) => ({ server: s.name, model: m.name, scale: m.scale! })),
  );
  if (scaled.length === 0) return [];
  const out: YamlDocument[] = [];
  const defaultNs = models?.namespace ?? 'default';
  for (const { server, model, scale } of scaled) {
    const name = kubeName(server, model);
    const ns = scale.namespace ?? defaultNs;
    const target = scale.queueDepthPerReplica ?? 10;
    const min = scale.minReplicas ?? 1;
    const max = scale.maxReplicas ?? 10;
    const query = `sum(vigil_model_queue_depth{server=${q(server)},model=${q(model)}})`;
    out.push(
      yamlFile(`kubernetes/autoscaling/keda/${name}.scaledobject.yaml`, spec, {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'vigil', 'vigil.dev/model': kubeName(model), 'vigil.dev/server': server } },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: scale.kind ?? 'Deployment', name: scale.target },
          minReplicaCount: min,
          maxReplicaCount: max,
          pollingInterval: 15,
          cooldownPeriod: 300,
          triggers: [
            {
              type: 'prometheus',
              metadata: {
                serverAddress: options.prometheusUrl ?? 'http://prometheus-operated.monitoring.svc:9090',
                query,
                threshold: String(target),
                ignoreNullValues: 'true',
              },
            },
          ],
        },
      }),
    );
    out.push(
      yamlFile(`kubernetes/autoscaling/prometheus-adapter/${name}.hpa.yaml`, spec, {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'vigil' } },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: scale.kind ?? 'Deployment', name: scale.target },
          minReplicas: Math.max(1, min),
          maxReplicas: max,
          metrics: [
            {
              type: 'External',
              external: {
                metric: { name: 'vigil_model_queue_depth', selector: { matchLabels: { server, model } } },
                target: { type: 'AverageValue', averageValue: String(target) },
              },
            },
          ],
        },
      }),
    );
  }
  // One external rule serves every model: HPAs select their series by the model/server labels.
  out.push(
    yamlFile('kubernetes/autoscaling/prometheus-adapter/rules.yaml', spec, {
      externalRules: [
        {
          seriesQuery: 'vigil_model_queue_depth{model!="",server!=""}',
          resources: { namespaced: false },
          name: { matches: '^vigil_model_queue_depth$', as: 'vigil_model_queue_depth' },
          metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (model, server)',
        },
      ],
    }),
  );
  return out;
}

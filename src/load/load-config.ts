import fs from 'node:fs';
import path from 'node:path';
import { inputPaths } from '../conventions.js';
import { DEFAULT_SLO_EVALUATION_INTERVAL } from '../model/slo-math.js';
import type { SourceRef } from '../model/types.js';
import type { Diagnostics } from '../diagnostics.js';
import { requireApiVersion } from './api-version.js';
import { applyToDocument, type EnvOverride } from './env-overlay.js';
import { CONFIG_SCHEMA_CODES, ConfigSchema, type ConfigSpec } from './config-schema.js';
import { readYamlFile } from './read-yaml.js';
import { readTsSource } from './ts-source.js';
import { DEFAULT_K6_CONFIG, resolveK6Config, type K6Config } from './k6-config.js';
import { typecheckModules } from './typecheck-modules.js';
import { validateWithSchema } from './validate-schema.js';

/** The project's configuration with every default applied (see ConfigSchema for each key). */
/**
 * Labels PrometheusRule and ServiceMonitor objects carry when the configuration names none: what
 * kube-prometheus-stack's default ruleSelector/serviceMonitorSelector match for a Helm release
 * named `prometheus` (`release: <release name>`). Another release name: set
 * kubernetes.rules.labels and kubernetes.exporter.serviceMonitorLabels.
 */
export const PROMETHEUS_SELECTOR_LABELS: Readonly<Record<string, string>> = { release: 'prometheus' };

export interface ProjectConfig {
  /** The config file, when the project has one. */
  readonly file: string | undefined;
  /** Grafana base URL without a trailing slash; undefined: dashboard links stay Grafana-relative. */
  readonly grafanaUrl: string | undefined;
  /** `prometheus.url` without a trailing slash: what `vigil status` and `vigil report` ask by default. */
  readonly prometheusUrl: string | undefined;
  /** Runbook base URL without a trailing slash; undefined: the default SLO runbook is a repo path. */
  readonly runbookBaseUrl: string | undefined;
  /** The GPU exporter's Prometheus job (undefined: gpu-exporter), for its ServiceMonitor and the built-in packs. */
  readonly exporterJob: string | undefined;
  /** jobs.nodeExporter: the built-in packs' `nodeJob`. */
  readonly nodeExporterJob: string | undefined;
  /** jobs.kubeStateMetrics: the built-in packs' `kubeStateMetricsJob`. */
  readonly kubeStateMetricsJob: string | undefined;
  /**
   * `slos.evaluationInterval`: every SLO rule group's `interval` (an SLO file's own
   * `evaluationInterval` wins); `at` is where the config sets it (undefined: the default 1m).
   */
  readonly sloEvaluationInterval: { readonly text: string; readonly at: SourceRef | undefined };
  /** The declared environments (`environments:`, a list or the keys of a mapping), as written. */
  readonly environments: readonly string[];
  /** Where `environments:` is written (CFG010 and CFG011 point there); undefined without one. */
  readonly environmentsAt: SourceRef | undefined;
  /** `grafana.datasources`: the uid each dashboard datasource variable selects by default (per type). */
  readonly datasources: Readonly<Record<string, string>>;
  /** What the rendered environment's `environments.<env>` block changed (empty without one). */
  readonly overrides: readonly EnvOverride[];
  readonly rules: { readonly namespace: string | undefined; readonly labels: Readonly<Record<string, string>> };
  readonly exporter: { readonly namespace: string | undefined; readonly serviceMonitorLabels: Readonly<Record<string, string>> };
  /** kubernetes.rollbackTrigger: the trigger's manifests (each field undefined: the generator's default). */
  readonly rollbackTrigger: {
    readonly namespace: string | undefined;
    readonly image: string | undefined;
    readonly replicas: number | undefined;
    readonly monitoringNamespace: string | undefined;
  };
  readonly dashboards: {
    readonly namespace: string | undefined;
    readonly instanceSelector: Readonly<Record<string, string>> | undefined;
    readonly folder: string | undefined;
  };
  /** The `k6` section: load tests generated from the SLOs and the thresholds of `vigil k6 compare`. */
  readonly k6: K6Config;
}

/** The configuration of a project without `vigil.config.yaml`. */
export const DEFAULT_CONFIG: ProjectConfig = {
  file: undefined,
  grafanaUrl: undefined,
  prometheusUrl: undefined,
  runbookBaseUrl: undefined,
  exporterJob: undefined,
  nodeExporterJob: undefined,
  kubeStateMetricsJob: undefined,
  sloEvaluationInterval: { text: DEFAULT_SLO_EVALUATION_INTERVAL, at: undefined },
  environments: [],
  environmentsAt: undefined,
  datasources: {},
  overrides: [],
  rules: { namespace: undefined, labels: PROMETHEUS_SELECTOR_LABELS },
  exporter: { namespace: undefined, serviceMonitorLabels: PROMETHEUS_SELECTOR_LABELS },
  rollbackTrigger: { namespace: undefined, image: undefined, replicas: undefined, monitoringNamespace: undefined },
  dashboards: { namespace: undefined, instanceSelector: undefined, folder: undefined },
  k6: DEFAULT_K6_CONFIG,
};

/**
 * Reads `vigil.config.yaml`, or `vigil.config.ts` (default-exporting `defineConfig({...})`), at the
 * root when present (codes CFG001, CFG003–CFG006; SPEC033 for a type error); defaults otherwise.
 */
export async function loadConfig(root: string, diags: Diagnostics, env?: string): Promise<ProjectConfig> {
  const yaml = path.join(root, inputPaths.config);
  const ts = path.join(root, inputPaths.config.replace(/\.yaml$/, '.ts'));
  const file = fs.existsSync(yaml) ? yaml : fs.existsSync(ts) ? ts : undefined;
  if (!file) return DEFAULT_CONFIG;
  if (file === yaml && fs.existsSync(ts))
    diags.warning('CFG002', `${path.basename(ts)} is ignored: ${path.basename(yaml)} is the configuration`, { file: path.basename(ts) }, 'keep one of the two');
  const mistyped =
    file === ts &&
    (
      await typecheckModules(root, [path.basename(ts)], diags, {
        code: 'SPEC033',
        hint: 'the configuration does not match defineConfig; fix it at this position',
        cache: 'config-typecheck',
      })
    ).size > 0;
  const source = mistyped ? undefined : file === ts ? await readTsSource(root, file, diags) : await readYamlFile(root, file, diags);
  if (!source) return DEFAULT_CONFIG;
  if (!requireApiVersion(source, diags, { code: 'CFG001', hint: 'start the file with apiVersion: vigil/v1 and kind: VigilConfig' })) return DEFAULT_CONFIG;
  if (!validateWithSchema(ConfigSchema, source, diags, CONFIG_SCHEMA_CODES)) return DEFAULT_CONFIG;
  const written = (source.value as ConfigSpec).environments;
  const environments = Array.isArray(written) ? [...written] : Object.keys(written ?? {});
  // The mapping form carries each environment's overrides: the schema checked them in place;
  // the rendered environment's are merged onto the base settings here.
  const applied = Array.isArray(written) ? { source, overrides: [] } : applyToDocument(source, [], { env, declared: environments, overlays: new Map() }, diags);
  const spec = applied.source.value as ConfigSpec;
  const k = spec.kubernetes ?? {};
  return {
    file: source.file,
    grafanaUrl: spec.grafana?.url?.replace(/\/+$/, ''),
    prometheusUrl: spec.prometheus?.url?.replace(/\/+$/, ''),
    runbookBaseUrl: spec.runbooks?.baseUrl?.replace(/\/+$/, ''),
    exporterJob: spec.jobs?.exporter,
    nodeExporterJob: spec.jobs?.nodeExporter,
    kubeStateMetricsJob: spec.jobs?.kubeStateMetrics,
    sloEvaluationInterval: spec.slos?.evaluationInterval
      ? { text: spec.slos.evaluationInterval, at: { file: source.file, ...applied.source.positionOf(['slos', 'evaluationInterval']) } }
      : DEFAULT_CONFIG.sloEvaluationInterval,
    environments,
    environmentsAt: written !== undefined ? { file: source.file, ...source.keyPositionOf(['environments']) } : undefined,
    datasources: Object.fromEntries(Object.entries(spec.grafana?.datasources ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
    overrides: applied.overrides,
    rules: { namespace: k.rules?.namespace, labels: k.rules?.labels ?? PROMETHEUS_SELECTOR_LABELS },
    exporter: { namespace: k.exporter?.namespace, serviceMonitorLabels: k.exporter?.serviceMonitorLabels ?? PROMETHEUS_SELECTOR_LABELS },
    rollbackTrigger: {
      namespace: k.rollbackTrigger?.namespace,
      image: k.rollbackTrigger?.image,
      replicas: k.rollbackTrigger?.replicas,
      monitoringNamespace: k.rollbackTrigger?.monitoringNamespace,
    },
    dashboards: { namespace: k.dashboards?.namespace, instanceSelector: k.dashboards?.instanceSelector, folder: k.dashboards?.folder },
    k6: resolveK6Config(spec.k6, source, root, diags),
  };
}

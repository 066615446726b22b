/**
 * Every name vigil generates: recording rules, labels, alert names, uids, file paths.
 * Generators import these; nothing formats a generated name by hand.
 */

/** Label keys on every SLO series and alert. */
export const LABEL_SLO = 'slo';
export const LABEL_SERVICE = 'service';
export const LABEL_SEVERITY = 'severity';
export const LABEL_LONG_WINDOW = 'long_window';
export const LABEL_SHORT_WINDOW = 'short_window';
/** Label names a spec may not set itself (vigil owns them). */
export const RESERVED_LABELS: readonly string[] = [
  LABEL_SLO,
  LABEL_SERVICE,
  LABEL_SEVERITY,
  LABEL_LONG_WINDOW,
  LABEL_SHORT_WINDOW,
  'alertname',
  'le',
  '__name__',
];

/**
 * Annotations of every SLO burn-rate alert besides summary, description, runbook_url and
 * dashboard_url: the SLO and budget figures a notification shows (vigil's Alertmanager templates
 * read them by these names).
 */
export const SLO_FIGURE_ANNOTATIONS = {
  /** `99.9% over 30d` */
  objective: 'objective',
  /** Burn rate both windows exceed, e.g. `14.4x`. */
  burnRateThreshold: 'burn_rate_threshold',
  /** The error ratio that burn rate means, e.g. `1.44%`. */
  errorRatioThreshold: 'error_ratio_threshold',
  /** Share of the period's error budget spent in the long window at that burn rate, e.g. `2%`. */
  budgetConsumed: 'budget_consumed',
} as const;

export const DEFAULT_SLO_ALERT_NAME = 'ErrorBudgetBurn';
export const DEFAULT_PAGE_SEVERITY = 'critical';
export const DEFAULT_TICKET_SEVERITY = 'warning';

/** The SLO id: `<service>-<name>`. */
export function sloId(service: string, name: string): string {
  return `${service}-${name}`;
}

/**
 * Recording rules of one SLO. `window` is a Prometheus duration such as `5m`, `1h`, `30d`.
 * - errors/total: per-second rates of bad and of all events averaged over the window.
 * - error ratio: errors / total, 0 when there was no traffic (never NaN).
 * - burn rate: error ratio / error budget.
 * - base window only: `<part>_rise`, one raw read's increase up to any counter reset, and
 *   `events`, the total's tile split by which extra errors/good matchers hold (when one raw read
 *   serves both).
 */
export const sloSeries = {
  errors: (window: string) => `slo:errors:rate${window}`,
  total: (window: string) => `slo:total:rate${window}`,
  rise: (part: 'total' | 'errors' | 'good' | 'events', window: string) => `slo:${part}_rise:rate${window}`,
  events: (window: string) => `slo:events:rate${window}`,
  errorRatio: (window: string) => `slo:error_ratio:rate${window}`,
  burnRate: (window: string) => `slo:burn_rate:rate${window}`,
  /** Objective as a ratio (0.999), one series per SLO. */
  objective: 'slo:objective:ratio',
  /** Error budget as a ratio (1 - objective). */
  errorBudget: 'slo:error_budget:ratio',
  /** Share of the period's error budget left: 1 - period error ratio / budget (negative = overspent). */
  errorBudgetRemaining: 'slo:error_budget_remaining:ratio',
  /** The period in seconds, one series per SLO. */
  periodSeconds: 'slo:period:seconds',
} as const;

/** Rule group name for one SLO's rules. */
export function sloRuleGroupName(id: string): string {
  return `vigil-slo-${id}`;
}

/** Dashboard uid of a service's SLO dashboard (Grafana uids are at most 40 chars). */
export function sloDashboardUid(service: string): string {
  return boundedUid(`vigil-slo-${service}`);
}

/**
 * Grafana uids are at most 40 characters. A longer name keeps a readable prefix and ends in a
 * hash of the whole name, so two long names with a common prefix never share a uid.
 */
export function boundedUid(name: string): string {
  if (name.length <= 40) return name;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return `${name.slice(0, 31)}-${h.toString(16).padStart(8, '0')}`;
}

/**
 * The Prometheus job of vigil's GPU exporter: the generated ServiceMonitor makes prometheus-operator
 * name the job this (jobLabel), and the built-in packs select it (their `exporterJob` param).
 */
export const DEFAULT_EXPORTER_JOB = 'gpu-exporter';
/** Label on the exporter's Service whose value prometheus-operator takes as the job name. */
export const EXPORTER_JOB_LABEL = 'vigil.dev/job';

/**
 * The SLI-health alert of every SLO: the indicator measures nothing real (its series are absent,
 * the threshold matches no bucket, ...). One name for all SLOs; the `slo` and `reason` labels tell them apart.
 */
export const SLI_HEALTH_ALERT_NAME = 'SLOIndicatorBroken';
/** Label of SLOIndicatorBroken saying what is wrong with the indicator (values: `sliHealthReasons`). */
export const LABEL_REASON = 'reason';
/** Values of the `reason` label of SLOIndicatorBroken. */
export const sliHealthReasons = {
  /** The indicator's total series are absent while the service's targets are scraped. */
  noTotalSeries: 'no_total_series',
  /** A latency SLO's histogram exists but has no bucket at the threshold (every request counts as slow). */
  noThresholdBucket: 'no_threshold_bucket',
  /** The error ratio is exactly 1 for 30 minutes with traffic, and the good series are absent. */
  allBad: 'all_bad',
} as const;
/** Runbook of SLOIndicatorBroken (under the configured runbook base URL, else in docs/runbooks/). */
export const SLI_HEALTH_RUNBOOK_FILE = 'slo-indicator-broken.md';

/** The runbook SLO alerts link when their spec names none (under the configured runbook base URL, else in docs/runbooks/). */
export const DEFAULT_SLO_RUNBOOK_FILE = 'error-budget-burn.md';

/** Grafana-relative URL of a service's SLO dashboard with the SLO selected. */
export function sloDashboardUrl(service: string, id: string): string {
  return `/d/${sloDashboardUid(service)}?var-slo=${encodeURIComponent(id)}`;
}

/** Dashboard uid of a dashboards/<file>.ts module: `vigil-<file>` (stable across renames of the title). */
export function dashboardUid(fileBase: string): string {
  return boundedUid(`vigil-${fileBase}`);
}

/** Dashboard tag marking a dashboard as owned by vigil: `apply --prune` deletes only dashboards carrying it. */
export const DASHBOARD_OWNER_TAG = 'managed-by-vigil';

/** Name of the grafana-operator GrafanaDashboard resource of a dashboard (a Kubernetes name). */
export function grafanaDashboardResourceName(uid: string): string {
  return uid
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63);
}

/** Name of the Argo Rollouts AnalysisTemplate that gates a service's canary on its SLO burn rates. */
export function rolloutAnalysisTemplateName(service: string): string {
  return `vigil-slo-${service}`.slice(0, 63);
}

/** Output paths, relative to the render output dir (DESIGN A3). */
/** Input files at fixed places under the project root (the folders are read whole: slos/, alerts/, dashboards/). */
export const inputPaths = {
  /** The project's configuration (optional, kind VigilConfig). */
  config: 'vigil.config.yaml',
  /** The GPU exporter's model-server list (optional). */
  exporterModels: 'exporters/gpu/models.yaml',
  /** Per-environment overlay files: `envs/<env>/` mirrors `slos/`, `alerts/` and `exporters/gpu/`. */
  envOverlays: 'envs',
} as const;

/** The folders an environment's overlay directory mirrors (`envs/<env>/<folder>/*.yaml`). */
export const ENV_OVERLAY_FOLDERS = ['slos', 'alerts', 'exporters/gpu'] as const;

export const outputPaths = {
  sloRules: (service: string) => `prometheus/rules/${service}.slo.rules.yaml`,
  sloTests: (service: string) => `prometheus/tests/${service}.slo.test.yaml`,
  alertRules: (name: string) => `prometheus/rules/${name}.alerts.rules.yaml`,
  alertmanager: 'alertmanager/alertmanager.yml',
  dashboard: (uid: string) => `grafana/dashboards/${uid}.json`,
  dashboardProvisioning: 'grafana/provisioning/dashboards.yaml',
  grafanaDashboardResource: (uid: string) => `kubernetes/grafana-dashboards/${uid}.yaml`,
  lokiRules: (name: string) => `loki/rules/${name}.rules.yaml`,
  kubernetes: (name: string) => `kubernetes/${name}`,
  rolloutAnalysis: (service: string) => `kubernetes/rollouts/${service}.analysis.yaml`,
  rolloutCanarySteps: (service: string) => `kubernetes/rollouts/${service}.canary-steps.yaml`,
  alertTests: (name: string) => `prometheus/tests/${name}.alerts.test.yaml`,
  /** vigil's Alertmanager notification templates; alertmanager.yml names them relative to its own directory. */
  alertmanagerTemplates: 'alertmanager/templates/vigil.tmpl',
  /** Route test cases of the Alertmanager config, read by `vigil test` (amtool config routes test). */
  alertmanagerRouteTests: 'alertmanager/route-tests.json',
  /** prometheus-operator PrometheusRule of one Prometheus rule file (`<name>` = file name without `.yaml`). */
  prometheusRuleCrd: (name: string) => `kubernetes/prometheus-rules/${name}.yaml`,
  /** Mimir/Cortex ruler layout: one file per tenant and rule namespace (mimirtool takes the namespace from the file name). */
  mimirRules: (tenant: string, namespace: string) => `mimir/rules/${tenant}/${namespace}.yaml`,
  /** The k6 load test of one service (TypeScript typed against @types/k6). */
  k6Script: (service: string) => `k6/${service}.ts`,
} as const;

/**
 * k6 Rate metric a generated load test records per latency SLO: 1 for a request slower than the
 * SLO's threshold, else 0 (its rate is the SLO's bad-event ratio, which `vigil k6 verify` reads).
 * k6 metric names allow letters, digits and `_` only.
 */
export function k6SlowMetric(sloId: string): string {
  return `vigil_slow_${sloId.replace(/[^a-zA-Z0-9]+/g, '_')}`;
}

/** Environment variable that picks the scenario of a generated load test (smoke, baseline, burn-drill). */
export const K6_SCENARIO_ENV = 'K6_SCENARIO';

/** Label that routes an alert to its team (routing.yaml `teams`). */
export const LABEL_TEAM = 'team';
/** Label naming the node an alert is about; node-level inhibitions compare it. */
export const LABEL_NODE = 'node';

/** Runbook file of an alert in this repo: `docs/runbooks/<kebab-case alert name>.md`. */
export function alertRunbookPath(alert: string): string {
  return `docs/runbooks/${alert
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()}.md`;
}

/** metadata.name of the PrometheusRule generated from a rule file. */
export function prometheusRuleName(fileName: string): string {
  return `vigil-${fileName.replace(/\.ya?ml$/, '').replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

/** Stream selector `vigil logs` searches when none is given: every stream that has a namespace. */
export const LOKI_DEFAULT_STREAM_SELECTOR = '{namespace=~".+"}';

/** First line of every generated TypeScript file (k6 load tests). */
export function generatedTsHeader(specPaths: readonly string[]): string {
  return `// generated by vigil from ${specPaths.join(', ')}, do not edit`;
}

/** First line of every generated YAML file. */
export function generatedHeader(specPath: string): string {
  return `# generated by vigil from ${specPath}, do not edit`;
}

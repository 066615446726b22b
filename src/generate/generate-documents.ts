import { outputPaths } from '../conventions.js';
import type { ProjectModel } from '../project/project-model.js';
import { generateAlertmanagerDocuments } from './alertmanager/alertmanager-config.js';
import { generateAlertRuleGroups } from './alerts/alert-rules.js';
import { generateAlertTests } from './alerts/alert-tests.js';
import type { Document } from './document.js';
import { generateDashboardJson } from './grafana/dashboard-json.js';
import { generateGrafanaDashboardResource } from './grafana/operator.js';
import { generateDashboardProvisioning } from './grafana/provisioning.js';
import { generateK6Script } from './k6/k6-script.js';
import { k6Targets } from './k6/k6-targets.js';
import { generateExporterManifests } from './kubernetes/exporter-manifests.js';
import { generateRollbackTriggerManifests, triggerName } from './kubernetes/rollback-trigger-manifests.js';
import { generateMimirRuleFiles } from './kubernetes/mimir-rules.js';
import { generatePrometheusRule } from './kubernetes/prometheus-rule.js';
import { placeRuleFiles } from './kubernetes/rule-placement.js';
import { prometheusRuleFiles, slosByService } from './prometheus/rule-files.js';
import { planShapeProofs } from './promtool-tests/shape-proofs.js';
import { generateSloTests, type SloTestCache } from './promtool-tests/slo-tests.js';
import { generateRolloutAnalysis } from './rollouts/analysis-templates.js';

/** What the render stage lends the generators: a memo that only saves work (results never depend on it). */
export interface GenerateOptions {
  readonly sloTestCache?: SloTestCache;
  /** Every SLO's tests run the full scenarios, even where an SLO of the same rule shape already does. */
  readonly fullProofs?: boolean;
}

/**
 * Every output document of the project (pure; the model must be free of errors). Lazy: documents
 * are produced as the caller iterates, so the render stage can write each and let it go.
 */
export function* generateDocuments(model: ProjectModel, options: GenerateOptions = {}): Generator<Document> {
  yield* prometheusDocuments(model);
  yield* sloTestDocuments(model, options.sloTestCache ?? (new Map() as SloTestCache), options.fullProofs ?? false);
  yield* alertPackDocuments(model);
  if (model.routing) yield* generateAlertmanagerDocuments(model.routing);
  yield* generateRolloutAnalysis(model.slos);
  const { file, spec, text } = model.exporter;
  const { namespace: exporterNamespace, serviceMonitorLabels } = model.config.exporter;
  yield* generateExporterManifests(spec, {
    ...(file ? { specPath: file } : {}),
    ...(text ? { modelsText: text } : {}),
    ...(exporterNamespace ? { namespace: exporterNamespace } : {}),
    ...(serviceMonitorLabels ? { serviceMonitorLabels } : {}),
    ...(model.config.exporterJob ? { job: model.config.exporterJob } : {}),
  });
  yield* rollbackTriggerDocuments(model);
  yield* grafanaDocuments(model);
  for (const target of k6Targets(model)) yield generateK6Script(target);
}

/** The rollback trigger's manifests, one StatefulSet per rollback policy (none without a policy). */
function* rollbackTriggerDocuments(model: ProjectModel): Generator<Document> {
  const { namespace, image, replicas, monitoringNamespace } = model.config.rollbackTrigger;
  const many = model.rollbackPolicies.length > 1;
  for (const { file, policy } of model.rollbackPolicies)
    yield* generateRollbackTriggerManifests(policy.document, file, `${JSON.stringify(policy.document, null, 2)}\n`, {
      name: triggerName(file, many),
      ...(namespace ? { namespace } : {}),
      ...(image ? { image } : {}),
      ...(replicas ? { replicas } : {}),
      ...(monitoringNamespace ? { monitoringNamespace } : {}),
      serviceMonitorLabels: model.config.exporter.serviceMonitorLabels,
    });
}

/**
 * Prometheus rule files, each again as a PrometheusRule in the namespace `rulePlacement` gives
 * it, and (only with a `rulePlacement:` section) the Mimir/Cortex ruler layout, which needs every
 * file at once.
 */
function* prometheusDocuments(model: ProjectModel): Generator<Document> {
  const placement = model.routing?.rulePlacement;
  const { namespace, labels } = model.config.rules;
  const files = placement ? [...prometheusRuleFiles(model)] : prometheusRuleFiles(model);
  for (const file of files) {
    yield { path: file.path, format: 'rules', source: file.specPath, groups: file.groups };
    const [placed] = placeRuleFiles(placement, [file], namespace);
    yield generatePrometheusRule(file.name, file.specPath, file.groups, { namespace: placed!.placement.namespace, labels });
  }
  if (placement && Array.isArray(files)) yield* generateMimirRuleFiles(placeRuleFiles(placement, files, namespace));
}

/**
 * Generated promtool tests of each service's SLOs (built when rendered: simulating is the costly
 * part). One SLO per rule shape runs the full scenarios; the others of that shape a short one.
 */
function* sloTestDocuments(model: ProjectModel, cache: SloTestCache, fullProofs: boolean): Generator<Document> {
  const provenBy = fullProofs ? new Map() : planShapeProofs(model.slos);
  for (const [service, list] of slosByService(model.slos)) {
    const tests = generateSloTests(list, { ruleFile: `../rules/${service}.slo.rules.yaml`, cache, provenBy });
    // JSON is YAML 1.2 (promtool reads it as such) and is written an order of magnitude faster
    // than block YAML, which matters for projects with thousands of SLOs.
    if (tests.build) yield { path: outputPaths.sloTests(service), format: 'json', source: list[0]!.source.file, indent: 1, build: tests.build };
  }
}

/** Each alert pack's promtool tests and Loki ruler file (its Prometheus rule file is a rule file above). */
function* alertPackDocuments(model: ProjectModel): Generator<Document> {
  for (const pack of model.alertPacks) {
    const { prometheus, loki } = generateAlertRuleGroups(pack);
    if (prometheus.length > 0) {
      const tests = generateAlertTests(pack, { ruleFile: `../rules/${pack.name}.alerts.rules.yaml` });
      if (tests) yield { path: outputPaths.alertTests(pack.name), format: 'yaml', source: pack.file, value: tests };
    }
    if (loki.length > 0) yield { path: outputPaths.lokiRules(pack.name), format: 'rules', source: pack.file, groups: loki };
  }
}

/** Dashboard JSON, the grafana-operator resources and file provisioning (when there are dashboards). */
function* grafanaDocuments(model: ProjectModel): Generator<Document> {
  for (const { dashboard, file } of model.dashboards) {
    yield generateDashboardJson(dashboard);
    const { namespace, instanceSelector, folder } = model.config.dashboards;
    yield generateGrafanaDashboardResource(dashboard, JSON.stringify(dashboard), file, {
      ...(namespace ? { namespace } : {}),
      ...(instanceSelector ? { instanceSelector } : {}),
      ...(folder ? { folder } : {}),
    });
  }
  if (model.dashboards.length > 0) yield generateDashboardProvisioning();
}

import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SLO_RUNBOOK_FILE, SLI_HEALTH_RUNBOOK_FILE, inputPaths, sloDashboardUrl, sloSeries } from '../conventions.js';
import { Diagnostics } from '../diagnostics.js';
import { packModelFromSource, resolveParams, validateOverlay, validatePackSchema } from '../alerts/load-alert-packs.js';
import type { AlertPackModel } from '../alerts/model.js';
import { resolveBuiltinPack, usesBuiltin } from '../alerts/builtin-packs.js';
import { readAlertFiles, type AlertFiles } from '../alerts/read-alert-files.js';
import { registerExternalMetrics, registerStackMetrics } from '../alerts/register-metrics.js';
import type { AlertPackSpec } from '../alerts/schema.js';
import { finalizeDashboard } from '../dashboards/finalize-dashboard.js';
import { loadDashboards } from '../dashboards/load-dashboards.js';
import { loadConfig, type ProjectConfig } from '../load/load-config.js';
import { loadSlos } from '../load/load-slos.js';
import type { YamlSource } from '../load/yaml-source.js';
import { formatMinutes } from '../model/duration.js';
import { MetricCatalog } from '../model/metric-catalog.js';
import { recordedWindows } from '../model/slo-math.js';
import type { SloModel } from '../model/types.js';
import { compilePolicy } from '../rollback/policy/load-policy.js';
import { routingModelFromSource } from '../routing/load-routing.js';
import type { RoutingModel } from '../routing/model.js';
import { EXPORTER_METRICS } from '../../exporters/gpu/metric-catalog.js';
import { checkModelsSource } from '../../exporters/gpu/models/load-models-file.js';
import { readYamlFile } from '../load/read-yaml.js';
import { checkDeclared, withEnvironment, type EnvironmentLoad, type EnvOverride } from '../load/env-overlay.js';
import { loadEnvironment, reportUnknownEnvironment } from '../load/load-environment.js';
import { withPackLinks } from './alert-links.js';
import type { DashboardModel, ProjectModel } from './project-model.js';

/** The loaded project and every diagnostic loading it produced (the model is partial when there are errors). */
export interface LoadedProject {
  readonly model: ProjectModel;
  readonly diagnostics: Diagnostics;
}

/**
 * Loads everything under `root` once: every file is read and parsed once, validated by its own
 * kind's rules, and turned into the model. All problems of the run are collected.
 */
/** Built-in pack params that vigil.config.yaml sets for every built-in pack declaring them. */
function configuredPackParams(config: ProjectConfig): Record<string, string | undefined> {
  return {
    runbookBase: config.runbookBaseUrl,
    exporterJob: config.exporterJob,
    nodeJob: config.nodeExporterJob,
    kubeStateMetricsJob: config.kubeStateMetricsJob,
  };
}

export async function loadProject(root: string, options: { env?: string | undefined } = {}): Promise<LoadedProject> {
  const diags = new Diagnostics();
  const env = options.env;
  const config = await loadConfig(root, diags, env);
  const environment = await loadEnvironment(root, env, config, diags);
  const [loaded, read] = await Promise.all([loadSlos(root, diags, environment), readAlertFiles(root, diags, environment)]);
  const environments = checkPackEnvironments(read, env, config, diags);
  environment.overrides.push(...config.overrides, ...packParamOverrides(read, env));
  // Packs that use a built-in pack become complete packs here; everything after sees one kind.
  const packs = await Promise.all(
    read.AlertPack.map((s) => (usesBuiltin(s) ? resolveBuiltinPack(s, configuredPackParams(config), diags) : Promise.resolve(s))),
  );
  const alertFiles: AlertFiles = { ...read, AlertPack: packs.filter((s): s is YamlSource => s !== undefined) };
  const slos = loaded.map((slo) => withLinks(slo, config));
  const exporter = await loadExporterModels(root, diags, environment);
  const metrics = metricCatalog(slos, alertFiles, diags);
  const alertPacks = loadAlertPacks(alertFiles, env, metrics, diags).map((p) => withPackLinks(p, config));
  const routing = loadRouting(alertFiles.AlertRouting, diags);
  const rollbackPolicies = alertFiles.RollbackPolicy.flatMap((source) => {
    const policy = compilePolicy(source, diags, slos);
    return policy ? [{ file: source.file, policy }] : [];
  });
  const dashboards = await loadFinalizedDashboards(root, slos, env, config, diags);
  const overrides = environment.overrides;
  const model: ProjectModel = { config, env, environments, overrides, slos, alertPacks, routing, metrics, dashboards, exporter, rollbackPolicies };
  return { model, diagnostics: diags };
}

/** An SLO's alert links as the config sets them: absolute dashboard URL, runbook under the runbook base. */
function withLinks(slo: SloModel, config: ProjectConfig): SloModel {
  if (!config.grafanaUrl && !config.runbookBaseUrl) return slo;
  return {
    ...slo,
    ...(config.grafanaUrl ? { dashboardUrl: `${config.grafanaUrl}${sloDashboardUrl(slo.service, slo.id)}` } : {}),
    ...(config.runbookBaseUrl && slo.runbook === undefined ? { runbook: `${config.runbookBaseUrl}/${DEFAULT_SLO_RUNBOOK_FILE}` } : {}),
    ...(config.runbookBaseUrl ? { sliHealthRunbook: `${config.runbookBaseUrl}/${SLI_HEALTH_RUNBOOK_FILE}` } : {}),
  };
}

/**
 * The environments of the project: those vigil.config.yaml declares, where every environment an
 * alert pack (`environments:`) or an AlertParams overlay (`env:`) names must be declared (CFG011).
 * A project without declared environments may still use those two (as before environments were
 * declared), with a warning (CFG012); `--env` must then be one of them (CFG010).
 */
function checkPackEnvironments(files: AlertFiles, env: string | undefined, config: ProjectConfig, diags: Diagnostics): string[] {
  const uses: { name: string; source: YamlSource; at: (string | number)[]; keyed: boolean }[] = [];
  const keysOf = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  for (const s of files.AlertPack)
    for (const k of keysOf((s.value as { environments?: unknown }).environments)) uses.push({ name: k, source: s, at: ['environments', k], keyed: true });
  for (const s of files.AlertParams) {
    const name = (s.value as { env?: unknown }).env;
    if (typeof name === 'string') uses.push({ name, source: s, at: ['env'], keyed: false });
  }
  if (config.environments.length > 0) {
    for (const u of uses) checkDeclared(u.name, config.environments, u.source, u.at, diags, u.keyed);
    return [...config.environments].sort();
  }
  const names = [...new Set(uses.map((u) => u.name))].sort();
  const first = uses[0];
  if (first)
    diags.warning(
      'CFG012',
      `environments ${names.join(', ')} are used but not declared`,
      { file: first.source.file, ...first.source.keyPositionOf(first.at), path: first.at.join('.') },
      `declare them in vigil.config.yaml (environments: [${names.join(', ')}]); environments: blocks, envs/<env>/ and --all-envs need it`,
    );
  if (env !== undefined && !names.includes(env)) reportUnknownEnvironment(env, config, diags, names);
  return names;
}

/** The rendered environment's alert pack parameters (pack `environments.<env>`, AlertParams `env: <env>`) as overrides. */
function packParamOverrides(files: AlertFiles, env: string | undefined): EnvOverride[] {
  if (env === undefined) return [];
  const out: EnvOverride[] = [];
  for (const s of files.AlertPack) {
    const spec = s.value as { name?: unknown; environments?: Record<string, Record<string, unknown>> };
    for (const k of Object.keys(spec.environments?.[env] ?? {})) {
      const pos = s.positionOf(['environments', env, k]);
      out.push({ env, file: pos.file ?? s.file, line: pos.line, column: pos.column, target: s.file, path: `params.${k}` });
    }
  }
  for (const s of files.AlertParams) {
    const spec = s.value as { env?: unknown; packs?: Record<string, Record<string, unknown>> };
    if (spec.env !== env) continue;
    for (const [pack, values] of Object.entries(spec.packs ?? {}))
      for (const k of Object.keys(values ?? {})) {
        const pos = s.positionOf(['packs', pack, k]);
        out.push({ env, file: s.file, line: pos.line, column: pos.column, target: `pack ${pack}`, path: `params.${k}` });
      }
  }
  return out;
}

/**
 * What alert expressions may read: the SLOs' recording rules, the exporter's metrics, the
 * monitoring stack's own series and the declared external metrics.
 */
function metricCatalog(slos: readonly SloModel[], files: AlertFiles, diags: Diagnostics): MetricCatalog {
  const metrics = new MetricCatalog();
  // Recording-rule names depend only on the window, and SLOs share a handful of periods.
  const windows = new Set<number>();
  for (const period of new Set(slos.map((s) => s.periodMinutes))) for (const w of recordedWindows({ periodMinutes: period })) windows.add(w);
  for (const w of [...windows].sort((x, y) => x - y)) {
    for (const f of [sloSeries.errors, sloSeries.total, sloSeries.errorRatio, sloSeries.burnRate]) metrics.add(f(formatMinutes(w)), 'recording-rule');
  }
  for (const name of [sloSeries.objective, sloSeries.errorBudget, sloSeries.errorBudgetRemaining, sloSeries.periodSeconds]) metrics.add(name, 'recording-rule');
  for (const m of EXPORTER_METRICS) metrics.add(m.name, 'exporter');
  registerStackMetrics(metrics);
  for (const f of files.ExternalMetrics) registerExternalMetrics(f, metrics, diags);
  return metrics;
}

/** Alert packs with this environment's parameters; pack names must be unique (they name the output files). */
function loadAlertPacks(files: AlertFiles, env: string | undefined, metrics: MetricCatalog, diags: Diagnostics): AlertPackModel[] {
  const byName = new Map<string, YamlSource>();
  for (const s of files.AlertPack.filter((f) => validatePackSchema(f, diags))) {
    const name = (s.value as AlertPackSpec).name;
    const prior = byName.get(name);
    if (prior) {
      diags.error(
        'ALR072',
        `alert pack ${JSON.stringify(name)} is also declared in ${prior.file}`,
        { file: s.file, ...s.positionOf(['name']), path: 'name' },
        'pack names name the output files; make them unique',
      );
      continue;
    }
    byName.set(name, s);
  }
  const declared = new Map([...byName].map(([name, s]) => [name, Object.keys((s.value as AlertPackSpec).params ?? {})] as const));
  const overlays = files.AlertParams.filter((o) => validateOverlay(o, declared, diags));
  return [...byName.values()].flatMap((s) => packModelFromSource(s, resolveParams(s, overlays, env, diags), metrics, diags) ?? []);
}

/** The one routing policy (a second is an error). */
function loadRouting(files: readonly YamlSource[], diags: Diagnostics): RoutingModel | undefined {
  const [first, ...extra] = files;
  if (!first) return undefined;
  for (const e of extra)
    diags.error('RTE002', `only one routing policy is allowed; ${first.file} already declares one`, { file: e.file, ...e.positionOf(['kind']), path: 'kind' });
  return routingModelFromSource(first, diags);
}

async function loadExporterModels(root: string, diags: Diagnostics, environment: EnvironmentLoad): Promise<ProjectModel['exporter']> {
  const file = path.join(root, inputPaths.exporterModels);
  if (!fs.existsSync(file)) return { file: undefined, spec: undefined };
  const [source] = withEnvironment([await readYamlFile(root, file, diags)], 'exporters/gpu', environment, diags);
  const config = source && checkModelsSource(source, diags);
  return { file: inputPaths.exporterModels, spec: config?.spec, ...(source ? { text: source.text } : {}) };
}

/** Dashboards built by the project's modules, finalized; a module exporting several must give each a uid (DASH032). */
async function loadFinalizedDashboards(
  root: string,
  slos: readonly SloModel[],
  env: string | undefined,
  config: ProjectConfig,
  diags: Diagnostics,
): Promise<DashboardModel[]> {
  const loaded = await loadDashboards(root, { slos, env, datasources: config.datasources }, diags);
  const sources = new Map<string, string>();
  const sourceOf = (file: string) => {
    if (!sources.has(file)) sources.set(file, fs.readFileSync(path.join(root, file), 'utf8'));
    return sources.get(file)!;
  };
  return loaded.flatMap((l) => {
    if (l.count > 1 && !l.dashboard.uid) {
      diags.error('DASH032', `dashboard ${JSON.stringify(l.dashboard.title ?? '')} needs an explicit uid: its module exports ${l.count} dashboards`, {
        file: l.file,
      });
      return [];
    }
    return [
      {
        dashboard: finalizeDashboard(l.dashboard, { uid: l.defaultUid, specPath: l.file, datasources: config.datasources }),
        file: l.file,
        moduleSource: sourceOf(l.file),
      },
    ];
  });
}

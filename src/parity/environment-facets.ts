import { generateAlertmanagerConfig } from '../generate/alertmanager/alertmanager-config.js';
import type { EnvOverride } from '../load/env-overlay.js';
import type { SloModel } from '../model/types.js';
import type { ProjectModel } from '../project/project-model.js';
import { routeAlert } from './route-alert.js';

/** What parity compares. */
export type ParityKind = 'slo' | 'alert' | 'route' | 'routing' | 'dashboard' | 'rollback' | 'exporter' | 'config';

/**
 * One thing parity compares across environments: its facets as plain data, and which overrides
 * explain a difference at a facet path (`explains`).
 */
export interface Facet {
  readonly kind: ParityKind;
  readonly subject: string;
  readonly value: Readonly<Record<string, unknown>>;
  explains(o: EnvOverride, path: string): boolean;
  /** The spec path that most directly sets facet path `path` (the best of several explaining overrides is the closest to it). */
  specPathOf?(path: string): string;
  /** An explanation in the input itself rather than an override (a dashboard module that reads `env`). */
  readonly implicit?: EnvOverride;
}

/** `o` sets `prefix` or something inside it. */
const under = (o: EnvOverride, prefix: string) => o.path === prefix || o.path.startsWith(`${prefix}.`) || o.path.startsWith(`${prefix}[`);
const top = (path: string) => /^[^.[]*/.exec(path)![0];

/** Every facet of one environment's model, in a stable order. */
export function environmentFacets(model: ProjectModel): Facet[] {
  return [
    ...sloFacets(model),
    ...alertFacets(model),
    ...routeFacets(model),
    ...dashboardFacets(model),
    ...model.rollbackPolicies.map(({ file, policy }): Facet => ({
      kind: 'rollback',
      subject: file,
      value: policy.document,
      explains: (o) => o.target === file,
    })),
    ...(model.exporter.spec
      ? [
          {
            kind: 'exporter',
            subject: model.exporter.file ?? 'exporter',
            value: model.exporter.spec,
            explains: (o: EnvOverride) => o.target === model.exporter.file,
          } as Facet,
        ]
      : []),
    configFacet(model),
  ];
}

/** SLO facets, and which spec keys of the SLO file each one reads. */
function sloFacets(model: ProjectModel): Facet[] {
  return model.slos.map((slo) => {
    const n = `slos[${slo.name}]`;
    const reads: Record<string, readonly string[]> = {
      objective: [`${n}.objective`],
      period: ['period'],
      windows: ['period', 'alerting', `${n}.alerting`],
      thresholds: ['period', 'alerting', `${n}.alerting`, `${n}.objective`],
      indicator: [`${n}.indicator`, `${n}.groupBy`],
      alerting: ['alerting', `${n}.alerting`],
      labels: ['labels'],
      evaluationInterval: ['evaluationInterval'],
      '(presence)': [n],
    };
    const config = model.config.file;
    return {
      kind: 'slo',
      subject: slo.id,
      value: sloValue(slo, model.config.sloEvaluationInterval.text),
      specPathOf: (path) => (['objective', 'thresholds'].includes(top(path)) ? `${n}.objective` : top(path) === 'labels' ? path : `${n}.${path}`),
      explains: (o, path) =>
        // An SLO an overlay adds is written in the overlay: its source is that file.
        ((o.target === slo.source.file || o.file === slo.source.file) && (reads[top(path)] ?? [n]).some((p) => under(o, p))) ||
        (top(path) === 'evaluationInterval' && o.target === config && under(o, 'slos.evaluationInterval')),
    };
  });
}

function sloValue(slo: SloModel, interval: string): Record<string, unknown> {
  const ind = slo.indicator;
  return {
    objective: slo.objectivePercent,
    period: slo.period,
    windows: slo.windows.map((w) => `${w.tier} ${w.long}/${w.short} at ${w.factor}x (${w.severity})`),
    thresholds: slo.windows.map((w) => `${w.long}/${w.short} error ratio > ${Number(w.threshold.toPrecision(6))}`),
    indicator: ind.kind === 'latency' ? { kind: ind.kind, threshold: ind.threshold } : { kind: ind.kind },
    alerting: { name: slo.alertName, labels: slo.alertLabels, runbook: slo.runbook ?? null },
    labels: slo.labels,
    evaluationInterval: slo.evaluationInterval ?? interval,
  };
}

function alertFacets(model: ProjectModel): Facet[] {
  return model.alertPacks.flatMap((pack) =>
    pack.groups.flatMap((g) =>
      g.alerts.map((a): Facet => ({
        kind: 'alert',
        subject: `${pack.name}/${a.name}`,
        value: { expr: a.expr, for: a.for ?? null, severity: a.severity, labels: a.labels, group: g.name },
        explains: (o) => o.target === pack.file || o.target === `pack ${pack.name}`,
      })),
    ),
  );
}

/**
 * Where alerts go: every alert's receivers (pack alerts and each SLO's page/ticket alerts), every
 * team × severity path, and the routing file's receivers and grouping.
 */
function routeFacets(model: ProjectModel): Facet[] {
  const routing = model.routing;
  if (!routing) return [];
  const config = generateAlertmanagerConfig(routing);
  const byRouting = (o: EnvOverride) => o.target === routing.file;
  const out: Facet[] = [];
  for (const pack of model.alertPacks)
    for (const g of pack.groups)
      for (const a of g.alerts)
        out.push({
          kind: 'route',
          subject: `alert ${pack.name}/${a.name}`,
          value: { receivers: routeAlert(config, { alertname: a.name, severity: a.severity, ...a.labels }) },
          specPathOf: () => `teams.${a.labels.team ?? ''}.${a.severity}`,
          explains: (o) => byRouting(o) || o.target === pack.file || o.target === `pack ${pack.name}`,
        });
  for (const slo of model.slos)
    for (const tier of ['page', 'ticket'] as const) {
      const w = slo.windows.find((x) => x.tier === tier);
      if (!w) continue;
      const labels: Record<string, string> = {
        ...slo.labels,
        ...slo.alertLabels,
        alertname: slo.alertName,
        slo: slo.id,
        service: slo.service,
        severity: w.severity,
      };
      out.push({
        kind: 'route',
        subject: `slo ${slo.id} ${tier}`,
        value: { receivers: routeAlert(config, labels) },
        specPathOf: () => `teams.${labels.team ?? ''}.${w.severity}`,
        explains: (o) => byRouting(o) || o.target === slo.source.file || o.file === slo.source.file,
      });
    }
  for (const team of Object.keys(routing.teams).sort())
    for (const severity of ['critical', 'warning', 'info'])
      out.push({
        kind: 'route',
        subject: `team=${team} severity=${severity}`,
        value: { receivers: routeAlert(config, { team, severity }) },
        specPathOf: () => `teams.${team}.${severity}`,
        explains: byRouting,
      });
  out.push({
    kind: 'routing',
    subject: routing.file,
    value: { defaultReceiver: routing.defaultReceiver, grouping: routing.grouping, receivers: routing.receivers, inhibitions: routing.inhibitions },
    explains: byRouting,
  });
  return out;
}

interface LoosePanel {
  title?: unknown;
  type?: unknown;
  panels?: LoosePanel[];
  targets?: { expr?: unknown }[];
}

/**
 * Dashboards by uid: panels by title with their queries, and the data source each datasource
 * variable selects. A module that reads `env` explains its own differences (at the first line
 * that does); data source uids are explained by `grafana.datasources` overrides.
 */
function dashboardFacets(model: ProjectModel): Facet[] {
  return model.dashboards.map(({ dashboard, file, moduleSource }) => {
    const panels: Record<string, unknown> = {};
    const all: LoosePanel[] = [];
    for (const p of (dashboard.panels ?? []) as LoosePanel[]) all.push(p, ...(p.type === 'row' ? (p.panels ?? []) : []));
    for (const p of all) {
      if (p.type === 'row') continue;
      const title = typeof p.title === 'string' && p.title !== '' ? p.title : '(untitled)';
      panels[title] = { type: p.type, queries: (p.targets ?? []).map((t) => (typeof t.expr === 'string' ? t.expr : null)) };
    }
    const list = (
      (dashboard as { templating?: { list?: { type?: unknown; query?: unknown; current?: { value?: unknown } }[] } }).templating?.list ?? []
    ).filter((v) => v.type === 'datasource');
    const datasources = Object.fromEntries(list.map((v) => [String(v.query), v.current?.value ?? null]));
    const readsEnv = envLine(moduleSource);
    return {
      kind: 'dashboard',
      subject: String(dashboard.uid),
      value: { title: dashboard.title, panels, datasources },
      specPathOf: (path) => `grafana.${path}`,
      explains: (o, path) => top(path) === 'datasources' && o.target === model.config.file && under(o, 'grafana.datasources'),
      ...(readsEnv !== undefined ? { implicit: { env: '', file, line: readsEnv, column: 1, target: file, path: '(the module reads env)' } } : {}),
    };
  });
}

/** The first line of a dashboard module that reads `env` (its input's environment). */
export function envLine(source: string): number | undefined {
  const i = source.split('\n').findIndex((l) => /\benv\b/.test(l) && !/^\s*(\/\/|\*|\/\*)/.test(l));
  return i < 0 ? undefined : i + 1;
}

function configFacet(model: ProjectModel): Facet {
  const c = model.config;
  return {
    kind: 'config',
    subject: c.file ?? 'vigil.config.yaml',
    value: {
      grafanaUrl: c.grafanaUrl ?? null,
      runbookBaseUrl: c.runbookBaseUrl ?? null,
      jobs: { exporter: c.exporterJob ?? null, nodeExporter: c.nodeExporterJob ?? null, kubeStateMetrics: c.kubeStateMetricsJob ?? null },
      sloEvaluationInterval: c.sloEvaluationInterval.text,
      kubernetes: { rules: c.rules, exporter: c.exporter, rollbackTrigger: c.rollbackTrigger, dashboards: c.dashboards },
      datasources: c.datasources,
    },
    specPathOf: configSpecPath,
    // Only an override of the setting itself (or of a mapping around it) explains it.
    explains: (o, path) => {
      const p = configSpecPath(path);
      return o.target === c.file && (under(o, p) || p.startsWith(`${o.path}.`));
    },
  };
}

/** The config file's key behind a facet path of the config facet. */
function configSpecPath(path: string): string {
  const [head = '', ...rest] = path.split('.');
  const tail = rest.length > 0 ? `.${rest.join('.')}` : '';
  const keys: Record<string, string> = {
    grafanaUrl: 'grafana.url',
    runbookBaseUrl: 'runbooks.baseUrl',
    sloEvaluationInterval: 'slos.evaluationInterval',
    datasources: 'grafana.datasources',
  };
  return `${keys[head] ?? head}${tail}`;
}

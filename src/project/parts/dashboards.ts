import fs from 'node:fs';
import path from 'node:path';
import { outputPaths } from '../../conventions.js';
import { loadDashboards } from '../../dashboards/load-dashboards.js';
import { declareAmbientMetrics, sloIndicatorMetrics } from '../../dashboards/metric-sources.js';
import { findingPath } from '../../dashboards/lint/finding.js';
import { lintDashboard } from '../../dashboards/lint/lint-dashboard.js';
import { finalizeDashboard, renderDashboardJson } from '../../generate/grafana/finalize-dashboard.js';
import { renderGrafanaDashboardResource } from '../../generate/grafana/operator.js';
import { renderDashboardProvisioning } from '../../generate/grafana/provisioning.js';
import type { Artifact, BuildContext, ProjectPart } from '../types.js';

/** Line and column of the first `'title'` / `"title"` literal in a module's source (0 when absent). */
function locate(source: string, title: string | undefined): { line: number; column: number } {
  if (!title) return { line: 0, column: 0 };
  for (const q of ["'", '"', '`']) {
    const i = source.indexOf(`${q}${title}${q}`);
    if (i >= 0) {
      const before = source.slice(0, i);
      const line = before.split('\n').length;
      return { line, column: i - before.lastIndexOf('\n') };
    }
  }
  return { line: 0, column: 0 };
}

/**
 * Dashboards: loads `dashboards/*.ts`, stamps ids/refIds/ownership, lints each dashboard
 * (findings at `file:line:col` of the panel's title, path `dashboard › panel › target`), and emits
 * the JSON, Grafana file provisioning and grafana-operator resources.
 */
export const dashboardsPart: ProjectPart = {
  name: 'dashboards',
  async build(ctx: BuildContext) {
    declareAmbientMetrics(ctx.metrics);
    for (const slo of ctx.slos) for (const m of sloIndicatorMetrics(slo)) ctx.metrics.add(m, 'external');
    const loaded = await loadDashboards(ctx.root, { slos: ctx.slos, env: ctx.env }, ctx.diags);
    const sources = new Map<string, string>();
    const source = (file: string) => {
      if (!sources.has(file)) sources.set(file, fs.readFileSync(path.join(ctx.root, file), 'utf8'));
      return sources.get(file)!;
    };
    const artifacts: Artifact[] = [];
    const uids = new Map<string, string>();
    for (const l of loaded) {
      if (l.count > 1 && !l.dashboard.uid) {
        ctx.diags.error('DASH032', `dashboard ${JSON.stringify(l.dashboard.title ?? '')} needs an explicit uid: its module exports ${l.count} dashboards`, { file: l.file });
        continue;
      }
      const d = finalizeDashboard(l.dashboard, { uid: l.defaultUid, specPath: l.file });
      const uid = d.uid ?? '';
      const title = d.title ?? '';
      const other = uids.get(uid);
      if (other) {
        ctx.diags.error('DASH032', `dashboard uid ${uid} is also used by ${other}`, { file: l.file, ...locate(source(l.file), title) });
        continue;
      }
      uids.set(uid, l.file);
      for (const f of lintDashboard(d, { knowsMetric: (m) => ctx.metrics.has(m) })) {
        const at = { file: l.file, ...locate(source(l.file), f.panel ?? f.variable ?? title), path: findingPath(title, f) };
        const msg = `${f.message} [${f.rule}]`;
        if (f.severity === 'error') ctx.diags.error(f.code, msg, at);
        else ctx.diags.warning(f.code, msg, at);
      }
      artifacts.push({ path: outputPaths.dashboard(uid), content: renderDashboardJson(d) });
      artifacts.push({ path: outputPaths.grafanaDashboardResource(uid), content: renderGrafanaDashboardResource(d, JSON.stringify(d), l.file) });
    }
    if (artifacts.length > 0) artifacts.push({ path: outputPaths.dashboardProvisioning, content: renderDashboardProvisioning() });
    return artifacts;
  },
};

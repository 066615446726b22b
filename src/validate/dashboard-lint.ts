import type { Diagnostics } from '../diagnostics.js';
import { locateTitle } from '../dashboards/locate-title.js';
import { findingPath } from '../dashboards/lint/finding.js';
import { lintDashboard } from '../dashboards/lint/lint-dashboard.js';
import { declareAmbientMetrics, sloIndicatorMetrics } from '../dashboards/metric-sources.js';
import type { ProjectModel } from '../project/project-model.js';
import { dashboardsWithOwnUid } from './dashboard-uids.js';

/** The lint finding of a query reading a metric nothing produces. */
const UNKNOWN_METRIC = 'DASH027';

/**
 * Lints each dashboard (findings at `file:line:col` of the panel's or variable's title, path
 * `dashboard › panel › target`). Queries may read what alerts may, plus the metrics around every
 * platform (kube-state-metrics, model servers) and those the SLOs' indicators read.
 */
export function checkDashboardLint(model: ProjectModel, diags: Diagnostics): void {
  if (model.dashboards.length === 0) return;
  const slosBroken = diags.errors.some((e) => e.file.startsWith('slos/'));
  const metrics = model.metrics.clone();
  declareAmbientMetrics(metrics);
  for (const slo of model.slos) for (const m of sloIndicatorMetrics(slo)) metrics.add(m, 'external');
  for (const d of dashboardsWithOwnUid(model)) {
    const title = d.dashboard.title ?? '';
    for (const f of lintDashboard(d.dashboard, { knowsMetric: (m) => metrics.has(m) })) {
      // A broken SLO file drops its indicator metrics from the catalog: "unknown metric" in a
      // dashboard would only repeat that error, so it waits until the SLOs load.
      if (f.code === UNKNOWN_METRIC && slosBroken) continue;
      const at = { file: d.file, ...locateTitle(d.moduleSource, f.panel ?? f.variable ?? title), path: findingPath(title, f) };
      const msg = `${f.message} [${f.rule}]`;
      if (f.severity === 'error') diags.error(f.code, msg, at);
      else diags.warning(f.code, msg, at);
    }
  }
}

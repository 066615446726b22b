import type { Diagnostics } from '../diagnostics.js';
import { locateTitle } from '../dashboards/locate-title.js';
import type { DashboardModel, ProjectModel } from '../project/project-model.js';

/** DASH032: dashboard uids are unique (they name the output files and Grafana's identity). */
export function checkDashboardUids(model: ProjectModel, diags: Diagnostics): void {
  const owners = new Map<string, string>();
  for (const d of model.dashboards) {
    const uid = d.dashboard.uid ?? '';
    const other = owners.get(uid);
    if (other) diags.error('DASH032', `dashboard uid ${uid} is also used by ${other}`, { file: d.file, ...locateTitle(d.moduleSource, d.dashboard.title) });
    else owners.set(uid, d.file);
  }
}

/** The dashboards that own their uid (the first of each); a later one with the same uid is only reported. */
export function dashboardsWithOwnUid(model: ProjectModel): DashboardModel[] {
  const seen = new Set<string>();
  return model.dashboards.filter((d) => {
    const uid = d.dashboard.uid ?? '';
    if (seen.has(uid)) return false;
    seen.add(uid);
    return true;
  });
}

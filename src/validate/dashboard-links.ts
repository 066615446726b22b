import { sloDashboardUid } from '../conventions.js';
import type { Diagnostics } from '../diagnostics.js';
import type { ProjectModel } from '../project/project-model.js';

/** The uid a Grafana dashboard link names (`…/d/<uid>[/<slug>][?…]`), or undefined when it names none or is templated. */
export function linkedDashboardUid(url: string): string | undefined {
  const m = /\/d\/([^/?#]+)/.exec(url);
  if (!m || m[1]!.includes('{{') || m[1]!.includes('$')) return undefined;
  return decodeURIComponent(m[1]!);
}

/**
 * DASH040 (warning): an alert's `dashboard_url`, or an SLO's alert link, names a dashboard uid
 * that none of the project's dashboards has, so on-call would click a dead link. Only when the
 * project renders dashboards at all (a project whose dashboards live elsewhere gets no warning);
 * one warning per alert pack and uid, and per service for the SLO dashboards, at the first
 * alert or SLO that links there.
 */
export function checkDashboardLinks(model: ProjectModel, diags: Diagnostics): void {
  if (model.dashboards.length === 0) return;
  const uids = new Set(model.dashboards.map((d) => d.dashboard.uid ?? ''));
  const known = [...uids].sort().join(', ');
  const reported = new Set<string>();
  for (const pack of model.alertPacks) {
    for (const alert of pack.groups.flatMap((g) => g.alerts)) {
      const url = alert.annotations.dashboard_url;
      const uid = url === undefined ? undefined : linkedDashboardUid(url);
      if (uid === undefined || uids.has(uid) || reported.has(`${pack.name}\0${uid}`)) continue;
      reported.add(`${pack.name}\0${uid}`);
      diags.warning(
        'DASH040',
        `alert ${alert.name} (pack ${pack.name}) links to dashboard uid ${JSON.stringify(uid)}, which no dashboard of this project has (uids: ${known})`,
        alert.source,
        `set the pack's dashboard parameter (or the alert's dashboard_url) to a dashboard you render, or render that dashboard`,
      );
    }
  }
  for (const slo of model.slos) {
    // SLO alerts link to their service's SLO dashboard (sloDashboardUrl, with grafana.url in front when set).
    const uid = sloDashboardUid(slo.service);
    if (uids.has(uid) || reported.has(`slo\0${slo.service}`)) continue;
    reported.add(`slo\0${slo.service}`);
    diags.warning(
      'DASH040',
      `the alerts of SLO ${slo.id} link to dashboard uid ${JSON.stringify(uid)}, which no dashboard of this project has`,
      slo.source,
      `export the built-in per-service SLO dashboards from a dashboards/ module (sloDashboards from vigil-monitoring/dashboards)`,
    );
  }
}

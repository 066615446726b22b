import { LABEL_TEAM, SLI_HEALTH_ALERT_NAME } from '../conventions.js';
import type { Diagnostics } from '../diagnostics.js';
import { SLI_HEALTH_SEVERITY, sliHealthPlan } from '../generate/prometheus/sli-health.js';
import type { ProjectModel } from '../project/project-model.js';
import type { Severity } from '../routing/model.js';

/**
 * Every alert and SLO alert reaches a declared team that routes its severity: an unknown team
 * (RTE020) or a missing severity route (RTE022) would reach nobody on purpose; no team at all
 * reaches only the default receiver (RTE021, a warning). Needs a routing policy.
 */
export function checkAlertsRouted(model: ProjectModel, diags: Diagnostics): void {
  const routing = model.routing;
  if (!routing) return;
  // A team problem is reported once per alert or SLO, whatever number of severities it pages with.
  const check = (team: string | undefined, severities: readonly string[], what: string, at: { file: string; line: number; column: number }) => {
    if (team === undefined || team.includes('{{')) {
      diags.warning(
        'RTE021',
        `${what} has no team label; it reaches only the default receiver ${routing.defaultReceiver}`,
        at,
        'add labels: { team: <name> } (teams in alerts/routing.yaml)',
      );
      return;
    }
    const t = routing.teams[team];
    if (!t) {
      diags.error(
        'RTE020',
        `${what} is labelled team=${JSON.stringify(team)}, which alerts/routing.yaml does not declare`,
        at,
        `teams: ${Object.keys(routing.teams).join(', ')}`,
      );
      return;
    }
    for (const severity of severities.filter((s) => !t[s as Severity]))
      diags.error(
        'RTE022',
        `${what} has severity ${severity}, but team ${team} has no route for ${severity}`,
        at,
        `add ${severity}: [receivers] under teams.${team} in alerts/routing.yaml`,
      );
  };
  for (const pack of model.alertPacks) {
    for (const g of pack.groups) for (const a of g.alerts) check(a.labels[LABEL_TEAM], [a.severity], `alert ${a.name}`, a.source);
  }
  for (const slo of model.slos) {
    const team = slo.alertLabels[LABEL_TEAM] ?? slo.labels[LABEL_TEAM];
    // Its SLOIndicatorBroken alerts (severity warning) need a route as much as its burn-rate alerts.
    const sliHealth = sliHealthPlan(slo) !== undefined;
    const severities = [...slo.windows.map((w) => w.severity), ...(sliHealth ? [SLI_HEALTH_SEVERITY] : [])];
    check(team, [...new Set(severities)], `SLO ${slo.id} (${slo.alertName}${sliHealth ? `, ${SLI_HEALTH_ALERT_NAME}` : ''})`, slo.source);
  }
}

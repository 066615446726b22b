import { LABEL_TEAM, outputPaths } from '../../conventions.js';
import { alertBuildState } from '../../alerts/build-state.js';
import { readAlertFiles } from '../../alerts/read-alert-files.js';
import { renderAlertmanagerConfig, renderRouteTests } from '../../generate/alertmanager/alertmanager-config.js';
import { routingModelFromSource } from '../../routing/load-routing.js';
import type { RoutingModel, Severity } from '../../routing/model.js';
import type { Diagnostics } from '../../diagnostics.js';
import type { BuildContext, ProjectPart } from '../types.js';

/**
 * The routing policy (`alerts/routing.yaml`, kind AlertRouting) → `alertmanager/alertmanager.yml`
 * and the declared route tests. Runs after the alerts part: every alert and SLO alert must reach
 * a declared team that routes its severity.
 */
export const routingPart: ProjectPart = {
  name: 'routing',
  async build(ctx) {
    const files = (await readAlertFiles(ctx.root, { error() {}, warning() {}, add() {} } as unknown as Diagnostics)).AlertRouting;
    if (files.length === 0) return [];
    for (const extra of files.slice(1)) ctx.diags.error('RTE002', `only one routing policy is allowed; ${files[0]!.file} already declares one`, { file: extra.file, ...extra.positionOf(['kind']), path: 'kind' });
    const model = routingModelFromSource(files[0]!, ctx.diags);
    if (!model) return [];
    checkAlertsAreRouted(ctx, model);
    return [
      { path: outputPaths.alertmanager, content: renderAlertmanagerConfig(model) },
      { path: outputPaths.alertmanagerRouteTests, content: renderRouteTests(model) },
    ];
  },
};

/** An alert whose team is unknown, or whose team has no route for its severity, would reach nobody on purpose. */
function checkAlertsAreRouted(ctx: BuildContext, model: RoutingModel): void {
  const check = (team: string | undefined, severity: string, what: string, at: { file: string; line: number; column: number }) => {
    if (team === undefined || team.includes('{{')) {
      ctx.diags.warning('RTE021', `${what} has no team label; it reaches only the default receiver ${model.defaultReceiver}`, at, 'add labels: { team: <name> } (teams in alerts/routing.yaml)');
      return;
    }
    const t = model.teams[team];
    if (!t) {
      ctx.diags.error('RTE020', `${what} is labelled team=${JSON.stringify(team)}, which alerts/routing.yaml does not declare`, at, `teams: ${Object.keys(model.teams).join(', ')}`);
      return;
    }
    if (!t[severity as Severity]) ctx.diags.error('RTE022', `${what} has severity ${severity}, but team ${team} has no route for ${severity}`, at, `add ${severity}: [receivers] under teams.${team} in alerts/routing.yaml`);
  };
  for (const pack of alertBuildState(ctx).packs) {
    for (const g of pack.groups) for (const a of g.alerts) check(a.labels[LABEL_TEAM], a.severity, `alert ${a.name}`, a.source);
  }
  for (const slo of ctx.slos) {
    const team = slo.alertLabels[LABEL_TEAM] ?? slo.labels[LABEL_TEAM];
    for (const severity of new Set(slo.windows.map((w) => w.severity))) check(team, severity, `SLO ${slo.id} (${slo.alertName})`, slo.source);
  }
}

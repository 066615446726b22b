import { outputPaths } from '../../conventions.js';
import { alertBuildState } from '../../alerts/build-state.js';
import { readAlertFiles } from '../../alerts/read-alert-files.js';
import { renderMimirRuleFiles } from '../../generate/kubernetes/mimir-rules.js';
import { renderPrometheusRule } from '../../generate/kubernetes/prometheus-rule.js';
import { placeRuleFiles, type RuleFileToPlace } from '../../generate/kubernetes/rule-placement.js';
import { generateSloRuleGroup } from '../../generate/prometheus/slo-rules.js';
import type { Diagnostics } from '../../diagnostics.js';
import type { SloModel } from '../../model/types.js';
import { lazyArtifact, type Artifact, type ProjectPart } from '../types.js';

/**
 * Every Prometheus rule file again as a prometheus-operator PrometheusRule in
 * build/kubernetes/prometheus-rules/: the SLO rule files (regenerated from ctx.slos with the same
 * generator) and the alert packs' files (the groups the alerts part rendered). Each goes to the
 * namespace `rulePlacement` in alerts/routing.yaml gives it; with that section, the same files
 * also come out in the Mimir/Cortex ruler layout (build/mimir/rules/<tenant>/<namespace>.yaml).
 */
export const prometheusRuleCrdPart: ProjectPart = {
  name: 'prometheus-rule-crds',
  async build(ctx) {
    if (ctx.diags.hasErrors) return [];
    const files: RuleFileToPlace[] = [];
    const byService = new Map<string, SloModel[]>();
    for (const s of ctx.slos) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
    for (const [service, list] of byService) files.push({ name: `${service}.slo.rules`, specPath: list[0]!.source.file, groups: list.map(generateSloRuleGroup) });
    for (const f of alertBuildState(ctx).ruleFiles) files.push({ name: f.name, specPath: f.specPath, groups: f.groups });
    // The routing part has validated the policy (schema errors stop the build before this part).
    const routing = (await readAlertFiles(ctx.root, { error() {}, warning() {}, add() {} } as unknown as Diagnostics)).AlertRouting[0];
    const placed = placeRuleFiles(routing, files, ctx.diags);
    if (!placed) return [];
    const artifacts: Artifact[] = placed.files.map((f) => lazyArtifact(outputPaths.prometheusRuleCrd(f.name), () => renderPrometheusRule(f.name, f.specPath, f.groups, { namespace: f.placement.namespace })));
    if (placed.mimir) artifacts.push(...renderMimirRuleFiles(placed.files));
    return artifacts;
  },
};

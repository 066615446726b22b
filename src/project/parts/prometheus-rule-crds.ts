import { outputPaths } from '../../conventions.js';
import { alertBuildState } from '../../alerts/build-state.js';
import { renderPrometheusRule } from '../../generate/kubernetes/prometheus-rule.js';
import { generateSloRuleGroup } from '../../generate/prometheus/slo-rules.js';
import type { SloModel } from '../../model/types.js';
import type { Artifact, ProjectPart } from '../types.js';

/**
 * Every Prometheus rule file again as a prometheus-operator PrometheusRule in
 * build/kubernetes/prometheus-rules/: the SLO rule files (regenerated from ctx.slos with the same
 * generator) and the alert packs' files (the groups the alerts part rendered).
 */
export const prometheusRuleCrdPart: ProjectPart = {
  name: 'prometheus-rule-crds',
  async build(ctx) {
    if (ctx.diags.hasErrors) return [];
    const artifacts: Artifact[] = [];
    const byService = new Map<string, SloModel[]>();
    for (const s of ctx.slos) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
    for (const [service, list] of byService) {
      const name = `${service}.slo.rules`;
      artifacts.push({ path: outputPaths.prometheusRuleCrd(name), content: renderPrometheusRule(name, list[0]!.source.file, list.map(generateSloRuleGroup)) });
    }
    for (const f of alertBuildState(ctx).ruleFiles) artifacts.push({ path: outputPaths.prometheusRuleCrd(f.name), content: renderPrometheusRule(f.name, f.specPath, f.groups) });
    return artifacts;
  },
};

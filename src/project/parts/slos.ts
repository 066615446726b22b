import { outputPaths, sloSeries } from '../../conventions.js';
import { generateSloRuleGroup } from '../../generate/prometheus/slo-rules.js';
import { recordedWindows } from '../../model/slo-math.js';
import { renderRuleFile } from '../../generate/prometheus/render-rule-file.js';
import { generateSloTests } from '../../generate/promtool-tests/slo-tests.js';
import { formatMinutes } from '../../model/duration.js';
import { loadSlos } from '../../load/load-slos.js';
import type { SloModel } from '../../model/types.js';
import { lazyArtifact, type Artifact, type ProjectPart } from '../types.js';

/** SLO specs → per-service rule files and promtool tests; fills ctx.slos and the metric catalog. */
export const slosPart: ProjectPart = {
  name: 'slos',
  async build(ctx) {
    const slos = await loadSlos(ctx.root, ctx.diags);
    ctx.slos = slos;
    for (const slo of slos) {
      for (const w of recordedWindows(slo)) {
        for (const f of [sloSeries.errors, sloSeries.total, sloSeries.errorRatio, sloSeries.burnRate]) ctx.metrics.add(f(formatMinutes(w)), 'recording-rule');
      }
    }
    for (const name of [sloSeries.objective, sloSeries.errorBudget, sloSeries.errorBudgetRemaining, sloSeries.periodSeconds]) ctx.metrics.add(name, 'recording-rule');
    const byService = new Map<string, SloModel[]>();
    for (const s of slos) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
    const artifacts: Artifact[] = [];
    // Test simulations are shared between SLOs of the same shape across all services.
    const testCache = new Map();
    for (const [service, list] of byService) {
      const specPath = list[0]!.source.file;
      const rulesPath = outputPaths.sloRules(service);
      artifacts.push(lazyArtifact(rulesPath, () => renderRuleFile(specPath, list.map(generateSloRuleGroup))));
      const tests = generateSloTests(list, { ruleFile: `../rules/${service}.slo.rules.yaml`, specPath, cache: testCache });
      for (const w of tests.warnings) ctx.diags.warning(w.code, w.message, { file: w.slo.source.file, line: w.slo.source.line, column: w.slo.source.column });
      if (tests.render) artifacts.push(lazyArtifact(outputPaths.sloTests(service), tests.render));
    }
    return artifacts;
  },
};

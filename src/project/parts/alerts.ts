import { outputPaths } from '../../conventions.js';
import { setAlertBuildState, type AlertBuildState } from '../../alerts/build-state.js';
import { packModelFromSource, resolveParams, validateOverlay, validatePackSchema } from '../../alerts/load-alert-packs.js';
import type { AlertPackModel } from '../../alerts/model.js';
import { readAlertFiles } from '../../alerts/read-alert-files.js';
import { registerExternalMetrics, registerStackMetrics } from '../../alerts/register-metrics.js';
import type { AlertPackSpec } from '../../alerts/schema.js';
import { generateAlertRuleGroups } from '../../generate/alerts/alert-rules.js';
import { generateAlertTests } from '../../generate/alerts/alert-tests.js';
import { renderRuleFile } from '../../generate/prometheus/render-rule-file.js';
import type { Diagnostics } from '../../diagnostics.js';
import type { YamlSource } from '../../load/yaml-source.js';
import type { Artifact, ProjectPart } from '../types.js';

/**
 * Alert packs (`alerts/*.yaml`, kind AlertPack) → Prometheus rule files, promtool unit tests and
 * Loki ruler files. Registers the monitoring stack's own metrics and the declared external ones
 * first, so every expression is checked against what something actually produces.
 */
export const alertsPart: ProjectPart = {
  name: 'alerts',
  async build(ctx) {
    const files = await readAlertFiles(ctx.root, ctx.diags);
    registerStackMetrics(ctx.metrics);
    for (const f of files.ExternalMetrics) registerExternalMetrics(f, ctx.metrics, ctx.diags);

    const valid = files.AlertPack.filter((s) => validatePackSchema(s, ctx.diags));
    const byName = new Map<string, YamlSource>();
    const unique: YamlSource[] = [];
    for (const s of valid) {
      const name = (s.value as AlertPackSpec).name;
      const prior = byName.get(name);
      if (prior) {
        ctx.diags.error('ALR072', `alert pack ${JSON.stringify(name)} is also declared in ${prior.file}`, { file: s.file, ...s.positionOf(['name']), path: 'name' }, 'pack names name the output files; make them unique');
        continue;
      }
      byName.set(name, s);
      unique.push(s);
    }
    const declared = new Map([...byName].map(([name, s]) => [name, Object.keys((s.value as AlertPackSpec).params ?? {})] as const));
    const overlays = files.AlertParams.filter((o) => validateOverlay(o, declared, ctx.diags));
    const packs: AlertPackModel[] = [];
    for (const s of unique) {
      const params = resolveParams(s, overlays, ctx.env, ctx.diags);
      const model = packModelFromSource(s, params, ctx.metrics, ctx.diags);
      if (model) packs.push(model);
    }
    checkAcrossPacks(packs, ctx.diags);

    const artifacts: Artifact[] = [];
    const ruleFiles: AlertBuildState['ruleFiles'][number][] = [];
    for (const pack of packs) {
      const { prometheus, loki } = generateAlertRuleGroups(pack);
      if (prometheus.length > 0) {
        const path = outputPaths.alertRules(pack.name);
        artifacts.push({ path, content: renderRuleFile(pack.file, prometheus) });
        ruleFiles.push({ name: `${pack.name}.alerts.rules`, path, specPath: pack.file, groups: prometheus });
        const tests = generateAlertTests(pack, { ruleFile: `../rules/${pack.name}.alerts.rules.yaml` });
        if (tests) artifacts.push({ path: outputPaths.alertTests(pack.name), content: tests });
      }
      if (loki.length > 0) artifacts.push({ path: outputPaths.lokiRules(pack.name), content: renderRuleFile(pack.file, loki) });
    }
    setAlertBuildState(ctx, { packs, ruleFiles });
    return artifacts;
  },
};

/** Group names must be unique (one namespace per ruler/CRD); an alert name with identical labels twice is a copy-paste bug. */
function checkAcrossPacks(packs: readonly AlertPackModel[], diags: Diagnostics): void {
  const groups = new Map<string, string>();
  const alerts = new Map<string, { file: string; line: number; column: number }>();
  for (const p of packs) {
    for (const g of p.groups) {
      const prior = groups.get(g.name);
      const first = g.alerts[0];
      if (prior && first) diags.error('ALR071', `rule group ${JSON.stringify(g.name)} is also declared in pack ${prior}`, { file: p.file, line: first.source.line, column: first.source.column }, 'rule group names must be unique across packs');
      groups.set(g.name, p.name);
      for (const a of g.alerts) {
        const key = `${a.datasource}|${a.name}|${JSON.stringify(Object.entries(a.labels).sort())}`;
        const other = alerts.get(key);
        if (other) diags.error('ALR070', `alert ${a.name} with identical labels is also defined at ${other.file}:${other.line}:${other.column}`, { ...a.source }, 'give the two rules different names or labels (e.g. severity), or remove one');
        else alerts.set(key, a.source);
      }
    }
  }
}

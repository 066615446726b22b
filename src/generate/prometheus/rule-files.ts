import { outputPaths } from '../../conventions.js';
import type { SloModel } from '../../model/types.js';
import type { ProjectModel } from '../../project/project-model.js';
import { generateAlertRuleGroups } from '../alerts/alert-rules.js';
import type { RuleFileToPlace } from '../kubernetes/rule-placement.js';
import { generateSloRuleGroup } from './slo-rules.js';

/** One Prometheus rule file: its name (file name without .yaml), output path, spec file and groups. */
export interface RuleFile extends RuleFileToPlace {
  readonly path: string;
}

/** The project's SLOs by service, services in the order of their first SLO id (the model sorts SLOs by id). */
export function slosByService(slos: readonly SloModel[]): Map<string, SloModel[]> {
  const byService = new Map<string, SloModel[]>();
  for (const s of slos) {
    const list = byService.get(s.service);
    if (list) list.push(s);
    else byService.set(s.service, [s]);
  }
  return byService;
}

/**
 * Every Prometheus rule file of the project (pure): one per SLO service, one per alert pack with
 * Prometheus alerts. Lazy: a file's groups are built when it is reached, so a large project never
 * holds every group at once.
 */
export function* prometheusRuleFiles(model: Pick<ProjectModel, 'slos' | 'alertPacks' | 'config'>): Generator<RuleFile> {
  const interval = model.config.sloEvaluationInterval.text;
  for (const [service, list] of slosByService(model.slos)) {
    yield {
      name: `${service}.slo.rules`,
      path: outputPaths.sloRules(service),
      specPath: list[0]!.source.file,
      groups: list.map((s) => generateSloRuleGroup(s, interval)),
    };
  }
  for (const pack of model.alertPacks) {
    const { prometheus } = generateAlertRuleGroups(pack);
    if (prometheus.length > 0) yield { name: `${pack.name}.alerts.rules`, path: outputPaths.alertRules(pack.name), specPath: pack.file, groups: prometheus };
  }
}

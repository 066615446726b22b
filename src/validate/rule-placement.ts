import type { Diagnostics } from '../diagnostics.js';
import { placeRuleFiles, teamsOf, type PlacedRuleFile, type RuleFileToPlace } from '../generate/kubernetes/rule-placement.js';
import { prometheusRuleFiles } from '../generate/prometheus/rule-files.js';
import type { ProjectModel } from '../project/project-model.js';
import type { RulePlacementModel } from '../routing/model.js';

/** Rule placement of the project's rule files (see checkPlacement); runs only on an otherwise valid project. */
export function checkRulePlacement(model: ProjectModel, diags: Diagnostics): void {
  const placement = model.routing?.rulePlacement;
  if (!placement || diags.hasErrors) return;
  checkPlacement(placement, Object.keys(model.routing.teams), [...prometheusRuleFiles(model)], diags, model.config.rules.namespace);
}

/**
 * Errors, at their position in the routing policy: a placement for an undeclared team (RPL001),
 * for a rule file nothing generates (RPL002), a file whose teams are placed differently (RPL003),
 * two rule files placed in one Mimir namespace with a group name in common (RPL004). Returns the
 * placed files, or undefined when there was any error.
 */
export function checkPlacement(
  placement: RulePlacementModel,
  teams: readonly string[],
  files: readonly RuleFileToPlace[],
  diags: Diagnostics,
  defaultNamespace?: string,
): PlacedRuleFile[] | undefined {
  const before = diags.errors.length;
  const spec = placement.spec;
  for (const team of Object.keys(spec.teams ?? {})) {
    if (!teams.includes(team))
      diags.error(
        'RPL001',
        `rulePlacement for team ${JSON.stringify(team)}, which is not declared under teams:`,
        placement.teamsAt[team]!,
        `teams: ${teams.join(', ')}`,
      );
  }
  const names = files.map((f) => f.name);
  for (const name of Object.keys(spec.files ?? {})) {
    if (!names.includes(name))
      diags.error(
        'RPL002',
        `rulePlacement for rule file ${JSON.stringify(name)}, which nothing generates`,
        placement.filesAt[name]!,
        `rule files: ${names.join(', ')}`,
      );
  }
  const placed = placeRuleFiles(placement, files, defaultNamespace);
  for (const f of placed) {
    if (!f.conflicting) continue;
    diags.error(
      'RPL003',
      `rule file ${f.name} holds rules of teams ${teamsOf(f.groups).join(', ')}, which are placed differently (${f.conflicting.join(', ')})`,
      placement.at,
      `place it explicitly: rulePlacement.files: { ${f.name}: { namespace: ..., tenant: ... } }`,
    );
  }
  const groupOwner = new Map<string, string>();
  for (const f of placed) {
    for (const g of f.groups) {
      const key = `${f.placement.tenant}/${f.placement.namespace}/${g.name}`;
      const owner = groupOwner.get(key);
      if (owner && owner !== f.name)
        diags.error(
          'RPL004',
          `rule files ${owner} and ${f.name} both put group ${g.name} into Mimir namespace ${f.placement.namespace} of tenant ${f.placement.tenant}; group names must be unique there`,
          placement.at,
          'place one of the files in another namespace under rulePlacement.files',
        );
      groupOwner.set(key, f.name);
    }
  }
  return diags.errors.length > before ? undefined : placed;
}

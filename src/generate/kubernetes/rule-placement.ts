import { LABEL_TEAM } from '../../conventions.js';
import type { RuleGroup } from '../../model/rule-group.js';
import type { RulePlacementModel } from '../../routing/model.js';
import { DEFAULT_RULE_NAMESPACE } from './prometheus-rule.js';

/** Mimir's tenant when multi-tenancy is off (`-auth.no-auth-tenant`). */
export const DEFAULT_RULE_TENANT = 'anonymous';

export interface Placement {
  readonly namespace: string;
  readonly tenant: string;
}

/** One rule file about to be placed: its name (file name without .yaml), spec file and groups. */
export interface RuleFileToPlace {
  readonly name: string;
  readonly specPath: string;
  readonly groups: readonly RuleGroup[];
}

export interface PlacedRuleFile extends RuleFileToPlace {
  readonly placement: Placement;
  /** The placements of the file's teams when they disagree (the file then needs an explicit entry). */
  readonly conflicting?: readonly string[];
}

/**
 * Places rule files (pure): `rulePlacement.files.<name>` wins, else the placement of the one team
 * the file's rules carry (`rulePlacement.teams`), else the default (`rulePlacement.default`, else
 * `defaultNamespace`: the configured one or `monitoring`). Without a `rulePlacement:` section
 * everything goes to the default namespace and tenant.
 */
export function placeRuleFiles(
  placement: RulePlacementModel | undefined,
  files: readonly RuleFileToPlace[],
  defaultNamespace = DEFAULT_RULE_NAMESPACE,
): PlacedRuleFile[] {
  const spec = placement?.spec;
  const fallback: Placement = { namespace: spec?.default?.namespace ?? defaultNamespace, tenant: spec?.default?.tenant ?? DEFAULT_RULE_TENANT };
  if (!spec) return files.map((f) => ({ ...f, placement: fallback }));
  const merge = (over: Partial<Placement> | undefined): Placement => ({
    namespace: over?.namespace ?? fallback.namespace,
    tenant: over?.tenant ?? fallback.tenant,
  });
  return files.map((f): PlacedRuleFile => {
    const explicit = spec.files?.[f.name];
    if (explicit) return { ...f, placement: merge(explicit) };
    const options = new Map(teamsOf(f.groups).map((t) => [t, merge(spec.teams?.[t])]));
    const distinct = [...new Set([...options.values()].map((p) => `${p.tenant}/${p.namespace}`))];
    return { ...f, placement: options.values().next().value ?? fallback, ...(distinct.length > 1 ? { conflicting: distinct } : {}) };
  });
}

/** The distinct, non-templated `team` labels of a file's rules, sorted. */
export function teamsOf(groups: readonly RuleGroup[]): string[] {
  const teams = new Set<string>();
  for (const g of groups) {
    for (const r of g.rules) {
      const t = r.labels?.[LABEL_TEAM];
      if (t !== undefined && !t.includes('{{')) teams.add(t);
    }
  }
  return [...teams].sort();
}

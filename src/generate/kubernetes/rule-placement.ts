import { LABEL_TEAM } from '../../conventions.js';
import type { Diagnostics } from '../../diagnostics.js';
import type { RulePlacementSpec } from '../../routing/schema.js';
import { formatPath, type YamlSource } from '../../load/yaml-source.js';
import type { RuleGroup } from '../prometheus/rule-types.js';
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
}

/**
 * Places every rule file (pure apart from diagnostics): `rulePlacement.files.<name>` wins, else
 * the placement of the one team the file's rules carry (`rulePlacement.teams`), else the default.
 * `mimir` is true when the policy has a `rulePlacement:` section (the Mimir layout is opt-in).
 * Errors, at their position in the routing policy: a placement for an undeclared team (RPL001),
 * for a rule file nothing generates (RPL002), a file whose teams are placed differently (RPL003),
 * two rule files placed in one Mimir namespace with a group name in common (RPL004).
 */
export function placeRuleFiles(source: YamlSource | undefined, files: readonly RuleFileToPlace[], diags: Diagnostics): { files: PlacedRuleFile[]; mimir: boolean } | undefined {
  const raw = (source?.value as { rulePlacement?: RulePlacementSpec; teams?: Record<string, unknown> } | undefined) ?? {};
  const spec = raw.rulePlacement;
  const fallback: Placement = { namespace: spec?.default?.namespace ?? DEFAULT_RULE_NAMESPACE, tenant: spec?.default?.tenant ?? DEFAULT_RULE_TENANT };
  if (!spec || !source) return { files: files.map((f) => ({ ...f, placement: fallback })), mimir: false };
  const before = diags.errors.length;
  const at = (p: (string | number)[]) => ({ file: source.file, ...source.keyPositionOf(p), path: formatPath(p) });
  const declared = Object.keys(raw.teams ?? {});
  for (const team of Object.keys(spec.teams ?? {})) {
    if (!declared.includes(team)) diags.error('RPL001', `rulePlacement for team ${JSON.stringify(team)}, which is not declared under teams:`, at(['rulePlacement', 'teams', team]), `teams: ${declared.join(', ')}`);
  }
  const names = files.map((f) => f.name);
  for (const name of Object.keys(spec.files ?? {})) {
    if (!names.includes(name)) diags.error('RPL002', `rulePlacement for rule file ${JSON.stringify(name)}, which nothing generates`, at(['rulePlacement', 'files', name]), `rule files: ${names.join(', ')}`);
  }
  const merge = (over: Partial<Placement> | undefined): Placement => ({ namespace: over?.namespace ?? fallback.namespace, tenant: over?.tenant ?? fallback.tenant });
  const placed = files.map((f): PlacedRuleFile => {
    const explicit = spec.files?.[f.name];
    if (explicit) return { ...f, placement: merge(explicit) };
    const teams = teamsOf(f.groups);
    const options = new Map(teams.map((t) => [t, merge(spec.teams?.[t])]));
    const distinct = new Set([...options.values()].map((p) => `${p.tenant}/${p.namespace}`));
    if (distinct.size > 1) {
      diags.error('RPL003', `rule file ${f.name} holds rules of teams ${teams.join(', ')}, which are placed differently (${[...distinct].join(', ')})`, at(['rulePlacement']), `place it explicitly: rulePlacement.files: { ${f.name}: { namespace: ..., tenant: ... } }`);
    }
    return { ...f, placement: options.values().next().value ?? fallback };
  });
  const groupOwner = new Map<string, string>();
  for (const f of placed) {
    for (const g of f.groups) {
      const key = `${f.placement.tenant}/${f.placement.namespace}/${g.name}`;
      const owner = groupOwner.get(key);
      if (owner && owner !== f.name) diags.error('RPL004', `rule files ${owner} and ${f.name} both put group ${g.name} into Mimir namespace ${f.placement.namespace} of tenant ${f.placement.tenant}; group names must be unique there`, at(['rulePlacement']), 'place one of the files in another namespace under rulePlacement.files');
      groupOwner.set(key, f.name);
    }
  }
  return diags.errors.length > before ? undefined : { files: placed, mimir: true };
}

/** The distinct, non-templated `team` labels of a file's rules, sorted. */
function teamsOf(groups: readonly RuleGroup[]): string[] {
  const teams = new Set<string>();
  for (const g of groups) for (const r of g.rules) {
    const t = r.labels?.[LABEL_TEAM];
    if (t !== undefined && !t.includes('{{')) teams.add(t);
  }
  return [...teams].sort();
}

import { outputPaths } from '../../conventions.js';
import type { RuleFileDocument } from '../document.js';
import type { PlacedRuleFile } from './rule-placement.js';

/**
 * The Mimir/Cortex ruler layout (pure): `mimir/rules/<tenant>/<namespace>.yaml`, one Prometheus
 * rule file per tenant and rule namespace holding the groups of every rule file placed there (in
 * file-name order). `mimirtool rules sync --rule-dirs mimir/rules/<tenant> --id <tenant>` takes the
 * namespace from the file name without .yaml; the ruler's local storage reads the same tree.
 */
export function generateMimirRuleFiles(files: readonly PlacedRuleFile[]): RuleFileDocument[] {
  const byTarget = new Map<string, PlacedRuleFile[]>();
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = outputPaths.mimirRules(f.placement.tenant, f.placement.namespace);
    byTarget.set(p, [...(byTarget.get(p) ?? []), f]);
  }
  return [...byTarget].map(([path, list]) => ({
    path,
    format: 'rules',
    source: [...new Set(list.map((f) => f.specPath))].join(', '),
    groups: list.flatMap((f) => f.groups),
  }));
}

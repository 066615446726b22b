import type { Diagnostics } from '../diagnostics.js';
import type { ProjectModel } from '../project/project-model.js';

/**
 * ALR071: rule group names are unique across packs (one namespace per ruler/CRD). ALR070: an
 * alert name with identical labels twice is a copy-paste bug.
 */
export function checkAlertNamesUnique(model: ProjectModel, diags: Diagnostics): void {
  const groups = new Map<string, string>();
  const alerts = new Map<string, { file: string; line: number; column: number }>();
  for (const p of model.alertPacks) {
    for (const g of p.groups) {
      const prior = groups.get(g.name);
      const first = g.alerts[0];
      if (prior && first)
        diags.error(
          'ALR071',
          `rule group ${JSON.stringify(g.name)} is also declared in pack ${prior}`,
          { file: p.file, line: first.source.line, column: first.source.column },
          'rule group names must be unique across packs',
        );
      groups.set(g.name, p.name);
      for (const a of g.alerts) {
        const key = `${a.datasource}|${a.name}|${JSON.stringify(Object.entries(a.labels).sort())}`;
        const other = alerts.get(key);
        if (other)
          diags.error(
            'ALR070',
            `alert ${a.name} with identical labels is also defined at ${other.file}:${other.line}:${other.column}`,
            { ...a.source },
            'give the two rules different names or labels (e.g. severity), or remove one',
          );
        else alerts.set(key, a.source);
      }
    }
  }
}

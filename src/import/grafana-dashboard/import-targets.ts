import { refIdAt } from '../../dashboards/finalize-dashboard.js';
import { datasourceType } from './compare-dashboards.js';
import { diffPatch, isEmptyPatch, isObject, omit } from './diff-patch.js';
import type { ImportFinding } from './finding.js';
import { call, evaluate, value, type ModuleExpr } from './module-expr.js';

/** The helper call of one query, before any patch. */
function baseQuery(t: Record<string, unknown>, type: string): ModuleExpr | undefined {
  if (typeof t.expr !== 'string') return undefined;
  const legend = typeof t.legendFormat === 'string' ? [value(t.legendFormat)] : [];
  if (type === 'prometheus') return call(t.instant === true && t.format === 'table' ? 'promInstant' : 'prom', value(t.expr), ...legend);
  if (type === 'loki') return call('logql', value(t.expr), ...legend);
  return undefined;
}

/**
 * A panel's targets as query helper calls (`prom`, `promInstant`, `logql`), each wrapped in
 * `raw()` for what the helper does not set, or `verbatim()` for other datasources. Datasource refs
 * keep only their type: `dashboard()` points them at its datasource variable. refIds are left to
 * vigil's stamping when they are the ones it would give (A, B, … in order).
 */
export function importTargets(targets: readonly unknown[], panelType: string, path: string, findings: ImportFinding[]): ModuleExpr[] {
  const autoIds = targets.every((t, i) => isObject(t) && t.refId === refIdAt(i));
  return targets.map((t, i) => {
    const at = `${path}.targets[${i}]`;
    if (!isObject(t)) {
      findings.push({ status: 'not-importable', path: at, reason: 'target is not an object; left out' });
      return call('verbatim', value({}));
    }
    const type = datasourceType(t.datasource) ?? panelType;
    const uid = isObject(t.datasource) ? t.datasource.uid : t.datasource;
    if (typeof uid === 'string' && uid !== '' && !/^\$|^\[\[/.test(uid))
      findings.push({
        status: 'needs-attention',
        path: `${at}.datasource`,
        reason: `fixed datasource uid ${JSON.stringify(uid)} replaced by the dashboard's ${type} datasource variable`,
      });
    const want = { ...omit(t, autoIds ? ['datasource', 'refId'] : ['datasource']), datasource: { type } };
    const base = baseQuery(t, type);
    if (!base) {
      findings.push({ status: 'needs-attention', path: at, reason: `no vigil query helper for ${type} targets; kept verbatim` });
      return call('verbatim', value(want));
    }
    const patch = diffPatch(JSON.parse(JSON.stringify((evaluate(base) as { build(): unknown }).build())) as Record<string, unknown>, want);
    return isEmptyPatch(patch) ? base : call('raw', base, value(patch));
  });
}

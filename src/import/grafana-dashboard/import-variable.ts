import { datasourceType } from './compare-dashboards.js';
import { diffPatch, isEmptyPatch, isObject, omit } from './diff-patch.js';
import type { ImportFinding } from './finding.js';
import { call, evaluate, object, value, type ModuleExpr } from './module-expr.js';

const LABEL_VALUES = /^label_values\(\s*([\s\S]+?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/;
const LOKI_LABEL_VALUES = /^label_values\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const opt = (v: unknown): ModuleExpr | undefined => (v === undefined ? undefined : value(v));

/** Grafana re-queries these on load (refresh ≥ 1): their `current` and `options` are not the source's to keep. */
function refreshes(v: Record<string, unknown>): boolean {
  return v.type === 'query' && typeof v.refresh === 'number' && v.refresh >= 1;
}

/** The query string of a query variable (newer saves wrap it in an object). */
function queryText(v: Record<string, unknown>): string | undefined {
  if (typeof v.query === 'string') return v.query;
  return isObject(v.query) && typeof v.query.query === 'string' ? v.query.query : undefined;
}

/** Custom variable values: comma-separated, `\,` escapes a comma, blanks around values trimmed. */
function customValues(q: string): string[] {
  return q
    .split(/(?<!\\),/)
    .map((x) => x.trim().replaceAll('\\,', ','))
    .filter((x) => x !== '');
}

/** The helper call for a variable, before any patch; undefined when no helper fits. */
function baseVariable(v: Record<string, unknown>, name: string): ModuleExpr | undefined {
  const title = str(v.label) === name ? undefined : opt(str(v.label));
  const description = opt(str(v.description));
  const q = queryText(v);
  if (v.type === 'query' && q !== undefined) {
    const type = datasourceType(v.datasource) ?? 'prometheus';
    const m = type === 'prometheus' ? LABEL_VALUES.exec(q.trim()) : undefined;
    if (m) {
      const multi = v.multi === true;
      return call(
        'labelVariable',
        value(name),
        object([
          ['selector', value(m[1])],
          ['label', m[2] === name ? undefined : value(m[2])],
          ['title', title],
          ['multi', multi ? undefined : value(false)],
          ['allValue', multi ? opt(str(v.allValue)) : undefined],
          ['description', description],
        ]),
      );
    }
    const l = type === 'loki' ? LOKI_LABEL_VALUES.exec(q.trim()) : undefined;
    if (l)
      return call(
        'lokiLabelVariable',
        value(name),
        object([
          ['label', l[1] === name ? undefined : value(l[1])],
          ['title', title],
          ['description', description],
        ]),
      );
    return undefined;
  }
  if (v.type === 'custom' && typeof v.query === 'string')
    return call(
      'customVariable',
      value(name),
      value(customValues(v.query)),
      object([
        ['title', title],
        ['description', description],
      ]),
    );
  if (v.type === 'textbox')
    return call(
      'textVariable',
      value(name),
      object([
        ['title', title],
        ['description', description],
        ['value', opt(str(v.query))],
      ]),
    );
  return undefined;
}

/**
 * One template variable as a helper call (`labelVariable`, `customVariable`, …) with a `raw()`
 * patch, or `verbatim()`; undefined for datasource variables, which `dashboard()` makes itself.
 */
export function importVariable(v: Record<string, unknown>, path: string, findings: ImportFinding[]): ModuleExpr | undefined {
  const name = typeof v.name === 'string' ? v.name : '';
  if (v.type === 'datasource') {
    findings.push({ status: 'imported', path, reason: `datasource variable $${name} replaced by vigil's datasource variable for ${JSON.stringify(v.query)}` });
    return undefined;
  }
  if (v.type === 'constant' && typeof v.query === 'string' && /^\$\{VAR_/.test(v.query))
    findings.push({ status: 'needs-attention', path, reason: `constant $${name} is ${v.query}, an input of the export: put the value in` });
  let want: Record<string, unknown> = { ...v };
  if (v.type === 'query') want.datasource = { type: datasourceType(v.datasource) ?? 'prometheus' };
  if (refreshes(v)) want = omit(want, ['current', 'options']);
  const base = baseVariable(v, name);
  if (!base) {
    findings.push({ status: 'imported', path, reason: `verbatim(): no vigil helper for ${String(v.type)} variable $${name}` });
    return call('verbatim', value(want));
  }
  let built = JSON.parse(JSON.stringify((evaluate(base) as { build(): unknown }).build())) as Record<string, unknown>;
  if (refreshes(v)) built = omit(built, ['current', 'options']);
  const patch = diffPatch(built, want);
  findings.push({
    status: 'imported',
    path,
    reason: `${base.kind === 'call' ? base.fn : ''}($${name})${isEmptyPatch(patch) ? '' : ` + raw(${Object.keys(patch).join(', ')})`}`,
  });
  return isEmptyPatch(patch) ? base : call('raw', base, value(patch));
}

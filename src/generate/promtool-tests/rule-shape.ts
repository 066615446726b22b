import { SLI_HEALTH_ALERT_NAME } from '../../conventions.js';
import { leRegex } from '../../model/le-values.js';
import type { SloModel } from '../../model/types.js';
import type { VectorSelector } from '../../query/promql.js';

/** A rule group as generated or as read back from a rendered rule file (extra fields kept). */
export interface RuleGroupLike {
  readonly name: string;
  readonly rules: readonly object[];
}

/**
 * The values that are one SLO's own: its id, service, alert name, labels, groupBy label names,
 * selector metric names and matchers, the latency bucket regex, runbook and dashboard links.
 * Everything else in its rule group (structure, windows, offsets, every number) is its shape.
 */
export function sloOwnNames(slo: SloModel): string[] {
  const names = [slo.id, slo.service, slo.alertName, ...slo.groupBy];
  for (const labels of [slo.labels, slo.alertLabels]) for (const [k, v] of Object.entries(labels)) names.push(k, v);
  const selector = (s: VectorSelector) => {
    names.push(s.metric);
    for (const m of s.matchers) names.push(m.name, m.value);
  };
  const ind = slo.indicator;
  if (ind.kind === 'ratio') [ind.total, ind.errors, ind.good].forEach((s) => s && selector(s));
  if (ind.kind === 'latency') {
    selector(ind.histogram);
    names.push(`${ind.histogram.metric}_bucket`, `${ind.histogram.metric}_count`, leRegex(ind.leValues));
  }
  if (ind.kind === 'boolGauge') selector(ind.gauge);
  if (slo.runbook !== undefined) names.push(slo.runbook);
  if (slo.dashboardUrl !== undefined) names.push(slo.dashboardUrl);
  return [...new Set(names.filter((n) => n !== ''))];
}

// The PromQL tokens that may hold an own value (string literals, identifiers), and numbers and
// durations, matched so that an identifier is never looked for inside them. Whitespace and
// punctuation are kept as they are.
const TOKEN = /"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?[a-zA-Z0-9]*|[a-zA-Z_:][a-zA-Z0-9_:]*/g;

function unquoted(token: string): string | undefined {
  const q = token[0];
  if (q === '`') return token.slice(1, -1);
  if (q !== '"' && q !== "'") return undefined;
  if (!token.includes('\\')) return token.slice(1, -1);
  try {
    return JSON.parse(q === '"' ? token : `"${token.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  } catch {
    return undefined;
  }
}

/**
 * The shape of a rule group: the group with every occurrence of the SLO's own values (`names`)
 * replaced by a placeholder numbered in order of first appearance, as canonical JSON. Two SLOs
 * have the same shape only if their groups are identical except that one's own values stand where
 * the other's do, one for one. Renaming is by position kind, never inside a number: whole
 * identifiers and string literals in expressions, whole label keys and values, whole rule names,
 * and whole words of free text (the group name, made from the SLO id; other alerts' annotations). Annotations of the SLO's
 * burn-rate alerts are left out: every such alert fires in the SLO's own short test, which asserts
 * its annotations exactly; so are SLOIndicatorBroken's, which the SLI-health tests assert for every SLO. Everything else, numbers and unknown fields included, is kept as is.
 */
export function ruleGroupShape(group: RuleGroupLike, names: readonly string[], alertName: string): string {
  const own = new Set(names);
  const placeholders = new Map<string, string>();
  const rename = (v: string) => {
    if (!own.has(v)) return v;
    let p = placeholders.get(v);
    // NUL and a private-use character: nothing a spec value holds, so a later own value (a label
    // value "0", say) never matches inside a placeholder.
    if (!p) placeholders.set(v, (p = `\u0000${String.fromCharCode(0xe000 + placeholders.size)}\u0000`));
    return p;
  };
  const expr = (e: string) =>
    e.replace(TOKEN, (t) => {
      const c = t.charCodeAt(0);
      if (c === 34 || c === 39 || c === 96) {
        const s = unquoted(t);
        return s !== undefined && own.has(s) ? `"${rename(s)}"` : t;
      }
      return (c >= 48 && c <= 57) || c === 46 ? t : rename(t);
    });
  const labels = (l: unknown) =>
    l && typeof l === 'object'
      ? Object.entries(l as Record<string, unknown>)
          .map(([k, v]) => [rename(k), typeof v === 'string' ? rename(v) : v] as const)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      : l;
  // Free text (the group name, other alerts' annotations): each own value, longest first, becomes
  // its placeholder wherever it occurs as a whole word (not inside a longer word: a service "a"
  // must not rename the "a" of "matches"). Placeholders hold only characters no spec value
  // contains, so the replacement can be undone and two texts with the same result differ only by
  // own values.
  const byLength = [...own].sort((a, b) => b.length - a.length);
  const wholeWord = new Map(byLength.map((n) => [n, new RegExp(`(?<![A-Za-z0-9_])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'g')]));
  const text = (t: string) => byLength.reduce((acc, n) => (acc.includes(n) ? acc.replace(wholeWord.get(n)!, () => rename(n)) : acc), t);
  const groupName = text(group.name);
  const rules = group.rules.map((rule) => {
    const r = rule as Readonly<Record<string, unknown>>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(r).sort()) {
      const v = r[key];
      if (key === 'expr' && typeof v === 'string') out[key] = expr(v);
      else if (key === 'labels') out[key] = labels(v);
      else if (key === 'annotations')
        out[key] =
          r.alert === alertName
            ? '<asserted by the SLO test>'
            : r.alert === SLI_HEALTH_ALERT_NAME
              ? // Every SLO's SLOIndicatorBroken alerts are tested on their own, annotations exactly (sli-health-tests.ts).
                '<asserted by the SLI-health test>'
              : Object.entries((v ?? {}) as Record<string, string>)
                  .map(([k, a]) => [k, text(String(a))])
                  .sort();
      else if ((key === 'record' || key === 'alert') && typeof v === 'string') out[key] = rename(v);
      else out[key] = v;
    }
    return out;
  });
  const fields = group as unknown as Readonly<Record<string, unknown>>;
  const rest = Object.keys(fields)
    .filter((k) => k !== 'name' && k !== 'rules')
    .sort()
    .map((k) => [k, fields[k]]);
  return JSON.stringify({ name: groupName, rest, rules });
}

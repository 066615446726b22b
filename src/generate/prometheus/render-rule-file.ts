import { generatedHeader } from '../../conventions.js';
import { scalar } from '../../render/yaml.js';
import type { RuleGroup } from './rule-types.js';

/**
 * A Prometheus rule file's text: the generated-by header, then `groups:`. A dedicated emitter
 * for the fixed rule-file shape (the generic YAML emitter is several times slower on large
 * projects); output is the same YAML the generic one writes.
 */
export function renderRuleFile(specPath: string, groups: readonly RuleGroup[]): string {
  return `${generatedHeader(specPath)}\ngroups:\n${renderRuleGroups(groups, '')}`;
}

/** The items of a `groups:` list, each line prefixed with `indent` (for embedding, e.g. in a PrometheusRule). */
export function renderRuleGroups(groups: readonly RuleGroup[], indent: string): string {
  let out = '';
  const i2 = `${indent}  `;
  const i4 = `${indent}    `;
  for (const g of groups) {
    out += `${indent}- name: ${scalar(g.name)}\n`;
    if (g.interval !== undefined) out += `${i2}interval: ${scalar(g.interval)}\n`;
    out += `${i2}rules:\n`;
    for (const r of g.rules) {
      out += 'record' in r ? `${i2}- record: ${scalar(r.record)}\n` : `${i2}- alert: ${scalar(r.alert)}\n`;
      out += `${i4}expr: ${scalar(r.expr)}\n`;
      if ('for' in r && r.for !== undefined) out += `${i4}for: ${scalar(r.for)}\n`;
      out += map(i4, 'labels', r.labels);
      if ('annotations' in r) out += map(i4, 'annotations', r.annotations);
    }
  }
  return out;
}

function map(indent: string, key: string, m: Readonly<Record<string, string>> | undefined): string {
  if (m === undefined) return '';
  const keys = Object.keys(m);
  if (keys.length === 0) return `${indent}${key}: {}\n`;
  let out = `${indent}${key}:\n`;
  for (const k of keys) out += `${indent}  ${scalar(k)}: ${scalar(m[k])}\n`;
  return out;
}

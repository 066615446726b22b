import { generatedHeader } from '../conventions.js';
import { scalar } from './yaml.js';
import type { RuleGroup } from '../model/rule-group.js';

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
  for (const g of groups) {
    // A group is rendered once however many outputs embed it (rule file, PrometheusRule, ...).
    let text = renderedGroups.get(g);
    if (text === undefined) renderedGroups.set(g, (text = renderGroup(g)));
    // Group text has no empty lines and ends with a newline (scalars never span lines), so
    // indenting is a plain replace: cheaper than a multi-line regex on 100+ MB of rules.
    out += indent === '' ? text : `${indent}${text.slice(0, -1).replaceAll('\n', `\n${indent}`)}\n`;
  }
  return out;
}

const renderedGroups = new WeakMap<RuleGroup, string>();

function renderGroup(g: RuleGroup): string {
  let out = `- name: ${scalar(g.name)}\n`;
  if (g.interval !== undefined) out += `  interval: ${scalar(g.interval)}\n`;
  out += '  rules:\n';
  for (const r of g.rules) {
    out += 'record' in r ? `  - record: ${scalar(r.record)}\n` : `  - alert: ${scalar(r.alert)}\n`;
    out += `    expr: ${scalar(r.expr)}\n`;
    if ('for' in r && r.for !== undefined) out += `    for: ${scalar(r.for)}\n`;
    out += map('    ', 'labels', r.labels);
    if ('annotations' in r) out += map('    ', 'annotations', r.annotations);
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

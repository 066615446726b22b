import { compilePromRegex, type LabelMatcher } from '../query/promql.js';

/**
 * Parses one Alertmanager matcher (`severity="critical"`, `alertname=~"Gpu.+"`, unquoted values
 * allowed). Returns an error message instead when it is malformed or its regex does not compile.
 */
export function parseMatcher(text: string): { matcher?: LabelMatcher; error?: string } {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s,{}]*))\s*$/.exec(text);
  if (!m) return { error: `${JSON.stringify(text)} is not a matcher like label="value", label!="value", label=~"regex" or label!~"regex"` };
  const value = m[3] !== undefined ? (JSON.parse(`"${m[3]}"`) as string) : m[4]!;
  const op = m[2] as LabelMatcher['op'];
  if ((op === '=~' || op === '!~') && !compilePromRegex(value)) return { error: `invalid regular expression ${JSON.stringify(value)}` };
  return { matcher: { name: m[1]!, op, value } };
}

/** A matcher in the form both the classic (0.25) and the UTF-8 (0.27+) parsers accept. */
export function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

import { parseVectorSelector } from '../query/promql.js';
import type { ObjectReport } from './outcome.js';

/** `{{.window}}`, `{{ .window }}` (Sloth, OpenSLO examples) and vigil's own `{{window}}`. */
const WINDOW_TEMPLATE = /\{\{\s*\.?window\s*\}\}/g;

/** Rewrites a source tool's window template to vigil's `{{window}}`. */
export function toVigilWindow(expr: string): string {
  return expr.replace(WINDOW_TEMPLATE, '{{window}}');
}

export function hasWindowTemplate(expr: string): boolean {
  return new RegExp(WINDOW_TEMPLATE.source).test(expr);
}

/** True when `expr` is one plain series selector (what vigil's ratio/latency indicators take). */
export function isSelector(expr: string): boolean {
  return parseVectorSelector(expr.trim()).selector !== undefined;
}

/**
 * `sum(rate(SEL[{{window}}]))` or `sum by (a, b) (rate(SEL[{{window}}]))`: the shape vigil
 * generates from a ratio indicator. Returns the selector text and the `by` labels.
 */
export function sumRateSelector(expr: string): { selector: string; by: string[] } | undefined {
  const m =
    /^\s*sum\s*(?:by\s*\(\s*([a-zA-Z0-9_,\s]*)\)\s*)?\(\s*rate\s*\(\s*(.+?)\s*\[\s*\{\{\s*\.?window\s*\}\}\s*\]\s*\)\s*\)\s*(?:by\s*\(\s*([a-zA-Z0-9_,\s]*)\)\s*)?$/s.exec(
      expr,
    );
  if (!m || !isSelector(m[2]!)) return undefined;
  const by = (m[1] ?? m[3] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { selector: m[2]!.trim(), by };
}

/** vigil service and SLO names are kebab-case (≤ 63); other tools allow more. */
export function toKebab(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 63)
      .replace(/-$/, '') || 'slo'
  );
}

/** A kebab-case name for `name`, with IMP020 (warning) when it had to change. */
export function kebabName(report: ObjectReport, name: string, what: string, path: readonly (string | number)[]): string {
  const k = toKebab(name);
  if (k !== name) report.warning('IMP020', `${what} ${JSON.stringify(name)} written as ${JSON.stringify(k)} (vigil names are kebab-case)`, path);
  return k;
}

/** vigil alert names: letters, digits and `_`. */
export function alertName(report: ObjectReport, name: string, path: readonly (string | number)[]): string | undefined {
  if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) return name;
  const fixed = name.replace(/[^a-zA-Z0-9_]+/g, '_').replace(/^([0-9])/, '_$1');
  report.warning('IMP021', `alert name ${JSON.stringify(name)} written as ${JSON.stringify(fixed)} (letters, digits and "_" only)`, path);
  return fixed;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** String-valued map entries; other values are reported and dropped. */
export function stringMap(report: ObjectReport, v: unknown, path: readonly (string | number)[]): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) {
    report.error('IMP005', 'expected a mapping of strings', path);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else report.error('IMP005', `${k}: expected a string value`, [...path, k]);
  }
  return out;
}

import type { SyntaxNode } from '@lezer/common';
import type { AlertTestSpec } from '../../alerts/schema.js';
import { regexCounterExample, regexExample } from '../../generate/promtool-tests/regex-example.js';
import { matcherMatches, parsePromql, selectorUses, type LabelMatcher, type VectorSelector } from '../../query/promql.js';
import { parseDurationSeconds } from '../../runtime/duration.js';

/** Prefix of the test names of a skeleton vigil could derive completely (it passes as written). */
export const SKELETON_PREFIX = 'imported skeleton:';
/** Prefix of the test names of a skeleton the user must complete (it will not pass as written). */
export const TODO_PREFIX = 'TODO complete this imported skeleton:';

const COMPARISONS: Record<string, string> = { Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=', Eql: '==', Neq: '!=' };

/** A comparison of a single selector with a literal, the one shape vigil tests without help. */
export interface SimpleShape {
  readonly selector: VectorSelector;
  readonly op: string;
  readonly threshold: number;
}

/** The expression as `selector OP literal` (parentheses allowed), or undefined. */
export function simpleShape(expr: string): SimpleShape | undefined {
  const { tree, error } = parsePromql(expr);
  if (error) return undefined;
  let node: SyntaxNode | null = tree.topNode.firstChild;
  while (node?.name === 'ParenExpr') node = node.firstChild;
  if (!node || node.name !== 'BinaryExpr') return undefined;
  const lhs = node.firstChild;
  const opNode = lhs?.nextSibling ?? null;
  const rhs = opNode?.nextSibling ?? null;
  if (!lhs || !opNode || !rhs || rhs.nextSibling) return undefined;
  const op = COMPARISONS[opNode.name];
  if (!op || lhs.name !== 'VectorSelector' || rhs.name !== 'NumberDurationLiteral') return undefined;
  const threshold = Number(expr.slice(rhs.from, rhs.to));
  if (!Number.isFinite(threshold)) return undefined;
  const use = selectorUses(expr).find((u) => u.from === lhs.from);
  if (!use) return undefined;
  return { selector: use.selector, op, threshold };
}

/** A value that satisfies `x OP t`, and one that does not. */
function valuesFor(op: string, t: number): { firing: number; quiet: number } {
  const above = t > 0 ? t * 2 : t + 1;
  const below = t > 0 ? t / 2 : t - 1;
  switch (op) {
    case '>':
    case '>=':
      return { firing: above, quiet: below };
    case '<':
    case '<=':
      return { firing: below, quiet: above };
    case '==':
      return { firing: t, quiet: t + 1 };
    default:
      return { firing: t + 1, quiet: t };
  }
}

/** Label values that satisfy every matcher of a selector; undefined when vigil cannot find one. */
function labelsFor(s: VectorSelector): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const m of s.matchers) {
    if (m.name === '__name__') continue;
    const value = m.op === '=' ? m.value : m.op === '=~' ? regexExample(m.value) : m.op === '!~' ? regexCounterExample(m.value, ['example']) : 'example';
    if (value === undefined) return undefined;
    if (value !== '') labels[m.name] = value;
  }
  const ok = s.matchers.every((m: LabelMatcher) => m.name === '__name__' || matcherMatches(m, labels[m.name]));
  return ok ? labels : undefined;
}

function seriesText(metric: string, labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? metric : `${metric}{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

/** `for` plus five minutes, in whole minutes: past the pending period, whatever the evaluation phase. */
function evaluationMinutes(forDuration: string | undefined): number {
  const seconds = forDuration ? (parseDurationSeconds(forDuration) ?? 0) : 0;
  return Math.ceil(seconds / 60) + 5;
}

/** Writes a number in promtool's series notation (`v+0xN`, which also avoids YAML's hex reading of 0x…). */
function constant(v: number, samples: number): string {
  return `${v}+0x${samples}`;
}

/**
 * A promtool test skeleton for one imported alert: one case that should fire and one that should
 * stay quiet. `complete` when the expression is a single selector compared with a literal (the
 * cases then pass as written); otherwise every selector of the expression gets a placeholder series
 * and the cases are named TODO for the user to finish.
 */
export function testSkeleton(expr: string, forDuration: string | undefined, needsValue: boolean): { tests: AlertTestSpec[]; complete: boolean } {
  const minutes = evaluationMinutes(forDuration);
  const at = `${minutes}m`;
  const samples = minutes + 5;
  const shape = simpleShape(expr);
  const labels = shape ? labelsFor(shape.selector) : undefined;
  if (shape && labels) {
    const { firing, quiet } = valuesFor(shape.op, shape.threshold);
    const series = seriesText(shape.selector.metric, labels);
    return {
      complete: true,
      tests: [
        {
          name: `${SKELETON_PREFIX} ${firing} (${shape.op} ${shape.threshold}) for ${at} fires`,
          series: { [series]: constant(firing, samples) },
          at,
          fires: [{ labels, ...(needsValue ? { value: firing } : {}) }],
        },
        { name: `${SKELETON_PREFIX} ${quiet} stays quiet`, series: { [series]: constant(quiet, samples) }, at, fires: [] },
      ],
    };
  }
  const series: Record<string, string> = {};
  for (const u of selectorUses(expr)) series[seriesText(u.selector.metric, labelsFor(u.selector) ?? {})] = constant(1, samples);
  const quietSeries = Object.fromEntries(Object.keys(series).map((k) => [k, constant(0, samples)]));
  return {
    complete: false,
    tests: [
      {
        name: `${TODO_PREFIX} set series values that breach the condition and the labels the alert fires with`,
        series,
        at,
        fires: [{ labels: {}, ...(needsValue ? { value: 0 } : {}) }],
      },
      { name: `${TODO_PREFIX} set healthy series values`, series: quietSeries, at, fires: [] },
    ],
  };
}

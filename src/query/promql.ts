import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode, Tree } from '@lezer/common';

/** A label matcher of a vector selector, e.g. `code=~"5.."`. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** A plain instant-vector selector: `metric{label="v", ...}`. */
export interface VectorSelector {
  readonly metric: string;
  readonly matchers: readonly LabelMatcher[];
}

/** A syntax problem inside an expression; `offset` counts characters from its start. */
export interface ExprError {
  readonly offset: number;
  readonly message: string;
}

/** The first syntax error in a lezer parse tree of `expr` (PromQL or LogQL), as an offset and message. */
export function firstSyntaxError(expr: string, tree: Tree): ExprError | undefined {
  let error: ExprError | undefined;
  tree.iterate({
    enter(node) {
      if (error) return false;
      if (node.type.isError) {
        const near = expr.slice(node.from, node.from + 12);
        error = { offset: node.from, message: near ? `unexpected ${JSON.stringify(near)}` : 'unexpected end of expression' };
        return false;
      }
      return undefined;
    },
  });
  return error;
}

/** Parses PromQL; returns the tree and the first syntax error, if any. */
export function parsePromql(expr: string): { tree: Tree; error?: ExprError } {
  const tree = parser.parse(expr);
  const error = expr.trim() === '' ? { offset: 0, message: 'empty expression' } : firstSyntaxError(expr, tree);
  return error ? { tree, error } : { tree };
}

const opNames: Record<string, LabelMatcher['op']> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/**
 * Parses `expr` as a plain vector selector (no functions, ranges, offsets or operators).
 * Returns an error with the offset of the offending part otherwise.
 */
export function parseVectorSelector(expr: string): { selector?: VectorSelector; error?: ExprError } {
  const { tree, error } = parsePromql(expr);
  if (error) return { error };
  const top = tree.topNode.firstChild;
  if (!top || top.name !== 'VectorSelector' || top.nextSibling) {
    return { error: { offset: top?.from ?? 0, message: 'expected a plain series selector like metric{label="value"}, not an expression' } };
  }
  return selectorFromNode(expr, top);
}

function selectorFromNode(expr: string, node: SyntaxNode): { selector?: VectorSelector; error?: ExprError } {
  let metric = '';
  const matchers: LabelMatcher[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name === 'Identifier') metric = expr.slice(child.from, child.to);
    if (child.name === 'LabelMatchers') {
      for (let m = child.firstChild; m; m = m.nextSibling) {
        if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
        const nameNode = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
        const opNode = m.getChild('MatchOp')?.firstChild;
        const valueNode = m.getChild('StringLiteral');
        if (!nameNode || !opNode || !valueNode) continue;
        const name = unquote(expr.slice(nameNode.from, nameNode.to));
        const op = opNames[opNode.name];
        if (!op) return { error: { offset: opNode.from, message: `unknown match operator ${expr.slice(opNode.from, opNode.to)}` } };
        if (name === '__name__' && op === '=') {
          metric = unquote(expr.slice(valueNode.from, valueNode.to));
          continue;
        }
        matchers.push({ name, op, value: unquote(expr.slice(valueNode.from, valueNode.to)) });
      }
    }
  }
  if (!metric) return { error: { offset: node.from, message: 'the selector must name a metric' } };
  for (const m of matchers) {
    if (m.op === '=~' || m.op === '!~') {
      if (!compilePromRegex(m.value))
        return { error: { offset: node.from, message: `label ${m.name}: invalid regular expression ${JSON.stringify(m.value)}` } };
    }
  }
  return { selector: { metric, matchers } };
}

/** Decodes a PromQL string literal (double, single or back-quoted). */
export function unquote(literal: string): string {
  const q = literal[0];
  if (q === '`') return literal.slice(1, -1);
  if (q === '"') return JSON.parse(literal) as string;
  if (q === "'") return JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  return literal;
}

/** Renders a selector back to PromQL text, matchers in the given order. */
export function formatSelector(s: VectorSelector, extra: readonly LabelMatcher[] = []): string {
  const all = [...s.matchers, ...extra];
  if (all.length === 0) return s.metric;
  return `${s.metric}{${all.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
}

/** Every metric name read by a PromQL expression (from selectors with a name), sorted, unique. */
export function metricNamesIn(expr: string): string[] {
  const { tree } = parsePromql(expr);
  const names = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.name === 'VectorSelector') {
        const r = selectorFromNode(expr, node.node);
        if (r.selector) names.add(r.selector.metric);
      }
    },
  });
  return [...names].sort();
}

/**
 * Every vector selector of a PromQL expression, in order. A selector without a plain metric name
 * (e.g. `{__name__=~"x.*"}`) comes back with metric `''`: it may read any series.
 */
export function selectorsIn(expr: string): VectorSelector[] {
  const { tree } = parsePromql(expr);
  const out: VectorSelector[] = [];
  tree.iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const r = selectorFromNode(expr, node.node);
      out.push(r.selector ?? { metric: '', matchers: [] });
    },
  });
  return out;
}

/**
 * Compiles a Prometheus (RE2) label regex as a fully anchored JS RegExp. Leading RE2 flag groups
 * like `(?i)` become JS flags. Undefined when JS cannot compile it (rare RE2-only syntax).
 */
export function compilePromRegex(re: string): RegExp | undefined {
  if (regexCache.has(re)) return regexCache.get(re);
  const compiled = compileUncached(re);
  if (regexCache.size > 10_000) regexCache.clear();
  regexCache.set(re, compiled);
  return compiled;
}

const regexCache = new Map<string, RegExp | undefined>();

function compileUncached(re: string): RegExp | undefined {
  let flags = '';
  let body = re;
  const m = /^\(\?([imsU]+)\)/.exec(body);
  if (m) {
    body = body.slice(m[0].length);
    if (m[1]!.includes('i')) flags += 'i';
    if (m[1]!.includes('s')) flags += 's';
  }
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch {
    return undefined;
  }
}

/** Whether a label value satisfies a matcher (a missing label is the empty string). */
export function matcherMatches(m: LabelMatcher, value: string | undefined): boolean {
  const v = value ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return compilePromRegex(m.value)?.test(v) ?? false;
    case '!~':
      return !(compilePromRegex(m.value)?.test(v) ?? true);
  }
}

/** One vector selector inside an expression: what it selects, where it is written and what encloses it. */
export interface SelectorUse {
  readonly selector: VectorSelector;
  /** Character offsets of the selector's text in the expression. */
  readonly from: number;
  readonly to: number;
  /** The functions and aggregations around it, innermost first, lower-case (e.g. `['rate', 'sum']`). */
  readonly enclosing: readonly string[];
  /** Whether it is read as a range (`x[5m]`, or inside a subquery). */
  readonly range: boolean;
}

/**
 * Every named vector selector in a PromQL expression, in text order (selectors without a metric
 * name, like `{__name__=~"x.*"}`, are left out). Empty when the expression does not parse.
 */
export function selectorUses(expr: string): SelectorUse[] {
  const { tree, error } = parsePromql(expr);
  if (error) return [];
  const uses: SelectorUse[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.name !== 'VectorSelector') return undefined;
      const node = ref.node;
      const r = selectorFromNode(expr, node);
      if (!r.selector) return false;
      const enclosing: string[] = [];
      let range = false;
      for (let p = node.parent; p; p = p.parent) {
        if (p.name === 'MatrixSelector' || p.name === 'SubqueryExpr') range = true;
        const head = p.name === 'FunctionCall' ? p.getChild('FunctionIdentifier') : p.name === 'AggregateExpr' ? p.getChild('AggregateOp') : null;
        if (head) enclosing.push(expr.slice(head.from, head.to).toLowerCase());
      }
      uses.push({ selector: r.selector, from: node.from, to: node.to, enclosing, range });
      return false;
    },
  });
  return uses;
}

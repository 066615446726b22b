import { parser as logqlParser } from '@grafana/lezer-logql';
import { firstSyntaxError, metricNamesIn, parsePromql } from '../../query/promql.js';

/**
 * Grafana's interval macros become sample durations and `$var` / `${var}` / `${var:fmt}` become
 * plain words, so an expression with template variables parses like the query Grafana sends
 * (dashboard-linter expands them the same way before parsing). Each macro gets its own odd
 * duration so range checks can tell afterwards which macro a range was.
 */
export function expandMacros(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval_ms|interval|range_s|range_ms|range|auto)\b/g, (_, m: string) => MACRO_DURATIONS[m] ?? '5m')
    .replace(/\$\{(\w+)(?::[\w]+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (_, a?: string, b?: string, c?: string) => `${a ?? b ?? c}`);
}

const MACRO_DURATIONS: Record<string, string> = {
  rate_interval: '4321s',
  range: '4322s',
  auto: '4323s',
  interval: '4324s',
  interval_ms: '60',
  range_s: '60',
  range_ms: '60',
};
const RATE_INTERVAL = MACRO_DURATIONS.rate_interval!;
const RANGE = MACRO_DURATIONS.range!;
const AUTO = MACRO_DURATIONS.auto!;

/** The macro (or literal) a sentinel duration stands for, for messages. */
function describeRange(d: string): string {
  const hit = Object.entries(MACRO_DURATIONS).find(([, v]) => v === d);
  return hit ? `$__${hit[0]}` : d;
}

/** Syntax error of a PromQL target (after macro expansion), if any. */
export function promqlError(expr: string): string | undefined {
  const expanded = expandMacros(expr);
  const e = parsePromql(expanded).error;
  return e ? `${e.message} at offset ${e.offset}` : undefined;
}

/** Syntax error of a LogQL target (after macro expansion), if any. */
export function logqlError(expr: string): string | undefined {
  const expanded = expandMacros(expr);
  if (expanded.trim() === '') return 'empty expression';
  const e = firstSyntaxError(expanded, logqlParser.parse(expanded));
  return e ? `${e.message} at offset ${e.offset}` : undefined;
}

/** Metric names a PromQL target reads. */
export function promqlMetrics(expr: string): string[] {
  return metricNamesIn(expandMacros(expr));
}

/** Range functions whose range should be `$__rate_interval` (dashboard-linter target-rate-interval-rule). */
const RATE_FUNCS = new Set(['rate', 'irate', 'increase']);

/**
 * Problems of range vectors under rate/irate/increase: ranges that are neither `$__rate_interval`
 * nor (for `increase`, which totals a whole panel range) `$__range`; and `_total` counters read
 * without rate/irate/increase (target-counter-agg-rule).
 */
export function promqlRangeProblems(expr: string): { rateInterval: string[]; counterNoRate: string[] } {
  const rateInterval: string[] = [];
  const counterNoRate: string[] = [];
  const expanded = expandMacros(expr);
  const { tree } = parsePromql(expanded);
  const text = (n: { from: number; to: number } | null | undefined) => (n ? expanded.slice(n.from, n.to) : '');
  tree.iterate({
    enter(node) {
      if (node.name === 'FunctionCall') {
        const fname = text(node.node.firstChild).toLowerCase();
        if (!RATE_FUNCS.has(fname)) return;
        const matrix = node.node.getChild('FunctionCallBody')?.getChild('MatrixSelector');
        if (!matrix) return;
        const range = text(matrix.lastChild).trim();
        const ok = range === RATE_INTERVAL || (fname === 'increase' && range === RANGE);
        if (!ok) rateInterval.push(`${fname}(…[${describeRange(range)}])`);
      }
      if (node.name === 'VectorSelector') {
        const name = /^[A-Za-z_:][\w:]*/.exec(text(node))?.[0] ?? '';
        if (!name.endsWith('_total')) return;
        const parent = node.node.parent;
        const call = parent?.parent?.parent;
        const inRate = parent?.name === 'MatrixSelector' && call?.name === 'FunctionCall' && RATE_FUNCS.has(text(call.firstChild).toLowerCase());
        if (!inRate) counterNoRate.push(name);
      }
    },
  });
  return { rateInterval, counterNoRate };
}

/** Log range selectors of a LogQL target that do not use `$__auto` (target-logql-auto-rule). */
export function logqlFixedRanges(expr: string): string[] {
  const expanded = expandMacros(expr);
  const out: string[] = [];
  logqlParser.parse(expanded).iterate({
    enter(node) {
      if (node.name === 'Range') {
        const d = expanded
          .slice(node.from, node.to)
          .replace(/^\[|\]$/g, '')
          .trim();
        if (d !== AUTO) out.push(describeRange(d));
      }
    },
  });
  return out;
}

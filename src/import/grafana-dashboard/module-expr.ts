import * as helpers from '../../dashboards/index.js';

/**
 * The generated module as a small expression tree: helper calls, object and array literals, and
 * JSON values (`undefined` included: a patch removes such a key). The importer evaluates the same
 * tree it prints, so the JSON it compares is the JSON the written module renders.
 */
export type ModuleExpr =
  | { readonly kind: 'call'; readonly fn: HelperName; readonly args: readonly ModuleExpr[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, ModuleExpr])[] }
  | { readonly kind: 'array'; readonly items: readonly ModuleExpr[] }
  | { readonly kind: 'value'; readonly value: unknown };

/** The helpers of `vigil-monitoring/dashboards` a generated module may call. */
const HELPERS = {
  dashboard: helpers.dashboard,
  row: helpers.row,
  timeseries: helpers.timeseries,
  stat: helpers.stat,
  gauge: helpers.gauge,
  table: helpers.table,
  logs: helpers.logs,
  prom: helpers.prom,
  promInstant: helpers.promInstant,
  logql: helpers.logql,
  labelVariable: helpers.labelVariable,
  lokiLabelVariable: helpers.lokiLabelVariable,
  customVariable: helpers.customVariable,
  textVariable: helpers.textVariable,
  raw: helpers.raw,
  verbatim: helpers.verbatim,
} as const;

/** A helper's name. */
export type HelperName = keyof typeof HELPERS;

export const call = (fn: HelperName, ...args: ModuleExpr[]): ModuleExpr => ({ kind: 'call', fn, args });
export const value = (v: unknown): ModuleExpr => ({ kind: 'value', value: v });
export const array = (items: readonly ModuleExpr[]): ModuleExpr => ({ kind: 'array', items });
/** An object literal; entries whose value is `undefined` (not a `value(undefined)`) are left out. */
export function object(entries: readonly (readonly [string, ModuleExpr | undefined])[]): ModuleExpr {
  return { kind: 'object', entries: entries.filter((e): e is readonly [string, ModuleExpr] => e[1] !== undefined) };
}

/** Runs the expression with the real helpers. */
export function evaluate(e: ModuleExpr): unknown {
  switch (e.kind) {
    case 'value':
      return e.value;
    case 'array':
      return e.items.map(evaluate);
    case 'object':
      return Object.fromEntries(e.entries.map(([k, v]) => [k, evaluate(v)]));
    case 'call':
      return (HELPERS[e.fn] as (...a: unknown[]) => unknown)(...e.args.map(evaluate));
  }
}

/** Every helper the expression calls. */
export function helpersUsed(e: ModuleExpr, into = new Set<HelperName>()): Set<HelperName> {
  if (e.kind === 'call') {
    into.add(e.fn);
    for (const a of e.args) helpersUsed(a, into);
  } else if (e.kind === 'array') for (const i of e.items) helpersUsed(i, into);
  else if (e.kind === 'object') for (const [, v] of e.entries) helpersUsed(v, into);
  return into;
}

const WIDTH = 160;
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** A string literal, quoted the way prettier (singleQuote) would. */
function quote(s: string): string {
  const singles = (s.match(/'/g) ?? []).length;
  const doubles = (s.match(/"/g) ?? []).length;
  const q = singles > doubles ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\u2028' || ch === '\u2029') out += `\\u${ch.charCodeAt(0).toString(16)}`;
    else out += ch;
  }
  return q + out + q;
}

function key(k: string): string {
  return IDENT.test(k) ? k : quote(k);
}

/** JSON values as expressions, so one printer handles both. */
function fromValue(v: unknown): ModuleExpr {
  if (Array.isArray(v)) return array(v.map(fromValue));
  if (typeof v === 'object' && v !== null) return { kind: 'object', entries: Object.entries(v).map(([k, x]) => [k, fromValue(x)] as const) };
  return value(v);
}

function scalar(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return quote(v);
  return JSON.stringify(v);
}

function flat(e: ModuleExpr): string {
  switch (e.kind) {
    case 'value':
      return typeof e.value === 'object' && e.value !== null ? flat(fromValue(e.value)) : scalar(e.value);
    case 'array':
      return `[${e.items.map(flat).join(', ')}]`;
    case 'object':
      return e.entries.length === 0 ? '{}' : `{ ${e.entries.map(([k, v]) => `${key(k)}: ${flat(v)}`).join(', ')} }`;
    case 'call':
      return `${e.fn}(${e.args.map(flat).join(', ')})`;
  }
}

function isBlock(e: ModuleExpr): boolean {
  return e.kind === 'object' || e.kind === 'array' || (e.kind === 'value' && typeof e.value === 'object' && e.value !== null);
}

/** Prints `e` starting at column `col` of a line indented by `indent`; `tail` is what follows it on its line. */
export function print(e: ModuleExpr, indent: string, col = indent.length, tail = 0): string {
  const f = flat(e);
  if (col + f.length + tail <= WIDTH && !f.includes('\n')) return f;
  const inner = `${indent}  `;
  if (e.kind === 'value' && typeof e.value === 'object' && e.value !== null) return print(fromValue(e.value), indent, col, tail);
  if (e.kind === 'array') {
    if (e.items.length === 0) return '[]';
    return `[\n${e.items.map((i) => `${inner}${print(i, inner, inner.length, 1)},`).join('\n')}\n${indent}]`;
  }
  if (e.kind === 'object') {
    if (e.entries.length === 0) return '{}';
    const lines = e.entries.map(([k, v]) => {
      const head = `${inner}${key(k)}: `;
      return `${head}${print(v, inner, head.length, 1)},`;
    });
    return `{\n${lines.join('\n')}\n${indent}}`;
  }
  if (e.kind === 'call') {
    const last = e.args[e.args.length - 1];
    const before = e.args.slice(0, -1).map(flat);
    const head = `${e.fn}(${before.map((b) => `${b}, `).join('')}`;
    // Hug a trailing object or array literal, prettier-style: `f('a', {` … `})`.
    if (last && isBlock(last) && !before.some((b) => b.includes('\n')) && col + head.length <= WIDTH)
      return `${head}${print(last, indent, col + head.length, tail + 1)})`;
    return `${e.fn}(\n${e.args.map((a) => `${inner}${print(a, inner, inner.length, 1)},`).join('\n')}\n${indent})`;
  }
  return f;
}

import { parsePromql } from '../../query/promql.js';

const THRESHOLD_OPS = new Set(['Gtr', 'Lss', 'Gte', 'Lte']);

/** A threshold literal in an expression: `> 0.9` and where the literal is written. */
export interface ThresholdUse {
  readonly literal: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Thresholds of an expression: literals on the right of `>`, `<`, `>=`, `<=` (not `== 0`-style
 * state checks, and not 0, which means "any" rather than a tuned level).
 */
export function thresholdsIn(expr: string): ThresholdUse[] {
  const { tree, error } = parsePromql(expr);
  if (error) return [];
  const out: ThresholdUse[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.name !== 'BinaryExpr') return undefined;
      for (let c = ref.node.firstChild; c; c = c.nextSibling) {
        if (!THRESHOLD_OPS.has(c.name)) continue;
        let rhs = c.nextSibling;
        if (rhs?.name === 'BoolModifier') rhs = rhs.nextSibling;
        if (rhs?.name !== 'NumberDurationLiteral') continue;
        const literal = expr.slice(rhs.from, rhs.to);
        if (Number(literal) !== 0 && Number.isFinite(Number(literal))) out.push({ literal, from: rhs.from, to: rhs.to });
      }
      return undefined;
    },
  });
  return out;
}

/** One extracted parameter: its name, value, and the alerts that use it. */
export interface ThresholdParam {
  readonly name: string;
  readonly value: string | number;
  readonly alerts: readonly string[];
}

/**
 * Parameters for threshold literals that repeat: a literal used as a threshold by two or more
 * alerts becomes `${name}`, named after its value (`> 0.9` → `${threshold0_9}`), so one edit
 * retunes every alert that shared it. Returns the params and the expressions rewritten (same order
 * as `alerts`).
 */
export function extractThresholdParams(
  alerts: readonly { readonly name: string; readonly expr: string }[],
  taken: ReadonlySet<string> = new Set(),
): { params: ThresholdParam[]; exprs: string[] } {
  const uses = alerts.map((a) => thresholdsIn(a.expr));
  const users = new Map<string, string[]>();
  uses.forEach((list, i) => {
    for (const literal of new Set(list.map((u) => u.literal))) users.set(literal, [...(users.get(literal) ?? []), alerts[i]!.name]);
  });
  const params: ThresholdParam[] = [];
  const nameOf = new Map<string, string>();
  const names = new Set(taken);
  for (const [literal, who] of users) {
    if (who.length < 2) continue;
    const base = `threshold${literal.replace(/^-/, 'Minus').replace(/^\+/, '').replace(/[.+-]/g, '_')}`;
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base}${n}`;
    names.add(name);
    nameOf.set(literal, name);
    // The value keeps the literal's exact spelling (1e3, 0.90) so the rendered rule is the same text.
    const value = String(Number(literal)) === literal ? Number(literal) : literal;
    params.push({ name, value, alerts: [...new Set(who)] });
  }
  const exprs = alerts.map((a, i) => {
    let out = a.expr;
    for (const u of [...uses[i]!].sort((x, y) => y.from - x.from)) {
      const name = nameOf.get(u.literal);
      if (name) out = `${out.slice(0, u.from)}\${${name}}${out.slice(u.to)}`;
    }
    return out;
  });
  return { params, exprs };
}

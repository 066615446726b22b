import { matcherMatches, selectorsIn, type VectorSelector } from '../../../query/promql.js';

/** A rule group as read back from a rendered rule file. */
export interface ParsedRuleGroup {
  readonly name: string;
  readonly rules: readonly { record?: string; alert?: string; expr?: string; labels?: Record<string, unknown> }[];
}

/** Series alerting rules write, which any rule may read. */
const ALERT_SERIES = ['ALERTS', 'ALERTS_FOR_STATE'];

interface GroupReads {
  /** Selectors of series no rule in the file records (input series); metric '' reads anything. */
  readonly raw: readonly VectorSelector[];
  /** Indices of the groups whose recorded series it may read. */
  readonly reads: ReadonlySet<number>;
}

function mayMatch(sel: VectorSelector, name: string, labels: Record<string, unknown> | undefined): boolean {
  if (sel.metric !== '' && sel.metric !== name) return false;
  // A rule's static labels override whatever its expression yields, so they decide the match.
  return sel.matchers.every((m) => {
    const v = labels?.[m.name];
    return typeof v !== 'string' || matcherMatches(m, v);
  });
}

/**
 * Which groups of one rule file a promtool test over `inputMetrics` must load so that every group
 * whose output can differ from an empty world is there, with everything it reads. A group is kept
 * when it reads one of the input metrics (by name: a superset of what it really reads), reads a
 * selector without a metric name, reads no input at all (its alerts might fire anywhere), or reads
 * the recorded series or alerts of a kept group; then everything a kept group reads is kept too.
 * A group left out reads none of the inputs, directly or through other groups: its rules yield
 * the same in this test as with no series at all, which its own tests cover.
 */
export function groupsNeeded(groups: readonly ParsedRuleGroup[], inputMetrics: ReadonlySet<string>): number[] {
  const producers = new Map<string, { group: number; labels: Record<string, unknown> | undefined }[]>();
  groups.forEach((g, i) =>
    g.rules.forEach((r) => {
      const names = r.record !== undefined ? [r.record] : r.alert !== undefined ? ALERT_SERIES : [];
      for (const n of names) producers.set(n, [...(producers.get(n) ?? []), { group: i, labels: r.record !== undefined ? r.labels : undefined }]);
    }),
  );
  const reads: GroupReads[] = groups.map((g) => {
    const raw: VectorSelector[] = [];
    const from = new Set<number>();
    for (const r of g.rules) {
      for (const sel of typeof r.expr === 'string' ? selectorsIn(r.expr) : []) {
        const made = sel.metric === '' ? [...producers.values()].flat() : (producers.get(sel.metric) ?? []);
        for (const p of made) if (sel.metric === '' || ALERT_SERIES.includes(sel.metric) || mayMatch(sel, sel.metric, p.labels)) from.add(p.group);
        if (sel.metric === '' || made.length === 0) raw.push(sel);
      }
    }
    return { raw, reads: from };
  });
  const kept = new Set<number>();
  reads.forEach((r, i) => {
    const readsInput = r.raw.some((s) => s.metric === '' || inputMetrics.has(s.metric));
    if (readsInput || (r.raw.length === 0 && [...r.reads].every((j) => j === i))) kept.add(i);
  });
  // Groups reading a kept group's output may change with the inputs too.
  for (let grown = true; grown;) {
    grown = false;
    reads.forEach((r, i) => {
      if (kept.has(i) || ![...r.reads].some((j) => kept.has(j))) return;
      kept.add(i);
      grown = true;
    });
  }
  // And every kept group needs what it reads.
  const stack = [...kept];
  while (stack.length > 0) {
    for (const j of reads[stack.pop()!]!.reads) {
      if (kept.has(j)) continue;
      kept.add(j);
      stack.push(j);
    }
  }
  return [...kept].sort((a, b) => a - b);
}

/**
 * The rules a test can observe when it asserts only the alerts named `alertNames` and the
 * expressions `exprs`: those alerting rules, and every rule whose recorded series they read,
 * transitively (by name and the rules' static labels, as groupsNeeded matches them). A rule
 * outside that set changes no asserted value (rules of a group run in order at one timestamp and
 * only read what earlier evaluations recorded), so leaving it out only spares promtool its
 * evaluation. Rules keep their order, groups every other field; a group left without rules is
 * dropped. Undefined when it cannot be told: a selector without a metric name, one reading
 * ALERTS (which any alerting rule writes), or an asserted alert whose templates run a query.
 */
export function rulesNeeded(groups: readonly ParsedRuleGroup[], alertNames: ReadonlySet<string>, exprs: readonly string[]): ParsedRuleGroup[] | undefined {
  const producers = new Map<string, { group: number; rule: number }[]>();
  groups.forEach((g, gi) =>
    g.rules.forEach((r, ri) => {
      if (r.record !== undefined) producers.set(r.record, [...(producers.get(r.record) ?? []), { group: gi, rule: ri }]);
    }),
  );
  const needed = groups.map(() => new Set<number>());
  const work: string[] = [...exprs];
  let templateQuery = false;
  groups.forEach((g, gi) =>
    g.rules.forEach((r, ri) => {
      if (r.alert === undefined || !alertNames.has(r.alert)) return;
      needed[gi]!.add(ri);
      if (typeof r.expr === 'string') work.push(r.expr);
      // A label or annotation template may run a query of its own (`{{ query "…" }}`).
      if (/\{\{[^}]*\bquery\b/.test(JSON.stringify([r.labels, (r as { annotations?: unknown }).annotations]))) templateQuery = true;
    }),
  );
  if (templateQuery) return undefined;
  for (let expr = work.pop(); expr !== undefined; expr = work.pop()) {
    for (const sel of selectorsIn(expr)) {
      if (sel.metric === '' || ALERT_SERIES.includes(sel.metric)) return undefined;
      for (const p of producers.get(sel.metric) ?? []) {
        const rule = groups[p.group]!.rules[p.rule]!;
        if (needed[p.group]!.has(p.rule) || !mayMatch(sel, sel.metric, rule.labels)) continue;
        needed[p.group]!.add(p.rule);
        if (typeof rule.expr === 'string') work.push(rule.expr);
      }
    }
  }
  return groups.flatMap((g, gi) => (needed[gi]!.size === 0 ? [] : [{ ...g, rules: g.rules.filter((_, ri) => needed[gi]!.has(ri)) }]));
}

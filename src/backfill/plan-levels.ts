import { matcherMatches, parsePromql, selectorUses, type SelectorUse } from '../query/promql.js';
import type { AlertingRule, RecordingRule, RuleGroup } from '../model/rule-group.js';
import { parseDurationSeconds } from '../runtime/duration.js';

/** One level of a backfill: recording rules that read only the source (level 1) or only levels below. */
export interface BackfillLevel {
  /** 1-based; level 1 reads the source Prometheus, every later level only series recorded by levels below it. */
  readonly index: number;
  /** The groups with this level's rules only (original names and intervals: promtool aligns evaluations per group). */
  readonly groups: readonly RuleGroup[];
  /** Recording rules in the level. */
  readonly rules: number;
  /** The distinct series names the level records, sorted. */
  readonly records: readonly string[];
}

/** An alerting rule left out of the backfill, and why. */
export interface SkippedAlert {
  readonly group: string;
  readonly alert: string;
  readonly reason: string;
}

/** The backfill as levels in dependency order, plus the alerting rules it does not compute. */
export interface BackfillPlan {
  readonly levels: readonly BackfillLevel[];
  readonly skippedAlerts: readonly SkippedAlert[];
  /** Alerting rules turned into `ALERTS{alertstate="firing"}` recording rules (with `alerts: true`). */
  readonly alertsRecorded: number;
  /** Rules whose same-timestamp reads of an earlier rule of their group were inlined (see `inlineSourceReads`). */
  readonly inlined: readonly string[];
}

/** A rule set that cannot be backfilled exactly (a cycle, a rule reading source and recorded series together). */
export class BackfillPlanError extends Error {
  override name = 'BackfillPlanError';
}

export interface PlanOptions {
  /** Also backfill alerting rules without `for` as `ALERTS{alertstate="firing"}` recording rules. */
  readonly alerts?: boolean;
}

interface PlannedRule {
  readonly group: number;
  readonly position: number;
  readonly rule: RecordingRule;
  /** The rule's original text, for messages. */
  readonly name: string;
}

/**
 * Splits rule groups into backfill levels (pure). promtool evaluates each recording rule as a range
 * query against a Prometheus that never sees promtool's own output, so a rule can only be
 * backfilled once every series it reads is stored there. A rule's level is 1 when it reads no
 * recorded series of these groups, else one more than the highest level among the rules whose
 * output it may read (by name and by the rules' own labels against its matchers). Derived from
 * the expressions, never from a list of known names; a cycle is an error. A level above 1 is
 * evaluated on a Prometheus holding only the levels below, so a rule that reads both source
 * series and recorded ones must have its recorded reads inlined (`inlineSourceReads`) or it is an
 * error.
 */
export function planBackfillLevels(groups: readonly RuleGroup[], options: PlanOptions = {}): BackfillPlan {
  const skippedAlerts: SkippedAlert[] = [];
  const planned: PlannedRule[] = [];
  let alertsRecorded = 0;
  groups.forEach((g, gi) =>
    g.rules.forEach((r, position) => {
      if ('record' in r) {
        planned.push({ group: gi, position, rule: r, name: `${g.name}/${r.record}` });
        return;
      }
      const skip = alertSkipReason(r, options);
      if (skip) {
        skippedAlerts.push({ group: g.name, alert: r.alert, reason: skip });
        return;
      }
      alertsRecorded++;
      planned.push({ group: gi, position, rule: alertAsRecording(r), name: `${g.name}/ALERTS{alertname="${r.alert}"}` });
    }),
  );

  const inlined: string[] = [];
  const plannedIndex = indexByRecord(planned);
  // In rule order, so a rule inlines the already inlined expression of an earlier one (a base tile
  // reads its rise, the errors rule reads that tile).
  const rules: PlannedRule[] = [...planned];
  rules.forEach((p, i) => {
    const rewritten = inlineSourceReads(p, rules, plannedIndex);
    if (rewritten === p.rule.expr) return;
    inlined.push(p.name);
    rules[i] = { ...p, rule: { ...p.rule, expr: rewritten } };
  });
  const index = indexByRecord(rules);
  const reads = rules.map((p) => readsOf(p.rule.expr, rules, index));

  const level: (number | undefined)[] = rules.map(() => undefined);
  const visiting = new Set<number>();
  const levelOf = (i: number, path: number[]): number => {
    const known = level[i];
    if (known !== undefined) return known;
    if (visiting.has(i)) {
      const cycle = [...path.slice(path.indexOf(i)), i].map((j) => rules[j]!.name);
      throw new BackfillPlanError(`the rules read each other in a cycle, so no order computes them: ${cycle.join(' → ')}`);
    }
    visiting.add(i);
    const { recorded, source } = reads[i]!;
    let l = 1;
    for (const j of recorded) l = Math.max(l, levelOf(j, [...path, i]) + 1);
    if (recorded.length > 0 && source.length > 0) {
      throw new BackfillPlanError(
        `${rules[i]!.name} reads source series (${source.join(', ')}) and series recorded by other rules ` +
          `(${[...new Set(recorded.map((j) => rules[j]!.rule.record))].join(', ')}) that cannot be inlined: ` +
          'levels above the first are computed from recorded series only, so it cannot be backfilled exactly',
      );
    }
    visiting.delete(i);
    level[i] = l;
    return l;
  };
  rules.forEach((_, i) => levelOf(i, []));

  const depth = Math.max(0, ...level.map((l) => l!));
  const levels: BackfillLevel[] = [];
  for (let index = 1; index <= depth; index++) {
    const at = rules.filter((_, i) => level[i] === index);
    const levelGroups: RuleGroup[] = [];
    groups.forEach((g, gi) => {
      const mine = at.filter((r) => r.group === gi).sort((a, b) => a.position - b.position);
      if (mine.length > 0) levelGroups.push({ name: g.name, ...(g.interval !== undefined ? { interval: g.interval } : {}), rules: mine.map((r) => r.rule) });
    });
    levels.push({ index, groups: levelGroups, rules: at.length, records: [...new Set(at.map((r) => r.rule.record))].sort() });
  }
  return { levels, skippedAlerts, alertsRecorded, inlined };
}

function alertSkipReason(r: AlertingRule, options: PlanOptions): string | undefined {
  if (!options.alerts) return 'alerting rules are not backfilled without --alerts (promtool skips them)';
  const hold = r.for === undefined ? 0 : parseDurationSeconds(r.for);
  if (hold !== 0) return `has for: ${r.for} (a pending period needs the alert's own history, which a range query does not keep)`;
  return undefined;
}

/**
 * An alerting rule without `for` as the recording rule of its firing series: Prometheus writes
 * `ALERTS{alertname, alertstate="firing", <expr labels>, <rule labels>} 1` at every evaluation where
 * the expression has a result, and nothing else (a pending state lasts zero time).
 */
function alertAsRecording(r: AlertingRule): RecordingRule {
  return { record: 'ALERTS', expr: `(${r.expr}) * 0 + 1`, labels: { ...r.labels, alertname: r.alert, alertstate: 'firing' } };
}

/** Whether a selector may read the output of a recording rule (name, then the rule's static labels against its matchers). */
function mayRead(use: SelectorUse, rule: RecordingRule): boolean {
  if (use.selector.metric !== rule.record) return false;
  // A rule's static labels override whatever its expression yields; a label it does not set may have any value.
  return use.selector.matchers.every((m) => {
    const v = rule.labels?.[m.name];
    return v === undefined || matcherMatches(m, v);
  });
}

/** Rule indices by the series name they record. */
function indexByRecord(rules: readonly PlannedRule[]): Map<string, number[]> {
  const byName = new Map<string, number[]>();
  rules.forEach((r, i) => byName.set(r.rule.record, [...(byName.get(r.rule.record) ?? []), i]));
  return byName;
}

/** Indices of the rules whose output `expr` may read, and its selectors that no rule records (source series). */
function readsOf(expr: string, rules: readonly PlannedRule[], byName: Map<string, number[]>): { recorded: number[]; source: string[] } {
  if (parsePromql(expr).error) throw new BackfillPlanError(`cannot parse ${JSON.stringify(expr)}`);
  const recorded = new Set<number>();
  const source: string[] = [];
  for (const use of selectorUses(expr)) {
    const producers = (byName.get(use.selector.metric) ?? []).filter((i) => mayRead(use, rules[i]!.rule));
    for (const i of producers) recorded.add(i);
    if (producers.length === 0) source.push(use.selector.metric);
  }
  if (/\{\s*__name__\s*(=~|!=|!~)/.test(expr))
    throw new BackfillPlanError(`${JSON.stringify(expr)} selects series by a pattern on their name: which rules it reads cannot be told`);
  return { recorded: [...recorded], source: [...new Set(source)] };
}

/**
 * A rule that reads source series and also, at the same timestamp, the output of an earlier rule of
 * its own group (vigil's base errors rule reads the base total just recorded) gets that read
 * replaced by the earlier rule's expression, with the earlier rule's labels and name set through
 * `label_replace`. In the live group the earlier rule runs first at the same timestamp, so the
 * inlined expression yields exactly the samples the read would find. Inlined only when that is
 * certain: a plain instant read (no range, offset, `@` or subquery), exactly one rule it may read,
 * earlier in the same group, whose labels satisfy every matcher (equality on a label it sets), and
 * that itself reads source series only once its own reads are inlined (`all` holds the earlier
 * rules already rewritten). Returns the expression unchanged otherwise.
 */
function inlineSourceReads(p: PlannedRule, all: readonly PlannedRule[], byName: Map<string, number[]>): string {
  const expr = p.rule.expr;
  const uses = selectorUses(expr);
  const usesWithProducers = uses.map((u) => ({
    use: u,
    producers: (byName.get(u.selector.metric) ?? []).map((i) => all[i]!).filter((r) => mayRead(u, r.rule)),
  }));
  if (!usesWithProducers.some((u) => u.producers.length === 0)) return expr;
  let out = expr;
  // Replace from the end so earlier offsets stay valid.
  for (const { use, producers } of [...usesWithProducers].reverse()) {
    if (producers.length !== 1) continue;
    const src = producers[0]!;
    if (src.group !== p.group || src.position >= p.position || !plainInstantRead(expr, use)) continue;
    const labels = src.rule.labels ?? {};
    if (!use.selector.matchers.every((m) => m.op === '=' && labels[m.name] === m.value)) continue;
    const srcReads = readsOf(src.rule.expr, all, byName);
    if (srcReads.recorded.length > 0) continue;
    let inner = `(${src.rule.expr})`;
    for (const [k, v] of [...Object.entries(labels), ['__name__', src.rule.record] as const])
      inner = `label_replace(${inner}, ${JSON.stringify(k)}, ${JSON.stringify(v)}, "", "")`;
    out = `${out.slice(0, use.from)}${inner}${out.slice(use.to)}`;
  }
  return out;
}

/** A selector read at the evaluation instant: not a range, not shifted by `offset` or `@`, not inside a subquery. */
function plainInstantRead(expr: string, use: SelectorUse): boolean {
  if (use.range) return false;
  const after = expr.slice(use.to).trimStart();
  return !/^(\[|offset\b|@)/i.test(after);
}

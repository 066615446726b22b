import { SLI_HEALTH_ALERT_NAME, sliHealthReasons } from '../../conventions.js';
import { recordedWindows } from '../../model/slo-math.js';
import type { SloModel } from '../../model/types.js';
import { matcherMatches, type VectorSelector } from '../../query/promql.js';
import { sliHealthAnnotations, sliHealthPlan, sliHealthRuleLabels, type SliHealthPlan, type SliHealthReason } from '../prometheus/sli-health.js';
import { seriesLabels } from '../prometheus/slo-rules.js';
import { groupLabelSets, planSeries } from './synthetic-series.js';

/** Minutes an SLOIndicatorBroken rule must hold before it fires, by reason (the rules' `for:`). */
const FOR_MINUTES: Record<SliHealthReason, number> = { no_total_series: 10, no_threshold_bucket: 10, all_bad: 30 };
/** Minutes around a predicted transition where no check is made. */
const GUARD = 3;

/** A synthetic input series with a constant shape: a counter rising `step` a minute, or a gauge at `step`. */
interface Input {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly kind: 'counter' | 'gauge';
  readonly step: number;
}

/** An SLO whose SLOIndicatorBroken rules can be tested: its plan, healthy series (by group) and scrape-health series. */
interface Subject {
  readonly slo: SloModel;
  readonly plan: SliHealthPlan;
  readonly inputs: readonly { input: Input; group: number }[];
  readonly groups: readonly Record<string, string>[];
  /** `up` of the service's targets (value 1), when the SLO has a no_total_series rule. */
  readonly up?: Input;
}

interface Predicted {
  readonly slo: SloModel;
  readonly reason: SliHealthReason;
  readonly labels: Readonly<Record<string, string>>;
}

interface Scenario {
  readonly name: string;
  readonly inputs: readonly Input[];
}

/**
 * promtool test groups for the SLOIndicatorBroken rules of one rule file's SLOs (pure). Four
 * scenarios for the whole file, whatever its number of SLOs: every indicator healthy and its
 * targets up (quiet); only the targets' `up` series (no_total_series fires); the targets down
 * (quiet); the first group's threshold bucket and good series removed (no_threshold_bucket, then
 * all_bad after 30 minutes). Expected alerts come from evaluating the rules' conditions on the
 * inputs for every SLO of the file, since one SLO's inputs can break or heal another's. An SLO
 * whose claim the shared scenario does not show (another SLO's series stand in for the removed
 * ones) gets the scenario again on its own series.
 */
export function generateSliHealthTests(slos: readonly SloModel[]): unknown[] {
  const subjects = slos.flatMap((slo) => subjectOf(slo) ?? []);
  if (subjects.length === 0) return [];
  const withRules = slos.filter((s) => sliHealthPlan(s) !== undefined);
  const start = Math.max(...subjects.map((s) => recordStart(s.slo)));
  // promtool evaluates every rule of the file up to the last check: check once the 10m rules have
  // fired, and after the 30m one only where a scenario can raise it.
  const early = start + FOR_MINUTES.no_total_series + 2 * GUARD;
  const late = subjects.some((s) => s.plan.good) ? [start + FOR_MINUTES.all_bad + 2 * GUARD] : [];
  const minutes = early + FOR_MINUTES.all_bad + 6 * GUARD;

  const ups = (value: number) => subjects.flatMap((s) => (s.up ? [{ ...s.up, step: value }] : []));
  const broken = (s: Subject) =>
    s.inputs
      .filter(({ input, group }) => group !== 0 || ![s.plan.thresholdBucket, s.plan.good].some((sel) => sel && matches(sel, input)))
      .map(({ input }) => input);
  const healthy = (s: Subject) => s.inputs.map(({ input }) => input);

  /** A claim about one SLO: which scenario shows it, and what the SLO must (or must not) raise there. */
  const claims: {
    name: string;
    make: (s: Subject) => Input[];
    applies: (s: Subject) => boolean;
    expect: (s: Subject) => Predicted[] | 'quiet';
    checks: readonly number[];
  }[] = [
    {
      name: 'every indicator healthy and its targets up: no SLOIndicatorBroken',
      make: (s) => [...healthy(s), ...(s.up ? [s.up] : [])],
      applies: () => true,
      expect: () => 'quiet',
      checks: [early, ...late],
    },
    {
      name: 'targets up but no indicator series: SLOIndicatorBroken{reason="no_total_series"}',
      make: (s) => [s.up!],
      applies: (s) => s.up !== undefined,
      expect: (s) => [predicted(s.slo, sliHealthReasons.noTotalSeries, {})],
      checks: [early],
    },
    {
      name: 'targets down and no indicator series: no SLOIndicatorBroken',
      make: (s) => [{ ...s.up!, step: 0 }],
      applies: (s) => s.up !== undefined,
      expect: () => 'quiet',
      checks: [early],
    },
    {
      name: 'the first group has no threshold bucket / no good series: no_threshold_bucket, and all_bad after 30m',
      make: (s) => [...broken(s), ...(s.up ? [s.up] : [])],
      applies: (s) => s.plan.thresholdBucket !== undefined || s.plan.good !== undefined,
      expect: (s) => [predicted(s.slo, s.plan.thresholdBucket ? sliHealthReasons.noThresholdBucket : sliHealthReasons.allBad, s.groups[0]!)],
      checks: [early, ...late],
    },
  ];
  const shared: Scenario[] = [
    { name: claims[0]!.name, inputs: [...subjects.flatMap(healthy), ...ups(1)] },
    { name: claims[1]!.name, inputs: ups(1) },
    { name: claims[2]!.name, inputs: ups(0) },
    { name: claims[3]!.name, inputs: [...subjects.flatMap(broken), ...ups(1)] },
  ];

  const groups: unknown[] = [];
  claims.forEach((claim, i) => {
    const who = subjects.filter(claim.applies);
    if (who.length === 0) return;
    const evaluate = (sc: Scenario) => {
      const inputs = unique(sc.inputs);
      const checks = claim.checks.map((t) => stableMinute(t, withRules, inputs, minutes));
      return { inputs, at: checks.map((t) => ({ t, alerts: predictAt(withRules, inputs, t) })) };
    };
    const shownIn = (at: { alerts: Predicted[] }[], s: Subject) => {
      const want = claim.expect(s);
      const mine = (list: Predicted[]) => list.filter((a) => a.slo === s.slo);
      if (want === 'quiet') return at.every(({ alerts }) => mine(alerts).length === 0);
      return want.every((w) => at.some(({ alerts }) => mine(alerts).some((a) => a.reason === w.reason && sameLabels(a.labels, w.labels))));
    };
    const all = evaluate(shared[i]!);
    groups.push(renderGroup(`${who[0]!.slo.service}: ${shared[i]!.name}`, all.inputs, all.at, minutes));
    for (const s of who.filter((x) => !shownIn(all.at, x))) {
      const own = evaluate({ name: claim.name, inputs: claim.make(s) });
      if (shownIn(own.at, s)) groups.push(renderGroup(`${s.slo.id}: ${claim.name}`, own.inputs, own.at, minutes));
    }
  });
  return groups;
}

function subjectOf(slo: SloModel): Subject | undefined {
  const plan = sliHealthPlan(slo);
  const series = planSeries(slo, 1);
  if (!plan || !series.ok) return undefined;
  const groups = groupLabelSets(slo);
  // 1% errors: bad events keep flowing when the good series are taken away (all_bad needs traffic).
  const steady = { minutes: 1, eventsAt: () => 1000, errorRatioAt: () => 0.01 };
  const inputs = groups.flatMap((g, group) =>
    series.describe(g).map((spec) => ({ group, input: { metric: spec.metric, labels: spec.labels, kind: spec.kind, step: spec.values(steady)[0]! } })),
  );
  if (inputs.length === 0) return undefined;
  if (!plan.scraped) return { slo, plan, inputs, groups };
  // The service's scrape health: the total series' own job/namespace values satisfy the selector.
  const total = inputs.find(({ input }) => matches(plan.total, input))?.input;
  const labels = Object.fromEntries(plan.scraped.flatMap((m) => (total?.labels[m.name] ? [[m.name, total.labels[m.name]!]] : [])));
  if (!plan.scraped.every((m) => matcherMatches(m, labels[m.name]))) return { slo, plan, inputs, groups };
  return { slo, plan, inputs, groups, up: { metric: 'up', labels, kind: 'gauge', step: 1 } };
}

/** First minute the SLO's recorded base-window total exists: counters need a sample one base window back. */
function recordStart(slo: SloModel): number {
  return slo.indicator.kind === 'boolGauge' ? 0 : recordedWindows(slo)[0]!;
}

function matches(sel: VectorSelector, s: Input): boolean {
  return s.metric === sel.metric && sel.matchers.every((m) => matcherMatches(m, s.labels[m.name]));
}

function predicted(slo: SloModel, reason: SliHealthReason, group: Readonly<Record<string, string>>): Predicted {
  const rule = sliHealthRuleLabels(slo, reason);
  // absent() returns only the slo label; the other rules return the recorded series (SLO and group labels).
  return { slo, reason, labels: reason === sliHealthReasons.noTotalSeries ? rule : { ...seriesLabels(slo), ...group, ...rule } };
}

/** The SLOIndicatorBroken alerts firing at minute t: each rule's condition held at every evaluation of its `for:`. */
function predictAt(slos: readonly SloModel[], inputs: readonly Input[], t: number): Predicted[] {
  const out: Predicted[] = [];
  for (const slo of slos) {
    const plan = sliHealthPlan(slo)!;
    const groupOf = (s: Input) => Object.fromEntries(slo.groupBy.flatMap((g) => (s.labels[g] ? [[g, s.labels[g]]] : [])));
    const key = (s: Input) => JSON.stringify(groupOf(s));
    const totals = new Map<string, { labels: Record<string, string>; rate: number }>();
    for (const s of inputs.filter((x) => matches(plan.total, x))) {
      const g = totals.get(key(s)) ?? { labels: groupOf(s), rate: 0 };
      totals.set(key(s), { ...g, rate: g.rate + s.step });
    }
    const keysOf = (sel: VectorSelector | undefined) => new Set(sel ? inputs.filter((x) => matches(sel, x)).map(key) : []);
    const buckets = keysOf(plan.thresholdBucket);
    const good = keysOf(plan.good);
    const recorded = (u: number) => u >= recordStart(slo);
    const held = (reason: SliHealthReason, cond: (u: number) => boolean) => {
      const f = FOR_MINUTES[reason];
      if (t < f) return false;
      for (let u = t - f; u <= t; u++) if (!cond(u)) return false;
      return true;
    };
    if (plan.scraped) {
      const up = inputs.some((s) => s.metric === 'up' && s.step === 1 && plan.scraped!.every((m) => matcherMatches(m, s.labels[m.name])));
      if (up && held(sliHealthReasons.noTotalSeries, (u) => totals.size === 0 || !recorded(u))) out.push(predicted(slo, sliHealthReasons.noTotalSeries, {}));
    }
    for (const [k, g] of totals) {
      if (plan.thresholdBucket && !buckets.has(k) && held(sliHealthReasons.noThresholdBucket, recorded))
        out.push(predicted(slo, sliHealthReasons.noThresholdBucket, g.labels));
      if (plan.good && !good.has(k) && g.rate > 0 && held(sliHealthReasons.allBad, recorded)) out.push(predicted(slo, sliHealthReasons.allBad, g.labels));
    }
  }
  return out;
}

/** The nearest minute at or after `wanted` where no predicted alert changes within GUARD minutes. */
function stableMinute(wanted: number, slos: readonly SloModel[], inputs: readonly Input[], minutes: number): number {
  const sig = (t: number) => JSON.stringify(predictAt(slos, inputs, t).map((a) => [a.slo.id, a.reason, a.labels]));
  for (let t = wanted; t + GUARD < minutes; t++) {
    const s = sig(t);
    let ok = true;
    for (let u = t - GUARD; u <= t + GUARD && ok; u++) ok = sig(u) === s;
    if (ok) return t;
  }
  return wanted;
}

/** Inputs without repeats (the first of two series with the same identity stays). */
function unique(inputs: readonly Input[]): Input[] {
  const seen = new Map<string, Input>();
  for (const s of inputs) {
    const k = seriesText(s);
    if (!seen.has(k)) seen.set(k, s);
  }
  return [...seen.values()];
}

function seriesText(s: Input): string {
  const keys = Object.keys(s.labels).sort();
  return `${s.metric}{${keys.map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(', ')}}`;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const norm = (x: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1)));
  return norm(a) === norm(b);
}

function renderGroup(name: string, inputs: readonly Input[], checks: readonly { t: number; alerts: Predicted[] }[], minutes: number): unknown {
  return {
    name,
    interval: '1m',
    input_series: inputs.map((s) => ({
      series: seriesText(s),
      values: s.kind === 'counter' ? `0+${s.step}x${minutes}` : `${s.step}x${minutes}`,
    })),
    alert_rule_test: checks.map(({ t, alerts }) => ({
      eval_time: `${t}m`,
      alertname: SLI_HEALTH_ALERT_NAME,
      exp_alerts: alerts.map((a) => ({ exp_labels: a.labels, exp_annotations: sliHealthAnnotations(a.slo, a.reason) })),
    })),
  };
}

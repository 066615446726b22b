import { sloSeries } from '../../conventions.js';
import { formatMinutes } from '../../model/duration.js';
import { detectionMinutes, recordedWindows } from '../../model/slo-math.js';
import type { AlertWindow, SloModel } from '../../model/types.js';
import { alertAnnotations, num, seriesLabels } from '../prometheus/slo-rules.js';
import { alertLabelsFor, predictAlerts, type PredictedAlert } from './predict-alerts.js';
import { groupLabelSets, planSeries, selectorsOf, type Profile, type SeriesSpec, type SynthSeries } from './synthetic-series.js';
import { matcherMatches, metricNamesIn } from '../../query/promql.js';
import { generateSliHealthTests } from './sli-health-tests.js';
import type { ShapeProofs } from './shape-proofs.js';

/** Evaluation and input-sample interval of generated tests, in minutes. */
export const TEST_INTERVAL_MINUTES = 1;
/** Minutes around a predicted alert transition where no assertion is made (evaluation + scrape lag). */
export const GUARD_MINUTES = 3;
/** Events per minute of synthetic traffic. */
const EVENTS_PER_MINUTE = 1000;
/** Longest scenario, in minutes (promtool evaluates every rule every minute). */
const MAX_SCENARIO_MINUTES = 4 * 1440;

export interface TestWarning {
  readonly code: string;
  readonly message: string;
  readonly slo: SloModel;
}

interface Check {
  readonly minute: number;
  readonly why: string;
}

/** One scenario of one SLO: its input series (values computed lazily) and when to check. */
interface Scenario {
  readonly name: string;
  readonly specs: readonly { readonly spec: SeriesSpec; readonly profile: Profile }[];
  /** Check minutes and the scenario's length; may simulate (costly), so only on a cache miss. */
  resolve(): { minutes: number; checks: Check[] };
  readonly exprChecks: readonly { minute: number; expr: string; samples: { labels: string; value: number }[] }[];
}

/** What a scenario asserts, reusable for every SLO of the same shape (labels filled in later). */
interface ScenarioTemplate {
  readonly values: readonly string[];
  readonly checks: readonly { minute: number; active: readonly (readonly [number, number])[] }[];
}

/** Simulations shared between SLOs of the same shape, across services (see generateSloTests). */
export type SloTestCache = Map<string, ScenarioTemplate[]>;

/**
 * Generates the promtool unit tests of one service's SLOs (pure). Per SLO: healthy traffic at
 * half the budget rate (no alert for hours); a burn at twice the fastest page threshold (the
 * page fires within the Workbook detection time plus evaluation lag and not before); a total
 * outage; a steady 4x burn (tickets, no page); zero traffic (no alert, ratios 0 not NaN).
 * Expected alerts at each check come from simulating the rules' event-weighted ratios on the
 * same inputs, and checks sit at least GUARD_MINUTES away from any predicted transition.
 * Simulations are shared between SLOs of the same shape (indicator form, period, objective,
 * windows, groups) through `cache`, which the render stage keeps across services (it only ever
 * saves work: a cached simulation equals a fresh one). `build` computes the test file's content.
 */
export function generateSloTests(
  slos: readonly SloModel[],
  options: { ruleFile: string; cache?: SloTestCache; provenBy?: ShapeProofs },
): { warnings: TestWarning[]; build?: () => unknown } {
  const cache = options.cache ?? new Map<string, ScenarioTemplate[]>();
  const warnings: TestWarning[] = [];
  const alertNames = [...new Set(slos.map((s) => s.alertName))].sort();
  const readers = slos.map(seriesReader);
  // Phase 1, eager and cheap: which scenarios exist, and every warning about them.
  const planned = slos.flatMap((slo) => {
    const made = scenariosFor(slo, warnings, options.provenBy?.get(slo.id));
    if (!made) return [];
    const scenarios = made.scenarios.filter((sc) => {
      const raw = readers.filter((r) => r.slo !== slo && r.slo.indicator.kind === 'raw' && r.reads(sc.specs));
      if (raw.length === 0) return true;
      warnings.push({
        code: 'SLO029',
        message: `test "${sc.name}" of ${slo.id} left out: raw SLO ${raw.map((r) => r.slo.id).join(', ')} reads the same metrics and cannot be predicted`,
        slo,
      });
      return false;
    });
    return scenarios.length > 0 ? [{ slo, scenarios, groupSets: made.groupSets, shapeScenarios: made.scenarios.length }] : [];
  });
  if (planned.length === 0) return { warnings };

  // Phase 2, when the file is written: simulate (once per shape) and render.
  const build = (): unknown => {
    const groups: unknown[] = [];
    // Each alert window's annotations are built once per file (every check of every scenario repeats them).
    const annotations = new Map<AlertWindow, Record<string, string>>();
    const annotationsOf = (slo: SloModel, w: AlertWindow) => {
      let a = annotations.get(w);
      if (!a) annotations.set(w, (a = alertAnnotations(slo, w)));
      return a;
    };
    for (const { slo, scenarios, groupSets, shapeScenarios } of planned) {
      const interferes = (sc: Scenario) => readers.some((r) => r.slo !== slo && r.reads(sc.specs));
      const key = shapeKey(
        slo,
        groupSets.length,
        scenarios.map((sc) => sc.specs.length),
        options.provenBy?.has(slo.id) ?? false,
      );
      const expectedCache = new Map<string, Pick<PredictedAlert, 'slo' | 'window' | 'labels'>>();
      const expected = (wi: number, gi: number) => {
        const k = `${wi}/${gi}`;
        let e = expectedCache.get(k);
        if (!e) expectedCache.set(k, (e = { slo, window: slo.windows[wi]!, labels: alertLabelsFor(slo, slo.windows[wi]!, groupSets[gi]!) }));
        return e;
      };
      const cached = scenarios.length === shapeScenarios ? cache.get(key) : undefined;
      const templates: ScenarioTemplate[] = [];
      scenarios.forEach((sc, i) => {
        const shared = !interferes(sc);
        let t = shared ? cached?.[i] : undefined;
        if (!t) {
          const computed = computeScenario(sc, shared ? [slo] : slos);
          if (!shared) {
            groups.push(
              renderGroup(
                slo,
                sc,
                computed.values,
                computed.checks.map((c) => ({ minute: c.minute, alerts: c.alerts })),
                alertNames,
                annotationsOf,
              ),
            );
            return;
          }
          t = {
            values: computed.values,
            checks: computed.checks.map((c) => ({
              minute: c.minute,
              active: c.alerts.map((a) => [a.slo.windows.indexOf(a.window), groupIndex(groupSets, a.labels)] as const),
            })),
          };
        }
        templates[i] = t;
        const checks = t.checks.map((c) => ({ minute: c.minute, alerts: c.active.map(([wi, gi]) => expected(wi, gi)) }));
        groups.push(renderGroup(slo, sc, t.values, checks, alertNames, annotationsOf));
      });
      if (!cached && scenarios.length === shapeScenarios && templates.length === scenarios.length && templates.every(Boolean)) cache.set(key, templates);
    }
    return { rule_files: [options.ruleFile], evaluation_interval: `${TEST_INTERVAL_MINUTES}m`, tests: [...groups, ...generateSliHealthTests(slos)] };
  };
  return { warnings, build };
}

/** Everything that decides an SLO's scenario values and expected alerts, but none of its labels. */
function shapeKey(slo: SloModel, groups: number, specCounts: readonly number[], short: boolean): string {
  const ind = slo.indicator;
  const form = ind.kind === 'ratio' ? [ind.errors ? 'errors' : 'good', (ind.errors ?? ind.good)!.metric === ind.total.metric] : [];
  return JSON.stringify([
    ind.kind,
    form,
    slo.periodMinutes,
    slo.errorBudget,
    slo.windows.map((w) => [w.tier, w.longMinutes, w.shortMinutes, w.threshold]),
    groups,
    specCounts,
    short,
  ]);
}

function groupIndex(groupSets: readonly Record<string, string>[], labels: Readonly<Record<string, string>>): number {
  const i = groupSets.findIndex((g) => Object.entries(g).every(([k, v]) => labels[k] === v));
  return i < 0 ? 0 : i;
}

/**
 * What series an SLO reads, prepared once per file: `reads(specs)` says whether it reads any of
 * them (then it may alert in that scenario too).
 */
function seriesReader(slo: SloModel): { slo: SloModel; reads(specs: readonly { spec: SeriesSpec }[]): boolean } {
  if (slo.indicator.kind === 'raw') {
    const metrics = new Set(metricNamesIn(slo.indicator.errorRatio.replaceAll('{{window}}', '5m')));
    return { slo, reads: (specs) => specs.some(({ spec }) => metrics.has(spec.metric)) };
  }
  const sels = selectorsOf(slo).flatMap((s) =>
    slo.indicator.kind === 'latency'
      ? [
          { ...s, metric: `${s.metric}_bucket` },
          { ...s, metric: `${s.metric}_count` },
        ]
      : [s],
  );
  const metrics = new Set(sels.map((s) => s.metric));
  return {
    slo,
    reads: (specs) =>
      specs.some(
        ({ spec }) =>
          metrics.has(spec.metric) && sels.some((sel) => sel.metric === spec.metric && sel.matchers.every((m) => matcherMatches(m, spec.labels[m.name]))),
      ),
  };
}

/** Simulates a scenario: series values, then the expected alerts at each (safe) check minute. */
function computeScenario(sc: Scenario, predictFor: readonly SloModel[]) {
  const { minutes, checks } = sc.resolve();
  const series = sizedValues(sc.specs, minutes);
  // Raw SLOs reading these series were filtered out before, so every alert here is predictable.
  const { alerts } = predictAlerts(predictFor, series, minutes);
  const out: { minute: number; alerts: PredictedAlert[] }[] = [];
  for (const check of checks) {
    const t = safeMinute(check.minute, alerts, minutes);
    if (t === undefined) continue;
    out.push({ minute: t, alerts: alerts.filter((a) => a.active[t]) });
  }
  return { values: series.map(expandingNotation), checks: out };
}

/** Series values over `minutes` (one sized profile per distinct profile, so shared work is shared). */
function sizedValues(specs: readonly { spec: SeriesSpec; profile: Profile }[], minutes: number): SynthSeries[] {
  const sized = new Map<Profile, Profile>();
  return specs.map(({ spec, profile: p }) => {
    let q = sized.get(p);
    if (!q) sized.set(p, (q = { ...p, minutes }));
    return { metric: spec.metric, labels: spec.labels, kind: spec.kind, perMinute: spec.values(q) };
  });
}

function renderGroup(
  slo: SloModel,
  sc: Scenario,
  values: readonly string[],
  checks: readonly { minute: number; alerts: readonly Pick<PredictedAlert, 'slo' | 'window' | 'labels'>[] }[],
  alertNames: readonly string[],
  annotationsOf: (slo: SloModel, w: AlertWindow) => Record<string, string>,
): unknown {
  const tests: unknown[] = [];
  for (const check of checks) {
    for (const name of alertNames) {
      tests.push({
        eval_time: `${check.minute}m`,
        alertname: name,
        exp_alerts: check.alerts
          .filter((a) => a.slo.alertName === name)
          .map((a) => ({ exp_labels: a.labels, exp_annotations: annotationsOf(a.slo, a.window) })),
      });
    }
  }
  return {
    name: `${slo.id}: ${sc.name}`,
    interval: `${TEST_INTERVAL_MINUTES}m`,
    input_series: sc.specs.map(({ spec }, i) => ({ series: `${spec.metric}${labelText(spec.labels)}`, values: values[i]! })),
    alert_rule_test: tests,
    ...(sc.exprChecks.length > 0 ? { promql_expr_test: sc.exprChecks.map((c) => ({ expr: c.expr, eval_time: `${c.minute}m`, exp_samples: c.samples })) } : {}),
  };
}

function profile(minutes: number, events: (m: number) => number, errorRatio: (m: number) => number): Profile {
  return { minutes, eventsAt: events, errorRatioAt: errorRatio };
}

/** How many 0/1 gauge series make half-budget failure rates representable without false pages. */
function gaugeSeriesCount(slo: SloModel): number {
  let k = 1;
  for (const w of slo.windows) {
    // Worst case a window holds one extra failed sample: 0.5B + 1/(long × k) must stay below the threshold.
    const room = w.threshold - 0.5 * slo.errorBudget;
    if (room > 0) k = Math.max(k, Math.ceil(1.5 / (w.longMinutes * room)));
  }
  return Math.min(k, 64);
}

/**
 * The scenarios of one SLO: the full set, or (`provenBy`: an SLO of the same rule shape carries
 * the full set) one short scenario that checks what is the SLO's own: its selectors pick its bad
 * and total series (and not the others the plan adds), and every burn-rate pair fires with its
 * exact alert name, labels and annotations.
 */
function scenariosFor(slo: SloModel, warnings: TestWarning[], provenBy?: SloModel): { scenarios: Scenario[]; groupSets: Record<string, string>[] } | undefined {
  const baseGauges = slo.indicator.kind === 'boolGauge' ? gaugeSeriesCount(slo) : 1;
  const plan = planSeries(slo, baseGauges);
  if (!plan.ok) {
    warnings.push({ code: 'SLO029', message: `no generated promtool test for ${slo.id}: ${plan.reason}`, slo });
    return undefined;
  }
  const groupSets = groupLabelSets(slo);
  if (groupSets.length === 0) {
    warnings.push({
      code: 'SLO029',
      message: `no generated promtool test for ${slo.id}: no label values satisfy its selectors for groupBy ${slo.groupBy.join(', ')}`,
      slo,
    });
    return undefined;
  }
  // Series identities depend only on the plan and the group: describe each group once.
  const baseDescribed = groupSets.map((g) => plan.describe(g));
  /**
   * Input series; `smoothFor` (an error ratio and window) asks for enough gauge series that a
   * window of that length holds ~20 failed samples, so discrete 0/1 samples do not make the
   * alert flap. The hit group gets the profile, other groups stay healthy.
   */
  const specs = (events: (m: number) => number, bad: (m: number) => number, smoothFor?: { e: number; window: number }) => {
    const gauges =
      smoothFor && slo.indicator.kind === 'boolGauge' ? Math.min(64, Math.max(baseGauges, Math.ceil(20 / (smoothFor.e * smoothFor.window)))) : baseGauges;
    const p = gauges === baseGauges ? plan : planSeries(slo, gauges);
    if (!p.ok) return [];
    const hitProfile = profile(0, events, bad);
    const healthy = profile(0, events, () => 0);
    const described = gauges === baseGauges ? baseDescribed : groupSets.map((g) => p.describe(g));
    return [
      ...described[0]!.map((spec) => ({ spec, profile: hitProfile })),
      ...described.slice(1).flatMap((list) => list.map((spec) => ({ spec, profile: healthy }))),
    ];
  };
  const B = slo.errorBudget;
  const pages = slo.windows.filter((w) => w.tier === 'page');
  const page1 = [...pages].sort((a, b) => b.threshold - a.threshold)[0];
  // Healthy history long enough to fill the fastest page's long window, so its detection time is the Workbook's.
  const warmup = Math.max(60, page1?.longMinutes ?? 0) + 10;
  const steady = () => EVENTS_PER_MINUTE;
  const out: Scenario[] = [];

  /** A burn at error ratio `e` from `start` (`before` until then); checks at the given minutes and once every pair has fired. */
  const burnScenario = (
    name: string,
    e: number,
    cap: number,
    checkMinutes: readonly Check[],
    start = warmup,
    before = 0,
    events: (m: number) => number = steady,
  ): void => {
    const bad = (m: number) => (m >= start ? e : before);
    const smooth = { e, window: Math.min(...slo.windows.filter((w) => w.threshold < e).map((w) => w.shortMinutes)) };
    const list = specs(events, bad, smooth);
    out.push({
      name,
      specs: list,
      resolve: () => {
        const probeMinutes = Math.min(MAX_SCENARIO_MINUTES, cap) + 1;
        const { alerts } = predictAlerts([slo], sizedValues(list, probeMinutes), probeMinutes);
        const starts = alerts.map((a) => a.active.indexOf(true)).filter((t) => t >= 0);
        const checks: Check[] = [
          ...(start > 2 * GUARD_MINUTES ? [{ minute: start - GUARD_MINUTES, why: 'before the burn' }] : []),
          ...checkMinutes.filter((c) => c.minute < probeMinutes),
        ];
        if (starts.length > 0) checks.push({ minute: Math.max(...starts) + GUARD_MINUTES, why: 'every pair that fires has fired' });
        return { minutes: Math.max(...checks.map((c) => c.minute)) + GUARD_MINUTES + 40, checks };
      },
      exprChecks: [],
    });
  };

  if (provenBy) {
    // Light healthy traffic over one base window, then a total outage at full traffic: every window
    // is soon mostly outage (missing history counts as no traffic), so every pair fires within
    // minutes and is asserted.
    const start = recordedWindows(slo)[0]! + 10;
    const events = (m: number) => (m >= start ? EVENTS_PER_MINUTE : EVENTS_PER_MINUTE / 100);
    const worst = Math.max(0, ...slo.windows.map((w) => detectionMinutes(w, B, 1)));
    burnScenario(
      `rule shape proven by ${provenBy.id}; own selectors, labels and alerts: healthy traffic at half the budget rate, then a total outage fires every pair`,
      1,
      start + Math.ceil(worst) + 4 * GUARD_MINUTES,
      [],
      start,
      0.5 * B,
      events,
    );
    return { scenarios: out, groupSets };
  }

  const healthyMinutes = 180;
  out.push({
    name: 'healthy traffic at half the budget rate raises no alert for hours',
    specs: specs(steady, () => 0.5 * B),
    resolve: () => ({ minutes: healthyMinutes + 1, checks: [60, 120, healthyMinutes].map((m) => ({ minute: m, why: 'healthy' })) }),
    exprChecks: [],
  });

  if (page1) {
    const e = Math.min(1, 2 * page1.threshold);
    const detect = detectionMinutes(page1, B, e);
    burnScenario(
      `a burn at ${num(e * 100)}% errors pages within the ${page1.long}/${page1.short} detection time (${num(Math.round(detect * 10) / 10)} min) plus evaluation lag`,
      e,
      warmup + Math.ceil(detect) + 4 * GUARD_MINUTES,
      [
        { minute: warmup + Math.floor(detect) - GUARD_MINUTES, why: 'just before the Workbook detection time' },
        { minute: warmup + Math.ceil(detect) + GUARD_MINUTES, why: 'after the Workbook detection time plus evaluation lag' },
      ],
    );
  }
  if (slo.windows.length > 0) {
    const worst = Math.max(...slo.windows.map((w) => detectionMinutes(w, B, 1)));
    const firstPage = Math.min(...pages.map((w) => detectionMinutes(w, B, 1)));
    burnScenario(
      'a total outage fires every tier',
      1,
      warmup + Math.ceil(worst) + 4 * GUARD_MINUTES,
      Number.isFinite(firstPage) ? [{ minute: warmup + Math.ceil(firstPage) + GUARD_MINUTES, why: 'page detection at 100% errors' }] : [],
    );
  }
  const tickets = slo.windows.filter((w) => w.tier === 'ticket' && w.threshold < 4 * B);
  if (tickets.length > 0 && 4 * B < 1) {
    // The burn starts right after one base window of history: ticket windows fill with the burn
    // itself, so the test stays short; the claim under test is "tickets fire, pages do not".
    const start = recordedWindows(slo)[0]! + 10;
    const longest = Math.max(...tickets.map((w) => w.longMinutes));
    burnScenario('a steady 4x burn opens a ticket and does not page', 4 * B, start + longest + 4 * GUARD_MINUTES, [], start);
  }

  const zeroMinutes = 120;
  const zeroSpecs = specs(
    () => 0,
    () => 0,
  ).filter(({ spec }) => spec.kind === 'counter');
  const base = recordedWindows(slo)[0]!;
  const exprWindows = [...new Set([base, ...(page1 ? [page1.longMinutes] : [])])];
  const zeroSamples = groupSets.map((g) => ({ ...seriesLabels(slo), ...g }));
  out.push({
    name: 'zero traffic raises no alert and records a 0 error ratio, not NaN',
    specs: zeroSpecs,
    resolve: () => ({ minutes: zeroMinutes + 1, checks: [60, zeroMinutes].map((m) => ({ minute: m, why: 'no traffic' })) }),
    exprChecks: exprWindows.map((w) => ({
      minute: zeroMinutes,
      expr: `${sloSeries.errorRatio(formatMinutes(w))}{slo=${JSON.stringify(slo.id)}}`,
      samples:
        slo.indicator.kind === 'boolGauge' ? [] : zeroSamples.map((l) => ({ labels: `${sloSeries.errorRatio(formatMinutes(w))}${labelText(l)}`, value: 0 })),
    })),
  });
  return { scenarios: out, groupSets };
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}

/** Expanding notation of a series: runs of equal steps become `a+bxn`, gauges use `_` for gaps. */
export function expandingNotation(s: SynthSeries): string {
  const values: (number | undefined)[] = [];
  if (s.kind === 'counter') {
    let c = 0;
    values.push(0);
    for (const inc of s.perMinute.slice(0, -1)) {
      c = Number((c + inc).toPrecision(12));
      values.push(c);
    }
  } else {
    for (const v of s.perMinute) values.push(Number.isNaN(v) ? undefined : v);
  }
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const a = values[i];
    if (a === undefined) {
      let n = 0;
      while (i + n + 1 < values.length && values[i + n + 1] === undefined) n++;
      parts.push(n === 0 ? '_' : `_x${n}`);
      i += n + 1;
      continue;
    }
    const next = values[i + 1];
    if (next === undefined) {
      parts.push(num(a));
      i += 1;
      continue;
    }
    const step = Number((next - a).toPrecision(12));
    let n = 1;
    while (i + n + 1 < values.length) {
      const v = values[i + n + 1];
      if (v === undefined || Math.abs(v - (a + step * (n + 1))) > 1e-6 * Math.max(1, Math.abs(v))) break;
      n++;
    }
    parts.push(step === 0 ? `${num(a)}x${n}` : `${num(a)}${step > 0 ? '+' : '-'}${num(Math.abs(step))}x${n}`);
    i += n + 1;
  }
  return parts.join(' ');
}

/** The nearest minute at or after `wanted` (then before it) with no predicted transition within the guard. */
function safeMinute(wanted: number, alerts: readonly PredictedAlert[], minutes: number): number | undefined {
  const stable = (t: number) => {
    if (t < GUARD_MINUTES || t + GUARD_MINUTES >= minutes) return false;
    return alerts.every((a) => {
      for (let u = t - GUARD_MINUTES; u <= t + GUARD_MINUTES; u++) if (a.active[u] !== a.active[t]) return false;
      return true;
    });
  };
  for (let d = 0; d <= 30; d++) {
    if (stable(wanted - d)) return wanted - d;
    if (stable(wanted + d)) return wanted + d;
  }
  return undefined;
}

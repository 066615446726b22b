import { generatedHeader, sloSeries } from '../../conventions.js';
import { formatMinutes } from '../../model/duration.js';
import { detectionMinutes } from '../../model/slo-math.js';
import type { SloModel } from '../../model/types.js';
import { renderYaml } from '../../render/yaml.js';
import { alertAnnotations, num, recordedWindows, seriesLabels } from '../prometheus/slo-rules.js';
import { predictAlerts, type PredictedAlert } from './predict-alerts.js';
import { groupLabelSets, planSeries, type Profile, type SynthSeries } from './synthetic-series.js';

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

interface Scenario {
  readonly name: string;
  readonly minutes: number;
  readonly series: SynthSeries[];
  readonly checks: Check[];
  readonly exprChecks: { minute: number; expr: string; samples: { labels: string; value: number }[] }[];
}

/**
 * Generates the promtool unit tests of one service's SLOs (pure). Per SLO: healthy traffic at
 * half the budget rate (no alert for hours); a burn at twice the fastest page threshold (the
 * page fires within the Workbook detection time plus evaluation lag and not before); a total
 * outage; a steady 4x burn (tickets, no page); zero traffic (no alert, ratios 0 not NaN).
 * Expected alerts at each check come from simulating the rules' event-weighted ratios on the
 * same inputs, and checks sit at least GUARD_MINUTES away from any predicted transition.
 */
export function generateSloTests(slos: readonly SloModel[], options: { ruleFile: string; specPath: string }): { content?: string; warnings: TestWarning[] } {
  const warnings: TestWarning[] = [];
  const groups: unknown[] = [];
  for (const slo of slos) {
    const scenarios = scenariosFor(slo, warnings);
    for (const sc of scenarios) {
      const rendered = renderScenario(slo, sc, slos, warnings);
      if (rendered) groups.push(rendered);
    }
  }
  if (groups.length === 0) return { warnings };
  const doc = {
    rule_files: [options.ruleFile],
    evaluation_interval: `${TEST_INTERVAL_MINUTES}m`,
    tests: groups,
  };
  return { content: `${generatedHeader(options.specPath)}\n${renderYaml(doc)}`, warnings };
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

function scenariosFor(slo: SloModel, warnings: TestWarning[]): Scenario[] {
  const baseGauges = slo.indicator.kind === 'boolGauge' ? gaugeSeriesCount(slo) : 1;
  const plan = planSeries(slo, baseGauges);
  if (!plan.ok) {
    warnings.push({ code: 'SLO029', message: `no generated promtool test for ${slo.id}: ${plan.reason}`, slo });
    return [];
  }
  const groupSets = groupLabelSets(slo);
  if (groupSets.length === 0) {
    warnings.push({ code: 'SLO029', message: `no generated promtool test for ${slo.id}: no label values satisfy its selectors for groupBy ${slo.groupBy.join(', ')}`, slo });
    return [];
  }
  const [hit, ...others] = groupSets as [Record<string, string>, ...Record<string, string>[]];
  /**
   * Input series for `minutes`; `smoothFor` (an error ratio and window) asks for enough gauge
   * series that a window of that length holds ~20 failed samples, so discrete 0/1 samples do
   * not make the alert flap.
   */
  const build = (minutes: number, events: (m: number) => number, bad: (m: number) => number, smoothFor?: { e: number; window: number }) => {
    const gauges = smoothFor && slo.indicator.kind === 'boolGauge' ? Math.min(64, Math.max(baseGauges, Math.ceil(20 / (smoothFor.e * smoothFor.window)))) : baseGauges;
    const p = gauges === baseGauges ? plan : planSeries(slo, gauges);
    if (!p.ok) return [];
    const series = p.build(hit, profile(minutes, events, bad));
    for (const o of others) series.push(...p.build(o, profile(minutes, events, () => 0)));
    return series;
  };
  const B = slo.errorBudget;
  const pages = slo.windows.filter((w) => w.tier === 'page');
  const page1 = [...pages].sort((a, b) => b.threshold - a.threshold)[0];
  // Healthy history long enough to fill the fastest page's long window, so its detection time is the Workbook's.
  const warmup = Math.max(60, page1?.longMinutes ?? 0) + 10;
  const steady = () => EVENTS_PER_MINUTE;
  const out: Scenario[] = [];

  const healthyMinutes = 180;
  out.push({
    name: 'healthy traffic at half the budget rate raises no alert for hours',
    minutes: healthyMinutes + 1,
    series: build(healthyMinutes + 1, steady, () => 0.5 * B),
    checks: [60, 120, healthyMinutes].map((m) => ({ minute: m, why: 'healthy' })),
    exprChecks: [],
  });

  /** A burn at error ratio `e` from the end of the warm-up; checks at the given minutes and once every pair has fired. */
  const burnScenario = (name: string, e: number, cap: number, checkMinutes: readonly Check[], start = warmup): void => {
    const bad = (m: number) => (m >= start ? e : 0);
    const smooth = { e, window: Math.min(...slo.windows.filter((w) => w.threshold < e).map((w) => w.shortMinutes)) };
    const probeMinutes = Math.min(MAX_SCENARIO_MINUTES, cap) + 1;
    const { alerts } = predictAlerts([slo], build(probeMinutes, steady, bad, smooth), probeMinutes);
    const starts = alerts.map((a) => a.active.indexOf(true)).filter((t) => t >= 0);
    const checks: Check[] = [...(start > 2 * GUARD_MINUTES ? [{ minute: start - GUARD_MINUTES, why: 'before the burn' }] : []), ...checkMinutes.filter((c) => c.minute < probeMinutes)];
    if (starts.length > 0) checks.push({ minute: Math.max(...starts) + GUARD_MINUTES, why: 'every pair that fires has fired' });
    const minutes = Math.max(...checks.map((c) => c.minute)) + GUARD_MINUTES + 40;
    out.push({ name, minutes, series: build(minutes, steady, bad, smooth), checks, exprChecks: [] });
  };

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
    burnScenario('a total outage fires every tier', 1, warmup + Math.ceil(worst) + 4 * GUARD_MINUTES, Number.isFinite(firstPage) ? [{ minute: warmup + Math.ceil(firstPage) + GUARD_MINUTES, why: 'page detection at 100% errors' }] : []);
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
  const zeroSeries = build(zeroMinutes + 1, () => 0, () => 0).filter((s) => s.perMinute.some((v) => !Number.isNaN(v)));
  const base = recordedWindows(slo)[0]!;
  const exprWindows = [...new Set([base, ...(page1 ? [page1.longMinutes] : [])])];
  const zeroSamples = groupSets.map((g) => ({ ...seriesLabels(slo), ...g }));
  out.push({
    name: 'zero traffic raises no alert and records a 0 error ratio, not NaN',
    minutes: zeroMinutes + 1,
    series: zeroSeries,
    checks: [60, zeroMinutes].map((m) => ({ minute: m, why: 'no traffic' })),
    exprChecks: exprWindows.map((w) => ({
      minute: zeroMinutes,
      expr: `${sloSeries.errorRatio(formatMinutes(w))}{slo=${JSON.stringify(slo.id)}}`,
      samples: slo.indicator.kind === 'boolGauge' ? [] : zeroSamples.map((l) => ({ labels: `${sloSeries.errorRatio(formatMinutes(w))}${labelText(l)}`, value: 0 })),
    })),
  });
  return out;
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

function renderScenario(slo: SloModel, sc: Scenario, fileSlos: readonly SloModel[], warnings: TestWarning[]): unknown {
  const minutes = sc.series.reduce((m, s) => Math.max(m, s.perMinute.length), sc.minutes);
  const { alerts, unpredictable } = predictAlerts(fileSlos, sc.series, minutes);
  if (unpredictable.length > 0) {
    warnings.push({ code: 'SLO029', message: `test "${sc.name}" of ${slo.id} skipped: raw SLO ${unpredictable.map((u) => u.id).join(', ')} reads the same metrics and cannot be predicted`, slo });
    return undefined;
  }
  const alertNames = [...new Set(fileSlos.map((s) => s.alertName))].sort();
  const tests: unknown[] = [];
  for (const check of sc.checks) {
    const t = safeMinute(check.minute, alerts, minutes);
    if (t === undefined) continue;
    for (const name of alertNames) {
      const firing = alerts.filter((a) => a.slo.alertName === name && a.active[t]);
      tests.push({
        eval_time: `${t}m`,
        alertname: name,
        exp_alerts: firing.map((a) => ({ exp_labels: a.labels, exp_annotations: alertAnnotations(a.slo, a.window) })),
      });
    }
  }
  return {
    name: `${slo.id}: ${sc.name}`,
    interval: `${TEST_INTERVAL_MINUTES}m`,
    input_series: sc.series.map((s) => ({ series: `${s.metric}${labelText(s.labels)}`, values: expandingNotation(s) })),
    alert_rule_test: tests,
    ...(sc.exprChecks.length > 0
      ? { promql_expr_test: sc.exprChecks.map((c) => ({ expr: c.expr, eval_time: `${c.minute}m`, exp_samples: c.samples })) }
      : {}),
  };
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

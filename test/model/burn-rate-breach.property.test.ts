import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../src/diagnostics.js';
import { generateSloRuleGroup } from '../../src/generate/prometheus/slo-rules.js';
import type { AlertingRule } from '../../src/model/rule-group.js';
import { renderDocument } from '../../src/render/render-document.js';
import { generateRolloutAnalysis } from '../../src/generate/rollouts/analysis-templates.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';
import { breachCondition, breaches, formatThreshold, pageBreachConditions, roundThreshold } from '../../src/model/burn-rate-breach.js';
import { formatMinutes } from '../../src/model/duration.js';
import { alertWindowsFor } from '../../src/model/slo-math.js';
import type { AlertWindow, SloModel } from '../../src/model/types.js';
import { evaluateBurnRateCheck, type BurnRateCheck, type PrometheusQuery } from '../../src/rollback/app/poll-burn-rates.js';
import { compilePolicy } from '../../src/rollback/policy/load-policy.js';

/** Any period the loader accepts: whole minutes from 1d to 90d (odd ones give long factors). */
const periodMinutes = fc.integer({ min: 1440, max: 90 * 1440 });
const objectivePercent = fc.double({ min: 50, max: 99.999, noNaN: true });
/** Factors as a policy may write them: any positive number, float noise included. */
const anyFactor = fc.double({ min: 0.01, max: 1000, noNaN: true });

/** A minimal SLO model with the windows the loader would compute for this period and objective. */
function sloModel(period: number, objective: number, windows?: AlertWindow[]): SloModel {
  const errorBudget = 1 - objective / 100;
  const computed = alertWindowsFor(period, errorBudget, { page: 'critical', ticket: 'warning' });
  return {
    id: 'svc-avail',
    service: 'svc',
    name: 'avail',
    description: '',
    objective: objective / 100,
    objectivePercent: objective,
    errorBudget,
    periodMinutes: period,
    period: formatMinutes(period),
    labels: {},
    groupBy: [],
    indicator: {
      kind: 'ratio',
      errors: { metric: 'req_total', matchers: [{ name: 'code', op: '=', value: '500' }] },
      total: { metric: 'req_total', matchers: [] },
    },
    alertName: 'ErrorBudgetBurn',
    runbook: undefined,
    alertLabels: {},
    windows: windows ?? computed.windows,
    droppedWindows: windows ? [] : computed.dropped,
    source: { file: 'slos/svc.yaml', line: 1, column: 1 },
  };
}

/** A page window pair of the Workbook's fastest shape with an arbitrary factor. */
function pageWindow(factor: number): AlertWindow {
  return {
    tier: 'page',
    severity: 'critical',
    longMinutes: 60,
    shortMinutes: 5,
    long: '1h',
    short: '5m',
    budgetShare: 0.02,
    factor,
    threshold: factor * 0.001,
  };
}

/** The thresholds of the alert rule's `long > t and short > t`, as written, per page pair. */
function alertThresholds(slo: SloModel): { op: string; text: string }[][] {
  const alerts = generateSloRuleGroup(slo).rules.filter((r): r is AlertingRule => 'alert' in r && r.labels?.severity === 'critical');
  return alerts.map((a) => {
    const m = /^\S+ (>) (\S+) and \S+ (>) (\S+)$/.exec(a.expr);
    if (!m) throw new Error(`unexpected alert expr: ${a.expr}`);
    return [
      { op: m[1]!, text: m[2]! },
      { op: m[3]!, text: m[4]! },
    ];
  });
}

/** The thresholds of the AnalysisTemplate's failure (`> t`) and success (`<= t`) conditions, per page pair. */
function analysisThresholds(slo: SloModel): { failure: string; success: string }[] {
  const [analysis] = generateRolloutAnalysis([slo]);
  const doc = parse(renderDocument(analysis!)) as { spec: { metrics: { failureCondition: string; successCondition: string }[] } };
  return doc.spec.metrics.map((m) => ({
    failure: /&& result\[0\] > (\S+)$/.exec(m.failureCondition)![1]!,
    success: /&& result\[0\] <= (\S+)$/.exec(m.successCondition)![1]!,
  }));
}

/** The poll checks `vigil rollback` builds for the SLO's page pairs (poll check naming only the SLO). */
function policyChecks(slo: SloModel): readonly BurnRateCheck[] {
  const yaml = `apiVersion: vigil/v1\nkind: RollbackPolicy\npoll:\n  prometheusUrl: http://127.0.0.1:9090\n  checks:\n    - slo: ${slo.id}\ntargets:\n  t:\n    flagdFlag: { file: /tmp/f.json, flag: f, variant: stable }\nrules: []\n`;
  const diags = new Diagnostics();
  const policy = compilePolicy(parseYamlSource('policy.yaml', yaml, diags)!, diags, [slo]);
  expect(diags.items).toEqual([]);
  return policy!.pollChecks;
}

/** A Prometheus that answers each window's burn-rate query with one series at the given value. */
function promAt(values: Record<string, number>): PrometheusQuery {
  return {
    query(expr) {
      const window = /^slo:burn_rate:rate(\w+)\{/.exec(expr)![1]!;
      return Promise.resolve([{ labels: { __name__: `slo:burn_rate:rate${window}`, slo: 'svc-avail' }, value: values[window]! }]);
    },
  };
}

/** What the poller decides for one check when its long and short windows read these burn rates. */
async function pollerSays(check: BurnRateCheck, long: number, short: number): Promise<string> {
  const [finding] = await evaluateBurnRateCheck(check, promAt({ [check.long]: long, [check.short]: short }));
  return finding!.result;
}

/** The next double above / below x. */
function nextUp(x: number): number {
  const b = new BigInt64Array(new Float64Array([x]).buffer);
  b[0]! += x >= 0 ? 1n : -1n;
  return new Float64Array(b.buffer)[0]!;
}
function nextDown(x: number): number {
  const b = new BigInt64Array(new Float64Array([x]).buffer);
  b[0]! -= x > 0 ? 1n : -1n;
  return new Float64Array(b.buffer)[0]!;
}

/**
 * The poller's effective threshold, read off its behaviour: the rate equal to `t` must not breach
 * and the next double above must, in both windows. Returns `t` when that holds.
 */
async function pollerThreshold(check: BurnRateCheck, t: number): Promise<number | undefined> {
  const atT = await pollerSays(check, t, t);
  const above = await pollerSays(check, nextUp(t), nextUp(t));
  return atT === 'ok' && above === 'breach' ? t : undefined;
}

describe('burn-rate breach condition, once for every target', () => {
  it('rounds to 12 significant digits, idempotently, within float noise of the factor', () => {
    fc.assert(
      fc.property(anyFactor, (f) => {
        const t = roundThreshold(f);
        expect(roundThreshold(t)).toBe(t);
        expect(Number(formatThreshold(f))).toBe(t);
        expect(Math.abs(t - f)).toBeLessThanOrEqual(Math.abs(f) * 5e-12);
      }),
    );
  });

  it('gives alert expr, AnalysisTemplate and poller the same threshold for any period and objective', async () => {
    await fc.assert(
      fc.asyncProperty(periodMinutes, objectivePercent, async (period, objective) => {
        const slo = sloModel(period, objective);
        const conditions = pageBreachConditions(slo);
        fc.pre(conditions.length > 0);
        const alert = alertThresholds(slo);
        const analysis = analysisThresholds(slo);
        const checks = policyChecks(slo);
        expect(alert).toHaveLength(conditions.length);
        expect(analysis).toHaveLength(conditions.length);
        expect(checks).toHaveLength(conditions.length);
        for (const [i, c] of conditions.entries()) {
          const text = formatThreshold(c.burnRateAbove);
          expect(alert[i]).toEqual([
            { op: '>', text },
            { op: '>', text },
          ]);
          expect(analysis[i]).toEqual({ failure: text, success: text });
          expect([checks[i]!.long, checks[i]!.short]).toEqual([c.long, c.short]);
          expect(await pollerThreshold(checks[i]!, Number(text))).toBe(Number(text));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the three targets the same threshold for arbitrary factors, float noise included', async () => {
    await fc.assert(
      fc.asyncProperty(anyFactor, async (factor) => {
        const slo = sloModel(43200, 99.9, [pageWindow(factor)]);
        const text = formatThreshold(factor);
        expect(alertThresholds(slo)).toEqual([
          [
            { op: '>', text },
            { op: '>', text },
          ],
        ]);
        expect(analysisThresholds(slo)).toEqual([{ failure: text, success: text }]);
        // A hand-written policy factor is compared after the same rounding.
        const check: BurnRateCheck = { slo: slo.id, long: '1h', short: '5m', burnRateFactor: factor };
        expect(await pollerThreshold(check, Number(text))).toBe(Number(text));
      }),
      { numRuns: 150 },
    );
  });

  it('evaluates like the alert expr: strictly above in both windows, equal never breaches, NaN never breaches', () => {
    const near = (t: number) => fc.constantFrom(t, nextUp(t), nextDown(t), 0, Number.NaN, Number.POSITIVE_INFINITY, t * 2);
    fc.assert(
      fc.property(
        anyFactor.chain((f) => fc.tuple(fc.constant(f), near(roundThreshold(f)), near(roundThreshold(f)))),
        ([factor, long, short]) => {
          const c = breachCondition({ long: '1h', short: '5m', factor });
          const [l, s] = alertThresholds(sloModel(43200, 99.9, [pageWindow(factor)]))[0]!;
          // PromQL comparison semantics of `x > t` on floats (NaN compares false), from the rendered text.
          const promql = (x: number, cmp: { op: string; text: string }) => cmp.op === '>' && x > Number(cmp.text);
          expect(breaches(c, long, short)).toBe(promql(long, l!) && promql(short, s!));
        },
      ),
    );
  });

  it('lists the page pairs in table order and nothing else', () => {
    fc.assert(
      fc.property(periodMinutes, objectivePercent, (period, objective) => {
        const slo = sloModel(period, objective);
        expect(pageBreachConditions(slo)).toEqual(
          slo.windows.filter((w) => w.tier === 'page').map((w) => ({ long: w.long, short: w.short, burnRateAbove: roundThreshold(w.factor) })),
        );
      }),
    );
  });
});

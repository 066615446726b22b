import { describe, expect, it } from 'vitest';
import { generateSloRuleGroup } from '../../src/generate/prometheus/slo-rules.js';
import { promtoolTest, slosOf } from '../support/promtool.js';

/**
 * A counter reset inside a 5m tile keeps the increase before the reset (the former base rule kept
 * only the value counted since the reset). Exact increase here is Prometheus' own convention: the
 * sum of sample-to-sample differences, a drop counting the new value from zero.
 */
const slo = slosOf(`apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
slos:
  - name: availability
    objective: 99
    indicator: { ratio: { errors: 'errs_total', total: 'reqs_total' } }
`)[0]!;

const MINUTES = 100;
/** Per-minute samples of two total counters (one restarts at 31m, the other at 75m) and an errors counter. */
function samples(): Record<string, number[]> {
  const a: number[] = [];
  const b: number[] = [];
  const e: number[] = [];
  for (let m = 0; m <= MINUTES; m++) {
    a.push(m < 31 ? 60 * m : 20 + 60 * (m - 31));
    b.push(m < 75 ? 1000 + 7 * m : 5 + 7 * (m - 75));
    e.push(m < 50 ? 2 * m : 3 + 2 * (m - 50));
  }
  return { 'reqs_total{instance="a"}': a, 'reqs_total{instance="b"}': b, 'errs_total{instance="a"}': e };
}

/** Exact increase of the samples in (t − w, t], in minutes. */
function increase(v: readonly number[], t: number, w: number): number {
  let sum = 0;
  for (let i = Math.max(1, t - w + 1); i <= t; i++) sum += v[i]! >= v[i - 1]! ? v[i]! - v[i - 1]! : v[i]!;
  return sum;
}

describe('a counter reset inside a base tile', () => {
  it('keeps the increase before the reset: recorded 5m and 1h rates equal the exact increase within 1e-9 (real promtool)', async () => {
    const data = samples();
    const series = Object.entries(data).map(([s, v]) => ({ series: s, values: v.join(' ') }));
    const checks: object[] = [];
    const labels = `{service="api", slo="${slo.id}"}`;
    const check = (record: string, minutes: number, at: number, names: string[]) => {
      const exact = names.reduce((acc, n) => acc + increase(data[n]!, at, minutes), 0) / (minutes * 60);
      checks.push({ expr: `abs(${record}{slo="${slo.id}"} - ${exact}) <= bool ${1e-9 * exact}`, eval_time: `${at}m`, exp_samples: [{ labels, value: 1 }] });
    };
    const totals = ['reqs_total{instance="a"}', 'reqs_total{instance="b"}'];
    // Every 5m tile that holds a reset (31m; 75m) or borders one, and 1h windows that hold them.
    for (const at of [30, 31, 32, 33, 35, 36, 40, 74, 75, 77, 79, 80, 81]) check('slo:total:rate5m', 5, at, totals);
    for (const at of [48, 50, 52, 55, 56]) check('slo:errors:rate5m', 5, at, ['errs_total{instance="a"}']);
    for (const at of [60, 65, 85, 90]) check('slo:total:rate1h', 60, at, totals);
    const r = await promtoolTest([generateSloRuleGroup(slo)], {
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: series, promql_expr_test: checks }],
    });
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code, r.output).toBe(0);
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { extraMatchers, generateSloRuleGroup } from '../../src/generate/prometheus/slo-rules.js';
import type { SloModel } from '../../src/model/types.js';
import { promtoolTest, slosOf } from '../support/promtool.js';

/**
 * One raw read serves the total and the errors (or good) when both select the same metric and the
 * errors add matchers to the total's. Proven with the real promtool against the exact increase:
 * samples every 15s (several per 5m tile), counters restarting mid-tile, extra matchers of every
 * operator, a series of another job that the total must not count, and a group with no errors.
 */
const spec = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
slos:
  - name: errors
    objective: 99
    groupBy: [model]
    indicator: { ratio: { errors: 'http_requests_total{job="api", code=~"5..", method!="OPTIONS"}', total: 'http_requests_total{job="api"}' } }
  - name: good
    objective: 99
    groupBy: [model]
    indicator: { ratio: { good: 'http_requests_total{job="api", code!~"5..", method="GET"}', total: 'http_requests_total{job="api"}' } }
  - name: plain
    objective: 99
    indicator: { ratio: { errors: 'http_requests_total{job="api", code="500"}', total: 'http_requests_total{job="api"}' } }
  - name: literal
    objective: 99
    indicator: { ratio: { errors: 'http_requests_total{job="api", method!="OPT.ONS"}', total: 'http_requests_total{job="api"}' } }
`;

const SAMPLES = 180; // 45 minutes at 15 s
interface Series {
  readonly labels: Record<string, string>;
  readonly values: number[];
}

/** A counter growing by `step(i)` per sample, restarting (from `after`) at the listed samples. */
function counter(step: (i: number) => number, resets: Record<number, number> = {}): number[] {
  const v: number[] = [];
  for (let i = 0; i < SAMPLES; i++) v.push(i in resets ? resets[i]! : i === 0 ? 0 : v[i - 1]! + step(i));
  return v;
}

const series: Series[] = [
  // Restarts at 17m30s; the tiles around it hold samples before and after the restart.
  { labels: { job: 'api', model: 'a', code: '200', method: 'GET' }, values: counter(() => 50, { 70: 7 }) },
  // Restarts at 22m30s right after its highest sample: the increase up to it must count.
  { labels: { job: 'api', model: 'a', code: '500', method: 'GET' }, values: counter((i) => (i > 80 && i < 90 ? 9 : 2), { 90: 1 }) },
  { labels: { job: 'api', model: 'a', code: '503', method: 'OPTIONS' }, values: counter(() => 1) },
  { labels: { job: 'api', model: 'b', code: '200', method: 'POST' }, values: counter((i) => 30 + (i % 7)) },
  { labels: { job: 'api', model: 'b', code: '404', method: 'GET' }, values: counter((i) => (i % 3 === 0 ? 1 : 0)) },
  { labels: { job: 'api', model: 'b', code: '500', method: 'POST' }, values: counter((i) => (i >= 100 && i < 130 ? 12 : 0), { 140: 0 }) },
  // No errors series at all in model c.
  { labels: { job: 'api', model: 'c', code: '200', method: 'GET' }, values: counter(() => 5) },
  // Another job: never counted.
  { labels: { job: 'other', model: 'a', code: '500', method: 'GET' }, values: counter(() => 1000) },
];

/** Exact increase of one series over (t − 5m, t] with t a sample index (Prometheus' convention: a drop counts the new value). */
function increase(v: readonly number[], t: number): number {
  let sum = 0;
  for (let i = t - 19; i <= t; i++) sum += v[i]! >= v[i - 1]! ? v[i]! - v[i - 1]! : v[i]!;
  return sum;
}

const matches = (s: Series, m: Record<string, (v: string) => boolean>) => Object.entries(m).every(([k, f]) => f(s.labels[k] ?? ''));
const api = (s: Series) => s.labels.job === 'api';
const is5xx = (v: string) => /^5..$/.test(v);

/** What each SLO's errors are, series by series. */
const errorOf: Record<string, (s: Series) => boolean> = {
  'api-errors': (s) => api(s) && matches(s, { code: is5xx, method: (v) => v !== 'OPTIONS' }),
  'api-good': (s) => api(s) && !matches(s, { code: (v) => !is5xx(v), method: (v) => v === 'GET' }),
  'api-plain': (s) => api(s) && s.labels.code === '500',
  // An = / != value is a literal: "OPT.ONS" is not a pattern that OPTIONS would match.
  'api-literal': (s) => api(s) && s.labels.method !== 'OPT.ONS',
};

function cases(slo: SloModel): object[] {
  const out: object[] = [];
  const groups = slo.groupBy.length > 0 ? [...new Set(series.filter(api).map((s) => s.labels.model!))] : [undefined];
  // Every minute from 6m to 44m: tiles before, across and after each restart.
  for (let minute = 6; minute < 45; minute++) {
    const t = minute * 4;
    for (const model of groups) {
      const inGroup = series.filter((s) => api(s) && (model === undefined || s.labels.model === model));
      const total = inGroup.reduce((a, s) => a + increase(s.values, t), 0) / 300;
      const errors = inGroup.filter(errorOf[slo.id]!).reduce((a, s) => a + increase(s.values, t), 0) / 300;
      const sel = model === undefined ? `slo="${slo.id}"` : `slo="${slo.id}", model="${model}"`;
      const labels = model === undefined ? `{service="api", slo="${slo.id}"}` : `{model="${model}", service="api", slo="${slo.id}"}`;
      for (const [record, exact] of [
        ['slo:total:rate5m', total],
        ['slo:errors:rate5m', errors],
      ] as const) {
        out.push({ expr: `abs(${record}{${sel}} - ${exact}) <= bool ${1e-9 * exact}`, eval_time: `${minute}m`, exp_samples: [{ labels, value: 1 }] });
      }
    }
  }
  return out;
}

describe('one raw read for the total and its errors or good', () => {
  const slos = slosOf(spec);

  it('is used exactly when the part is the total metric with extra matchers', () => {
    const sel = (metric: string, ...m: [string, '=' | '!=' | '=~' | '!~', string][]) => ({
      metric,
      matchers: m.map(([name, op, value]) => ({ name, op, value })),
    });
    expect(extraMatchers(sel('r', ['job', '=', 'a']), sel('r', ['code', '=~', '5..'], ['job', '=', 'a']))).toEqual([{ name: 'code', op: '=~', value: '5..' }]);
    expect(extraMatchers(sel('r', ['job', '=', 'a']), sel('r', ['job', '=~', 'a'], ['code', '=', '500']))).toBeUndefined();
    expect(extraMatchers(sel('r', ['job', '=', 'a']), sel('errs', ['job', '=', 'a']))).toBeUndefined();
    expect(extraMatchers(sel('r', ['job', '=', 'a'], ['zone', '=', 'z']), sel('r', ['job', '=', 'a']))).toBeUndefined();
    for (const slo of slos) {
      const exprs = generateSloRuleGroup(slo)
        .rules.filter((r) => 'record' in r)
        .map((r) => r.expr);
      // The raw metric appears in two reads of two selectors each: the errors/good part is never
      // read apart (SLOIndicatorBroken's own check, an alert, reads the good selector by itself).
      expect(exprs.join('\n').match(/http_requests_total/g), slo.id).toHaveLength(4);
    }
  });

  it('records total and errors per group equal to the exact increase, across restarts, every minute (real promtool)', async () => {
    const input = series.map((s) => ({
      series: `http_requests_total{${Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(', ')}}`,
      values: s.values.join(' '),
    }));
    const r = await promtoolTest(
      slos.map((s) => generateSloRuleGroup(s)),
      { evaluation_interval: '1m', tests: [{ interval: '15s', input_series: input, promql_expr_test: slos.flatMap(cases) }] },
    );
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code, r.output.slice(0, 3000)).toBe(0);
  }, 120_000);
});

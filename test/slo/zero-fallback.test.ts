import { describe, expect, it } from 'vitest';
import { generateSloRuleGroup } from '../../src/generate/prometheus/slo-rules.js';
import type { RuleGroup } from '../../src/model/rule-group.js';
import { promtoolTest, slosOf } from '../support/promtool.js';

/**
 * The errors base rule reads the total recorded just before it (its zero fallback, and the
 * difference total − good) instead of every raw total series again. These cases prove with the
 * real promtool that it records exactly what the former shape recorded, which re-read the raw
 * totals: per group, also for a group with no errors (or no good) series at all.
 */
const spec = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
slos:
  - name: grouped-errors
    objective: 99
    groupBy: [model]
    indicator: { ratio: { errors: 'req_errors_total', total: 'req_total' } }
  - name: grouped-good
    objective: 99
    groupBy: [model, zone]
    indicator: { ratio: { good: 'req_good_total', total: 'req_total' } }
  - name: plain-errors
    objective: 99
    indicator: { ratio: { errors: 'req_errors_total{model="b"}', total: 'req_total{model="b"}' } }
  - name: latency
    objective: 99
    groupBy: [model]
    indicator: { latency: { histogram: 'lat_seconds', threshold: 0.5s } }
`;

const inc = (s: string) => `((${s} - ${s} offset 5m) >= 0 or (${s} and ${s} offset 5m))`;
const rate = (by: string, s: string) => `sum${by} (${inc(s)}) / 300`;
/** The errors expressions vigil generated before (zero fallback over the raw totals), for comparison. */
const formerErrors: Record<string, string> = {
  'api-grouped-errors': `(${rate(' by (model)', 'req_errors_total')}) or (0 * ${rate(' by (model)', 'req_total')})`,
  'api-grouped-good': `clamp_min(${rate(' by (model, zone)', 'req_total')} - ((${rate(' by (model, zone)', 'req_good_total')}) or (0 * ${rate(' by (model, zone)', 'req_total')})), 0)`,
  'api-plain-errors': `(${rate('', 'req_errors_total{model="b"}')}) or (0 * ${rate('', 'req_total{model="b"}')})`,
  'api-latency': `clamp_min(${rate(' by (model)', 'lat_seconds_count')} - ((${rate(' by (model)', 'lat_seconds_bucket{le=~"0\\\\.5"}')}) or (0 * ${rate(' by (model)', 'lat_seconds_count')})), 0)`,
};

// Per minute: model a has 60 requests (6 errors, 54 good, 57 under 0.5 s), model b 120 requests and
// neither errors, good nor bucket series; model c has stopped (no traffic).
const series = [
  { series: 'req_total{model="a", zone="z1"}', values: '0+60x20' },
  { series: 'req_total{model="b", zone="z1"}', values: '0+120x20' },
  { series: 'req_total{model="c", zone="z1"}', values: '500x20' },
  { series: 'req_errors_total{model="a", zone="z1"}', values: '0+6x20' },
  { series: 'req_good_total{model="a", zone="z1"}', values: '0+54x20' },
  { series: 'lat_seconds_count{model="a"}', values: '0+60x20' },
  { series: 'lat_seconds_count{model="b"}', values: '0+120x20' },
  { series: 'lat_seconds_bucket{model="a", le="0.5"}', values: '0+57x20' },
  { series: 'lat_seconds_bucket{model="a", le="1"}', values: '0+60x20' },
];

/** Exact errors per second over the 5m window at 10m, per SLO and group (labels besides slo/service). */
const want: Record<string, { labels: Record<string, string>; value: number }[]> = {
  'api-grouped-errors': [
    { labels: { model: 'a' }, value: 30 / 300 },
    { labels: { model: 'b' }, value: 0 },
    { labels: { model: 'c' }, value: 0 },
  ],
  'api-grouped-good': [
    { labels: { model: 'a', zone: 'z1' }, value: 300 / 300 - 270 / 300 },
    { labels: { model: 'b', zone: 'z1' }, value: 600 / 300 },
    { labels: { model: 'c', zone: 'z1' }, value: 0 },
  ],
  'api-plain-errors': [{ labels: {}, value: 0 }],
  'api-latency': [
    { labels: { model: 'a' }, value: 300 / 300 - 285 / 300 },
    { labels: { model: 'b' }, value: 600 / 300 },
  ],
};

/** promtool's exp_samples label text: `name{a="1", b="2"}`. */
function labelText(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}

describe('the errors base rule reads the recorded total', () => {
  const slos = slosOf(spec);
  const groups: RuleGroup[] = slos.map((s) => generateSloRuleGroup(s));

  it('records the total before the errors, reads no raw total series in the errors rule, and each raw selector in two reads', () => {
    for (const g of groups) {
      const rules = g.rules.filter((r) => 'record' in r);
      const at = (name: string) => rules.findIndex((r) => 'record' in r && r.record === name);
      expect(at('slo:total:rate5m'), g.name).toBeGreaterThanOrEqual(0);
      expect(at('slo:total:rate5m'), g.name).toBeLessThan(at('slo:errors:rate5m'));
      const errors = rules[at('slo:errors:rate5m')]!.expr;
      expect(errors, g.name).not.toMatch(/req_total|lat_seconds_count/);
      expect(errors, g.name).toMatch(/slo:total:rate5m\{slo="api-[a-z-]+"\}/);
      // Two reads per raw selector: the rise (highest sample − the one 5m ago) and the resets
      // (newest sample below the one 5m ago): four selectors, two of them offset.
      const all = rules.map((r) => r.expr).join('\n');
      for (const metric of ['req_total', 'req_errors_total', 'req_good_total', 'lat_seconds_count', 'lat_seconds_bucket']) {
        const n = all.match(new RegExp(`\\b${metric}\\b(?!:)`, 'g'))?.length ?? 0;
        if (n > 0) expect(n, `${g.name} ${metric}`).toBe(4);
      }
    }
  });

  it('records per group exactly what the former raw-total fallback recorded (real promtool)', async () => {
    const byId = new Map(slos.map((s) => [s.id, s]));
    const cases = Object.entries(want).flatMap(([id, rows]) => {
      const slo = byId.get(id)!;
      const exp = rows.map((r) => ({ labels: labelText('', r.labels), value: r.value }));
      const withIds = rows.map((r) => ({ labels: labelText('slo:errors:rate5m', { slo: id, service: slo.service, ...r.labels }), value: r.value }));
      return [
        { expr: `slo:errors:rate5m{slo="${id}"}`, eval_time: '10m', exp_samples: withIds },
        { expr: formerErrors[id]!, eval_time: '10m', exp_samples: exp },
      ];
    });
    const r = await promtoolTest(groups, { evaluation_interval: '1m', tests: [{ interval: '1m', input_series: series, promql_expr_test: cases }] });
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code, r.output).toBe(0);
  }, 30_000);
});

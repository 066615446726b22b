import { describe, expect, it } from 'vitest';
import { BackfillPlanError, planBackfillLevels } from '../../src/backfill/plan-levels.js';
import { generateSloRuleGroup } from '../../src/generate/prometheus/slo-rules.js';
import type { RecordingRule, RuleGroup } from '../../src/model/rule-group.js';
import { selectorsIn } from '../../src/query/promql.js';
import { slosOf } from '../support/promtool.js';

const SPEC = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
period: 30d
slos:
  - name: errors
    objective: 99.9
    indicator:
      ratio:
        errors: http_requests_total{job="api", code=~"5.."}
        total: http_requests_total{job="api"}
`;
const SPEC_7D = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
period: 7d
slos:
  - name: latency
    objective: 99
    groupBy: [model]
    indicator:
      latency:
        histogram: req_duration_seconds{job="api"}
        threshold: 1s
`;

const groups = [...slosOf(SPEC), ...slosOf(SPEC_7D, 'slos/api-7d.yaml')].map((s) => generateSloRuleGroup(s));

describe('planBackfillLevels', () => {
  it('puts every recording rule in a level above every rule it reads, and only raw reads in level 1', () => {
    const plan = planBackfillLevels(groups);
    const levelOf = new Map<string, number>();
    for (const l of plan.levels) for (const g of l.groups) for (const r of g.rules as RecordingRule[]) levelOf.set(`${g.name}/${r.record}`, l.index);
    const recordedIn = (g: RuleGroup) => new Set(g.rules.flatMap((r) => ('record' in r ? [r.record] : [])));
    for (const l of plan.levels) {
      for (const g of l.groups) {
        const own = recordedIn(groups.find((x) => x.name === g.name)!);
        for (const r of g.rules as RecordingRule[]) {
          const reads = selectorsIn(r.expr).filter((s) => own.has(s.metric));
          if (l.index === 1) expect(reads, `${r.record} in level 1`).toEqual([]);
          for (const s of reads) expect(levelOf.get(`${g.name}/${s.metric}`), `${r.record} reads ${s.metric}`).toBeLessThan(l.index);
        }
      }
    }
    const total = groups.reduce((n, g) => n + g.rules.filter((r) => 'record' in r).length, 0);
    expect(plan.levels.reduce((n, l) => n + l.rules, 0)).toBe(total);
    // The 30d SLO reads errors and total in one read: its rise and events tile (level 1), the total
    // and then the errors summed from the tile (2, 3); 5m → 30m → 1h → 2h → 6h → 1d → 3d → 30d tiles,
    // then ratio, burn rate and budget left: 12 levels.
    expect(plan.levels).toHaveLength(12);
    expect(plan.levels[0]!.records).toEqual(expect.arrayContaining(['slo:events_rise:rate5m', 'slo:events:rate5m', 'slo:objective:ratio']));
    expect(plan.levels[1]!.records).toContain('slo:total:rate5m');
    expect(plan.levels[2]!.records).toContain('slo:errors:rate5m');
    expect(plan.levels.at(-1)!.records).toContain('slo:error_budget_remaining:ratio');
  });

  it('inlines a base rule’s same-timestamp reads of earlier base rules that read raw series, with their labels and name, recursively', () => {
    const plan = planBackfillLevels(groups);
    expect(plan.inlined).toEqual([
      'vigil-slo-api-errors/slo:events:rate5m',
      'vigil-slo-api-latency/slo:total:rate1m',
      'vigil-slo-api-latency/slo:errors:rate1m',
    ]);
    const latency = plan.levels[0]!.groups.find((g) => g.name === 'vigil-slo-api-latency')!;
    const errors = latency.rules.find((r) => 'record' in r && r.record === 'slo:errors:rate1m') as RecordingRule;
    // The errors rule read the total, which read its rise: both are inlined, so it reads raw series only.
    expect(errors.expr).not.toMatch(/slo:(total|total_rise|good_rise):rate1m\{/);
    expect(errors.expr).toContain('"__name__", "slo:total:rate1m", "", "")');
    expect(errors.expr).toContain('"__name__", "slo:total_rise:rate1m", "", "")');
    expect(errors.expr).toContain('"__name__", "slo:good_rise:rate1m", "", "")');
    expect(errors.expr).toContain('"slo", "api-latency", "", "")');
  });

  it('leaves alerting rules out unless asked, then records the ones without for: as ALERTS{alertstate="firing"}', () => {
    const without = planBackfillLevels(groups);
    expect(without.alertsRecorded).toBe(0);
    expect(without.skippedAlerts.every((s) => /not backfilled without --alerts/.test(s.reason))).toBe(true);
    const plan = planBackfillLevels(groups, { alerts: true });
    const alerts = plan.levels.flatMap((l) => l.groups.flatMap((g) => g.rules as RecordingRule[])).filter((r) => r.record === 'ALERTS');
    expect(alerts.length).toBe(plan.alertsRecorded);
    expect(alerts.length).toBeGreaterThanOrEqual(4);
    for (const a of alerts) {
      expect(a.labels).toMatchObject({ alertname: 'ErrorBudgetBurn', alertstate: 'firing' });
      expect(a.expr).toMatch(/^\(.*slo:burn_rate:rate.*\) \* 0 \+ 1$/);
    }
    expect(plan.skippedAlerts.map((s) => s.alert)).toContain('SLOIndicatorBroken');
    expect(plan.skippedAlerts.every((s) => /has for: /.test(s.reason))).toBe(true);
  });

  it('matches reads to rules by their labels, so one SLO’s levels do not depend on another’s', () => {
    const g = (name: string, rules: RecordingRule[]): RuleGroup => ({ name, rules });
    const plan = planBackfillLevels([
      g('a', [
        { record: 'x:base', expr: 'sum(raw_a)', labels: { slo: 'a' } },
        { record: 'x:top', expr: 'x:base{slo="a"} * 2', labels: { slo: 'a' } },
      ]),
      g('b', [
        { record: 'x:base', expr: 'sum(raw_b)', labels: { slo: 'b' } },
        { record: 'x:mid', expr: 'x:base{slo="b"}', labels: { slo: 'b' } },
        { record: 'x:mid2', expr: 'x:mid{slo="b"}', labels: { slo: 'b' } },
        { record: 'x:top', expr: 'x:mid2{slo="b"}', labels: { slo: 'b' } },
      ]),
    ]);
    expect(plan.levels.map((l) => l.groups.map((x) => `${x.name}:${x.rules.map((r) => (r as RecordingRule).record).join(',')}`))).toEqual([
      ['a:x:base', 'b:x:base'],
      ['a:x:top', 'b:x:mid'],
      ['b:x:mid2'],
      ['b:x:top'],
    ]);
  });

  it('fails on rules that read each other in a cycle, naming the cycle', () => {
    const cyclic: RuleGroup = {
      name: 'g',
      rules: [
        { record: 'a:x', expr: 'b:x + raw_total' },
        { record: 'b:x', expr: 'a:x offset 5m' },
      ],
    };
    expect(() => planBackfillLevels([cyclic])).toThrow(BackfillPlanError);
    expect(() => planBackfillLevels([cyclic])).toThrow(/cycle.*g\/a:x → g\/b:x → g\/a:x/);
  });

  it('fails on a rule that reads raw series and a recorded one it cannot inline (here: at an offset)', () => {
    const mixed: RuleGroup = {
      name: 'g',
      rules: [
        { record: 'r:base', expr: 'sum(raw_total)' },
        { record: 'r:delta', expr: 'sum(raw_total) - r:base offset 1h' },
      ],
    };
    expect(() => planBackfillLevels([mixed])).toThrow(
      /g\/r:delta reads source series \(raw_total\) and series recorded by other rules \(r:base\) that cannot be inlined/,
    );
  });
});

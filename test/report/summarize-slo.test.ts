import { describe, expect, it } from 'vitest';
import { formatAttainment, formatBudget, formatCoverage } from '../../src/report/format.js';
import { summarizeSlo, type SloHistory } from '../../src/report/summarize-slo.js';
import { slosOf } from '../support/promtool.js';

const [availability, grouped] = slosOf(`apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
slos:
  - name: availability
    objective: 99
    sla: { text: "99% of requests succeed", objective: 98 }
    indicator:
      ratio:
        errors: http_requests_total{code=~"5.."}
        total: http_requests_total
  - name: per-model
    objective: 99
    groupBy: [model]
    indicator:
      ratio:
        errors: inference_total{status="error"}
        total: inference_total
`) as [ReturnType<typeof slosOf>[number], ReturnType<typeof slosOf>[number]];

const STEP = 300;
/** A range of `steps` base windows starting at 0. */
const range = (steps: number) => ({ fromSeconds: 0, toSeconds: steps * STEP });
const times = (steps: number) => Array.from({ length: steps }, (_, i) => (i + 1) * STEP);
const tiers = { page: ['critical'], ticket: ['warning'] };

function history(steps: number, members: SloHistory['members'], alerts: SloHistory['alerts'] = []): SloHistory {
  return { times: times(steps), stepSeconds: STEP, members, alerts };
}

describe('summarizeSlo', () => {
  it('shows no data as no data: no attainment, no budget, status no-data, coverage 0', () => {
    const r = summarizeSlo(availability, history(10, []), range(10), tiers);
    expect(r).toMatchObject({
      attainment: null,
      errorBudgetRemaining: null,
      status: 'no-data',
      events: null,
      coverage: { seconds: 0, rangeSeconds: 3000, ratio: 0 },
    });
    expect(formatAttainment(r)).toBe('no data');
    expect(formatBudget(r)).toBe('no data');
    expect(formatCoverage(r.coverage)).toBe('no data');
    expect(r.sla).toEqual({ text: '99% of requests succeed', objectivePercent: 98, met: null });
    expect(r.charts.burnRate.every(([, v]) => v === null)).toBe(true);
  });

  it('computes partial data over the covered steps only and says how much is covered', () => {
    // 8640 steps = 30 days; data in the last 864 (3 days): 10 req/s, 1 % errors in the first half of it.
    const steps = 8640;
    const total = Array.from({ length: steps }, (_, i) => (i >= steps - 864 ? 10 : null));
    const errors = total.map((t, i) => (t === null ? null : i < steps - 432 ? 0.1 : 0));
    const r = summarizeSlo(availability, history(steps, [{ labels: {}, errors, total }]), range(steps), tiers);
    expect(r.coverage).toEqual({ seconds: 864 * STEP, rangeSeconds: steps * STEP, ratio: 0.1 });
    expect(formatCoverage(r.coverage)).toBe('data covers 3 of 30 days');
    expect(r.events).toEqual({ total: 864 * STEP * 10, errors: expect.closeTo(432 * STEP * 0.1, 6) as number });
    expect(r.attainment).toBeCloseTo(0.995, 12);
    expect(r.errorBudgetRemaining).toBeCloseTo(0.5, 9);
    expect(r.status).toBe('met');
    expect(r.sla!.met).toBe(true);
    // Chart points before the data have no value (a gap), never 100 %.
    expect(r.charts.budgetRemaining[0]![1]).toBeNull();
    expect(r.charts.budgetRemaining.at(-1)![1]).toBeCloseTo(0.5, 9);
    expect(r.charts.burnRate.length).toBeLessThanOrEqual(360);
  });

  it('says no traffic when the series exist but count no events', () => {
    const r = summarizeSlo(availability, history(4, [{ labels: {}, errors: [0, 0, 0, 0], total: [0, 0, 0, 0] }]), range(4), tiers);
    expect(r).toMatchObject({ status: 'no-traffic', attainment: null, errorBudgetRemaining: null, coverage: { ratio: 1 } });
    expect(formatAttainment(r)).toBe('no traffic');
  });

  it('marks an overspent budget breached (negative budget left) and an SLA missed', () => {
    const r = summarizeSlo(availability, history(2, [{ labels: {}, errors: [1, 0.5], total: [10, 10] }]), range(2), tiers);
    expect(r.attainment).toBeCloseTo(0.925, 12);
    expect(r.errorBudgetRemaining).toBeCloseTo(-6.5, 9);
    expect(r.status).toBe('breached');
    expect(r.sla!.met).toBe(false);
    expect(formatBudget(r)).toBe('-650.0 %');
  });

  it('is at risk with less than a quarter of the budget left', () => {
    const r = summarizeSlo(availability, history(1, [{ labels: {}, errors: [0.08], total: [10] }]), range(1), tiers);
    expect(r.errorBudgetRemaining).toBeCloseTo(0.2, 9);
    expect(r.status).toBe('at-risk');
  });

  it('ranks groupBy members by the share of the whole budget they spent', () => {
    const r = summarizeSlo(
      grouped,
      history(2, [
        { labels: { model: 'a' }, errors: [0, 0.01], total: [1, 1] },
        { labels: { model: 'b' }, errors: [0.02, 0.02], total: [1, 1] },
        { labels: { model: 'c' }, errors: [0, 0], total: [null, 0] },
      ]),
      range(2),
      tiers,
    );
    expect(r.worstMembers.map((m) => [m.labels.model, m.budgetSpent === null ? null : Number(m.budgetSpent.toFixed(6))])).toEqual([
      ['b', 1],
      ['a', 0.25],
      ['c', 0],
    ]);
    expect(r.worstMembers[2]!.errorRatio).toBeNull();
  });

  it('turns firing steps into bands per tier, a step firing at t covering (t − step, t]', () => {
    const alerts = [
      { severity: 'warning', firing: [false, true, true, true, false, false] },
      { severity: 'critical', firing: [false, false, true, false, false, true] },
    ];
    const r = summarizeSlo(availability, history(6, [{ labels: {}, errors: [0, 0, 0, 0, 0, 0], total: [1, 1, 1, 1, 1, 1] }], alerts), range(6), tiers);
    expect(r.alerts.bands).toEqual([
      { severity: 'critical', tier: 'page', fromSeconds: 600, toSeconds: 900 },
      { severity: 'critical', tier: 'page', fromSeconds: 1500, toSeconds: 1800 },
      { severity: 'warning', tier: 'ticket', fromSeconds: 300, toSeconds: 1200 },
    ]);
    expect(r.alerts.pageSeconds).toBe(600);
    expect(r.alerts.ticketSeconds).toBe(900);
  });
});

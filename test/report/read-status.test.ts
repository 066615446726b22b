import { describe, expect, it } from 'vitest';
import { formatStatusTable, sloNow } from '../../src/report/read-status.js';
import { slosOf } from '../support/promtool.js';

const [slo] = slosOf(`apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: gpu
slos:
  - name: availability
    objective: 99.5
    groupBy: [model]
    indicator:
      ratio:
        errors: inference_total{status="error"}
        total: inference_total
`);

const sample = (labels: Record<string, string>, value: string) => ({
  metric: { slo: 'gpu-availability', service: 'gpu', ...labels },
  value: [1, value] as const,
});

describe('sloNow', () => {
  const rows = [
    sample({ __name__: 'slo:burn_rate:rate5m', model: 'a' }, '20'),
    sample({ __name__: 'slo:burn_rate:rate5m', model: 'b' }, '0.5'),
    sample({ __name__: 'slo:burn_rate:rate1h', model: 'a' }, '15'),
    sample({ __name__: 'slo:burn_rate:rate1h', model: 'b' }, 'NaN'),
    sample({ __name__: 'slo:error_budget_remaining:ratio', model: 'a' }, '0.4'),
    sample({ __name__: 'slo:error_budget_remaining:ratio', model: 'b' }, '0.9'),
    sample(
      { __name__: 'ALERTS', alertname: 'ErrorBudgetBurn', alertstate: 'firing', severity: 'critical', long_window: '1h', short_window: '5m', model: 'a' },
      '1',
    ),
    sample(
      { __name__: 'ALERTS', alertname: 'ErrorBudgetBurn', alertstate: 'pending', severity: 'critical', long_window: '6h', short_window: '30m', model: 'a' },
      '1',
    ),
  ];

  it('takes the worst member per window and the lowest budget, and lists firing alerts only', () => {
    const now = sloNow(slo!, rows);
    expect(now.burnRates.map((b) => [b.window, b.value, b.worst])).toEqual([
      ['5m', 20, { model: 'a' }],
      ['30m', null, null],
      ['1h', 15, { model: 'a' }],
      ['2h', null, null],
      ['6h', null, null],
      ['1d', null, null],
      ['3d', null, null],
    ]);
    expect(now.errorBudgetRemaining).toBe(0.4);
    expect(now.budgetWorst).toEqual({ model: 'a' });
    expect(now.firing).toEqual([
      { alertname: 'ErrorBudgetBurn', tier: 'page', severity: 'critical', longWindow: '1h', shortWindow: '5m', labels: { model: 'a' } },
    ]);
    expect(now.state).toBe('page');
  });

  it('says no-data when nothing is recorded', () => {
    expect(sloNow(slo!, []).state).toBe('no-data');
  });

  it('prints an aligned table, with ANSI colours only when asked', () => {
    const now = sloNow(slo!, rows);
    const plain = formatStatusTable([now], false);
    expect(plain).toBe(
      [
        'SLO               objective    budget left  burn rate (window: rate)                       firing        state',
        'gpu-availability  99.5% / 30d  40.0%        5m:20.00x 30m:- 1h:15.00x 2h:- 6h:- 1d:- 3d:-  page 1h/5m a  page',
        '',
      ].join('\n'),
    );
    const coloured = formatStatusTable([now], true);
    expect(coloured).toContain('\u001b[31mpage\u001b[0m');
    expect(coloured).toContain('\u001b[32m40.0%\u001b[0m');
    expect(['\u001b[31m', '\u001b[32m', '\u001b[0m'].reduce((text, code) => text.replaceAll(code, ''), coloured)).toBe(plain);
  });
});

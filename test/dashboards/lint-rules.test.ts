import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingPath } from '../../src/dashboards/lint/finding.js';
import { lintDashboard } from '../../src/dashboards/lint/lint-dashboard.js';
import { declareAmbientMetrics } from '../../src/dashboards/metric-sources.js';
import { finalizeDashboard } from '../../src/dashboards/finalize-dashboard.js';
import { MetricCatalog } from '../../src/model/metric-catalog.js';
import type { DashboardJson, DashboardValue } from '../../src/dashboards/types.js';
import { base, firstPanel, firstTarget } from './fixtures/_base.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const metrics = new MetricCatalog();
declareAmbientMetrics(metrics);
const ctx = { knowsMetric: (m: string) => metrics.has(m) };

async function lintFixture(name: string) {
  const mod = (await import(path.join(FIXTURES, `${name}.ts`))) as { default: DashboardValue };
  const v = mod.default;
  const json = typeof (v as { build?: unknown }).build === 'function' ? (v as { build(): DashboardJson }).build() : (v as DashboardJson);
  const d = finalizeDashboard(JSON.parse(JSON.stringify(json)) as DashboardJson, { uid: 'fallback', specPath: `test/dashboards/fixtures/${name}.ts` });
  return lintDashboard(d, ctx);
}

/** Each fixture is a dashboard with one defect, named after it, and the rule that must catch it. */
const cases: [fixture: string, code: string, severity: 'error' | 'warning', where: string][] = [
  ['uid-too-long', 'DASH002', 'error', 'Fixture'],
  ['uid-illegal-characters', 'DASH002', 'error', 'Fixture'],
  ['missing-title', 'DASH001', 'error', ''],
  ['editable-dashboard', 'DASH003', 'warning', 'Fixture'],
  ['no-datasource-variable', 'DASH004', 'error', 'Fixture'],
  ['misnamed-datasource-variable', 'DASH004', 'error', 'Fixture › $prom'],
  ['variable-refresh-on-load', 'DASH005', 'warning', 'Fixture › $cluster'],
  ['invalid-variable-promql', 'DASH006', 'error', 'Fixture › $cluster'],
  ['panel-hardcoded-datasource', 'DASH010', 'warning', 'Fixture › Requests'],
  ['panel-without-description', 'DASH011', 'warning', 'Fixture › Requests'],
  ['panel-unknown-unit', 'DASH012', 'warning', 'Fixture › Requests'],
  ['panel-without-targets', 'DASH013', 'warning', 'Fixture › Requests'],
  ['duplicate-panel-id', 'DASH014', 'error', 'Fixture › Log lines'],
  ['panel-wider-than-grid', 'DASH015', 'error', 'Fixture › Requests'],
  ['overlapping-panels', 'DASH016', 'error', 'Fixture › Log lines'],
  ['expanded-row-with-nested-panels', 'DASH017', 'error', 'Fixture › Row'],
  ['invalid-promql', 'DASH020', 'error', 'Fixture › Requests › A'],
  ['invalid-logql', 'DASH021', 'error', 'Fixture › Log lines › A'],
  ['logql-fixed-range', 'DASH022', 'warning', 'Fixture › Log lines › A'],
  ['rate-without-rate-interval', 'DASH023', 'warning', 'Fixture › Requests › A'],
  ['job-variable-not-used', 'DASH024', 'warning', 'Fixture › Up › A'],
  ['counter-without-rate', 'DASH025', 'warning', 'Fixture › Requests › A'],
  ['duplicate-refid', 'DASH026', 'error', 'Fixture › Requests › A'],
  ['unknown-metric', 'DASH027', 'error', 'Fixture › Requests › A'],
  ['sdk-shared-builder', 'DASH016', 'error', 'Fixture › Up'],
  ['sdk-autolayout-past-grid', 'DASH015', 'error', 'Fixture › Spills over'],
];

describe('dashboard lint rules', () => {
  it('find nothing in the clean base every fixture starts from', () => {
    expect(lintDashboard(finalizeDashboard(base({ withLoki: true }), { uid: 'x', specPath: 'x.ts' }), ctx)).toEqual([]);
  });

  it('have a fixture for every defect file in the fixtures folder', () => {
    const files = fs
      .readdirSync(FIXTURES)
      .filter((f) => !f.startsWith('_'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(files).toEqual(cases.map((c) => c[0]).sort());
  });

  it.each(cases)('report %s as %s (%s) at "%s"', async (fixture, code, severity, where) => {
    const findings = await lintFixture(fixture);
    const hit = findings.find((f) => f.code === code);
    expect(hit, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(hit!.severity).toBe(severity);
    expect(findingPath(fixture === 'missing-title' ? '' : 'Fixture', hit!)).toBe(where);
  });

  it('accept Grafana macros and template variables inside PromQL and LogQL', () => {
    const d = base({ withLoki: true });
    firstTarget(firstPanel(d)).expr = 'sum by ($group) (increase(node_network_receive_bytes_total{cluster=~"${cluster:regex}"}[$__range])) / $__interval_ms';
    expect(lintDashboard(finalizeDashboard(d, { uid: 'x', specPath: 'x.ts' }), ctx)).toEqual([]);
  });
});

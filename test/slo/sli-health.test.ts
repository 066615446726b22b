import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProject } from '../../src/build/build-project.js';
import { run } from '../../src/cli/main.js';
import { outputPaths } from '../../src/conventions.js';
import { generateSliHealthRules, sliHealthAnnotations } from '../../src/generate/prometheus/sli-health.js';
import type { SloModel } from '../../src/model/types.js';

const execFileAsync = promisify(execFile);
const PROMTOOL = '/usr/bin/promtool';
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-sli-health-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let counter = 0;

/** A project root holding one SLO file with this text. */
function project(service: string, sloText: string): string {
  const root = path.join(tmpRoot, `p${counter++}`);
  fs.mkdirSync(path.join(root, 'slos'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'slos', `${service}.yaml`),
    `apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: ${service}\nlabels: { team: web }\n${sloText}`,
  );
  return root;
}

function silentIo(cwd: string) {
  let err = '';
  let out = '';
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) }, cwd },
    err: () => err,
    out: () => out,
  };
}

async function render(root: string): Promise<string> {
  const out = path.join(root, 'build');
  const c = silentIo(root);
  expect(await run(['render', '--root', root, '--out', out], c.io), c.err()).toBe(0);
  return out;
}

async function promtoolTest(dir: string, file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(PROMTOOL, ['test', 'rules', file], { cwd: dir });
    return { ok: true, output: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

const latencySlo = (threshold: string) =>
  `slos:\n  - name: latency\n    objective: 95\n    indicator:\n      latency:\n        histogram: http_request_duration_seconds{job="api"}\n        threshold: ${threshold}\n`;

describe('SLOIndicatorBroken', () => {
  it('fires with reason no_threshold_bucket in promtool when an 800ms threshold matches no bucket of a 0.5/1/+Inf histogram, and not for 1s', async () => {
    const results: Record<string, { quiet: boolean; ok: boolean; output: string }[]> = {};
    for (const threshold of ['800ms', '1s']) {
      const root = project('api', latencySlo(threshold));
      const out = await render(root);
      const slo = (await buildProject(root)).model.slos[0]!;
      const firing = {
        exp_labels: { slo: 'api-latency', service: 'api', team: 'web', severity: 'warning', reason: 'no_threshold_bucket' },
        exp_annotations: sliHealthAnnotations(slo, 'no_threshold_bucket'),
      };
      results[threshold] = [];
      // Healthy traffic as a real client library exports it: every bucket, _count, and the target up.
      for (const quiet of [true, false]) {
        const testFile = {
          rule_files: [`../rules/api.slo.rules.yaml`],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: [
                { series: 'http_request_duration_seconds_bucket{job="api", le="0.5"}', values: '0+90x40' },
                { series: 'http_request_duration_seconds_bucket{job="api", le="1"}', values: '0+99x40' },
                { series: 'http_request_duration_seconds_bucket{job="api", le="+Inf"}', values: '0+100x40' },
                { series: 'http_request_duration_seconds_count{job="api"}', values: '0+100x40' },
                { series: 'up{job="api"}', values: '1x40' },
              ],
              alert_rule_test: [
                // Pending from minute 5 (the first 5m total), firing 10 minutes later.
                { eval_time: '12m', alertname: 'SLOIndicatorBroken', exp_alerts: [] },
                { eval_time: '25m', alertname: 'SLOIndicatorBroken', exp_alerts: quiet ? [] : [firing] },
              ],
            },
          ],
        };
        const dir = path.join(out, 'prometheus/tests');
        fs.writeFileSync(path.join(dir, 'handmade.test.yaml'), stringify(testFile));
        results[threshold].push({ quiet, ...(await promtoolTest(dir, 'handmade.test.yaml')) });
      }
    }
    // 800ms: the alert fires (expecting silence fails); 1s: the bucket exists and nothing fires.
    expect(results['800ms']!.map((r) => [r.quiet, r.ok])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(results['800ms']![0]!.output).toMatch(/reason="no_threshold_bucket"/);
    expect(results['1s']!.map((r) => [r.quiet, r.ok])).toEqual([
      [true, true],
      [false, false],
    ]);
  }, 60_000);

  it('needs a warning route in the SLO team (RTE022), where the SLO has SLOIndicatorBroken rules', async () => {
    const routing = `apiVersion: vigil/v1
kind: AlertRouting
defaultReceiver: pager
escalation:
  critical: { repeat: 1h }
receivers:
  pager:
    pagerduty: { routing_key_file: /etc/am/pd }
teams:
  web:
    critical: [pager]
`;
    const codes = async (indicator: string) => {
      const root = project('api', `slos:\n  - name: errors\n    objective: 99.9\n    alerting: { ticket: false }\n    indicator:\n${indicator}`);
      fs.mkdirSync(path.join(root, 'alerts'));
      fs.writeFileSync(path.join(root, 'alerts/routing.yaml'), routing);
      const { diagnostics } = await buildProject(root);
      return diagnostics.items.filter((d) => d.code.startsWith('RTE')).map((d) => `${d.code} ${d.file}:${d.line}:${d.column} ${d.message}`);
    };
    expect(await codes('      ratio: { errors: \'x_total{job="api", code="500"}\', total: \'x_total{job="api"}\' }\n')).toEqual([
      'RTE022 slos/api.yaml:6:11 SLO api-errors (ErrorBudgetBurn, SLOIndicatorBroken) has severity warning, but team web has no route for warning',
    ]);
    // No job matcher: no SLOIndicatorBroken rule, pages only, nothing to route at warning.
    expect(await codes('      ratio: { errors: \'x_total{code="500"}\', total: x_total }\n')).toEqual([]);
  });

  // 7d keeps the generated burn-rate scenarios short (vigil test runs them all).
  const mixed = `period: 7d
slos:
  - name: checkout
    objective: 99
    groupBy: [region]
    indicator:
      ratio:
        good: checkout_total{job="shop", outcome="ok"}
        total: checkout_total{job="shop"}
  - name: latency
    objective: 95
    groupBy: [region]
    indicator:
      latency: { histogram: 'http_request_duration_seconds{job="shop"}', threshold: 1s }
  - name: search
    objective: 99
    indicator:
      ratio:
        errors: search_total{code="500"}
        total: search_total
  - name: probe
    objective: 99
    indicator: { boolGauge: 'probe_success{job="blackbox", target="shop"}' }
  - name: nodes
    objective: 99
    indicator: { boolGauge: 'up{job="shop"}' }
`;

  it('gets the rules its indicator allows, reading recorded series and only the raw selectors it cannot avoid', async () => {
    const { model, diagnostics } = await buildProject(project('shop', mixed));
    expect(diagnostics.errors).toEqual([]);
    const rules = (id: string) => generateSliHealthRules(model.slos.find((s: SloModel) => s.id === id)!).map((r) => [r.labels!.reason, r.for, r.expr]);
    expect(rules('shop-checkout')).toEqual([
      ['no_total_series', '10m', 'absent(slo:total:rate1m{slo="shop-checkout"}) and on() (up{job="shop"} == 1)'],
      [
        'all_bad',
        '30m',
        '(slo:error_ratio:rate1m{slo="shop-checkout"} == 1 and slo:total:rate1m{slo="shop-checkout"} > 0) unless on(region) count by (region) (checkout_total{job="shop", outcome="ok"})',
      ],
    ]);
    expect(rules('shop-latency')).toEqual([
      ['no_total_series', '10m', 'absent(slo:total:rate1m{slo="shop-latency"}) and on() (up{job="shop"} == 1)'],
      [
        'no_threshold_bucket',
        '10m',
        'slo:total:rate1m{slo="shop-latency"} unless on(region) count by (region) (http_request_duration_seconds_bucket{job="shop", le=~"1|1\\\\.0"})',
      ],
    ]);
    // No job or namespace matcher: "not deployed here" and "scraped but gone" look alike, so no rule.
    expect(rules('shop-search')).toEqual([]);
    expect(rules('shop-probe')).toEqual([['no_total_series', '10m', 'absent(slo:total:rate1m{slo="shop-probe"}) and on() (up{job="blackbox"} == 1)']]);
    // A gauge on up is its own scrape health.
    expect(rules('shop-nodes')).toEqual([]);
  });

  it('has generated promtool tests that fire every reason and stay quiet on the healthy shape, which promtool passes, and fails without the rules', async () => {
    const out = await render(project('shop', mixed));
    const testsDir = path.join(out, 'prometheus/tests');
    const doc = parse(fs.readFileSync(path.join(out, outputPaths.sloTests('shop')), 'utf8')) as {
      tests: { name: string; alert_rule_test: { eval_time: string; alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[] }[];
    };
    const checks = doc.tests.flatMap((g) => g.alert_rule_test.filter((c) => c.alertname === 'SLOIndicatorBroken').map((c) => ({ group: g.name, ...c })));
    const fired = (reason: string) =>
      checks.flatMap((c) =>
        c.exp_alerts
          .filter((a) => a.exp_labels.reason === reason)
          .map((a) => `${a.exp_labels.slo}${a.exp_labels.region ? `/${a.exp_labels.region}` : ''}@${c.eval_time}`),
      );
    expect(fired('no_total_series')).toEqual(expect.arrayContaining(['shop-checkout@17m', 'shop-latency@17m', 'shop-probe@17m']));
    // The broken first group only (region a); all_bad only once its 30 minutes have passed.
    expect(fired('no_threshold_bucket')).toEqual(['shop-latency/a@17m', 'shop-latency/a@37m']);
    expect(fired('all_bad')).toEqual(['shop-checkout/a@37m']);
    const healthy = checks.filter((c) => c.group.includes('healthy'));
    expect(healthy.length).toBeGreaterThan(0);
    expect(healthy.flatMap((c) => c.exp_alerts)).toEqual([]);

    // The real promtool passes them against the rendered rule file (the SLOIndicatorBroken groups
    // alone: the burn-rate scenarios of the same file have their own suites), and fails them
    // against the same file without its SLOIndicatorBroken rules.
    const sliGroups = doc.tests.filter((g) => g.alert_rule_test.some((c) => c.alertname === 'SLOIndicatorBroken'));
    expect(sliGroups.length).toBe(4);
    fs.writeFileSync(path.join(testsDir, 'sli.test.yaml'), JSON.stringify({ ...doc, tests: sliGroups }));
    const passed = await promtoolTest(testsDir, 'sli.test.yaml');
    expect(passed.ok, passed.output).toBe(true);

    const rulesFile = path.join(out, outputPaths.sloRules('shop'));
    const rules = parse(fs.readFileSync(rulesFile, 'utf8')) as { groups: { rules: { alert?: string }[] }[] };
    for (const g of rules.groups) g.rules = g.rules.filter((r) => r.alert !== 'SLOIndicatorBroken');
    fs.writeFileSync(rulesFile, stringify(rules));
    const failed = await promtoolTest(testsDir, 'sli.test.yaml');
    expect(failed.ok).toBe(false);
    expect(failed.output).toMatch(/alertname: SLOIndicatorBroken/);
  }, 120_000);
});

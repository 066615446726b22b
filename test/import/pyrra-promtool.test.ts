import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { run } from '../../src/cli/main.js';

const execFileAsync = promisify(execFile);
const PROMTOOL = '/usr/bin/promtool';
const fixture = path.resolve(import.meta.dirname, 'fixtures/pyrra/prometheus-probe-success.yaml');

function io(cwd: string) {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd }, text: () => out + err };
}

/**
 * Pyrra's two critical (page) alerts for the probe-success example (bool_gauge, 99%, 7d), written
 * from the documented shape (../shared/reference/pyrra.md §2): burn rates from raw series per
 * window, fast tier 1m/15m at 14x (for 1m), medium tier 8m/1h30m at 7x (for 4m).
 */
function pyrraPageRules(): string {
  const slo = 'prometheus-blackbox-probe-success';
  const burn = (d: string) => ({
    record: `probe_success:burnrate${d}`,
    expr: `(sum by (target) (count_over_time(probe_success[${d}])) - sum by (target) (sum_over_time(probe_success[${d}]))) / sum by (target) (count_over_time(probe_success[${d}]))`,
    labels: { slo },
  });
  const alert = (short: string, long: string, factor: number, forDuration: string) => ({
    alert: 'ErrorBudgetBurn',
    expr: `probe_success:burnrate${short}{slo="${slo}"} > (${factor} * (1-0.99)) and probe_success:burnrate${long}{slo="${slo}"} > (${factor} * (1-0.99))`,
    for: forDuration,
    labels: { severity: 'critical', short, long, slo },
  });
  return stringify({
    groups: [{ name: slo, interval: '30s', rules: [...['1m', '8m', '15m', '1h30m'].map(burn), alert('1m', '15m', 14, '1m'), alert('8m', '1h30m', 7, '4m')] }],
  });
}

const firing = (at: string, pyrra: 0 | 1, vigil: 0 | 1) => [
  {
    expr: '(count(ALERTS{alertname="ErrorBudgetBurn", alertstate="firing", slo="prometheus-blackbox-probe-success"}) > bool 0) or vector(0)',
    eval_time: at,
    exp_samples: [{ labels: '{}', value: pyrra }],
  },
  {
    expr: '(count(ALERTS{alertname="ErrorBudgetBurn", alertstate="firing", slo="default-prometheus-blackbox-probe-success", severity="critical"}) > bool 0) or vector(0)',
    eval_time: at,
    exp_samples: [{ labels: '{}', value: vigil }],
  },
];

describe('the Pyrra probe-success SLO, imported', () => {
  it("pages in promtool on the same outage as Pyrra's own page rules, and stays quiet on the same slow burn", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pyrra-eq-'));
    const c = io(root);
    // Exit 0: imported with IMP040 (Pyrra's tiers differ from vigil's), nothing refused.
    expect(await run(['import', 'pyrra', fixture, '--out', path.join(root, 'slos')], c.io), c.text()).toBe(0);
    expect(c.text()).toContain('IMP040');
    expect(await run(['render', '--root', root, '--out', path.join(root, 'build')], c.io), c.text()).toBe(0);
    const dir = path.join(root, 'build/prometheus/rules');
    fs.writeFileSync(path.join(dir, 'pyrra.rules.yaml'), pyrraPageRules());
    // One sample a minute; a 5% slow burn is one failed probe in twenty.
    const slowBurn = Array.from({ length: 721 }, (_, i) => (i % 20 === 19 ? 0 : 1)).join(' ');
    const tests = {
      rule_files: ['default.slo.rules.yaml', 'pyrra.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          name: 'target down from 2h on pages both',
          interval: '1m',
          input_series: [{ series: 'probe_success{target="a", job="blackbox"}', values: '1x120 0x240' }],
          promql_expr_test: [...firing('115m', 0, 0), ...firing('150m', 1, 1), ...firing('5h', 1, 1)],
        },
        {
          name: 'a 5% slow burn (5x) pages neither',
          interval: '1m',
          input_series: [{ series: 'probe_success{target="a", job="blackbox"}', values: slowBurn }],
          promql_expr_test: [...firing('3h', 0, 0), ...firing('8h', 0, 0), ...firing('12h', 0, 0)],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'equivalence.test.yaml'), stringify(tests));
    const result = await execFileAsync(PROMTOOL, ['test', 'rules', 'equivalence.test.yaml'], { cwd: dir }).then(
      (r) => ({ ok: true, output: r.stdout + r.stderr }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    expect(result.ok, result.output).toBe(true);
  }, 60_000);
});

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
const fixture = path.resolve(import.meta.dirname, 'fixtures/sloth/getting-started.yml');

function io(cwd: string) {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd }, text: () => out + err };
}

/**
 * Sloth's page rule for the getting-started SLO, written from the documented shape
 * (../shared/reference/sloth.md §2.2, §2.4): events SLI recorded per window, then
 * (5m and 1h above 14.4 × budget) or (30m and 6h above 6 × budget), `max … without (sloth_window)`.
 */
function slothPageRules(): string {
  const ids = 'sloth_id="myservice-requests-availability", sloth_service="myservice", sloth_slo="requests-availability"';
  const budget = '0.0009999999999999432'; // Sloth writes (100 - 99.9) / 100 with its float noise
  const sli = (w: string) => ({
    record: `slo:sli_error:ratio_rate${w}`,
    expr: `(sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[${w}])))\n/\n(sum(rate(http_request_duration_seconds_count{job="myservice"}[${w}])))`,
    labels: {
      sloth_id: 'myservice-requests-availability',
      sloth_service: 'myservice',
      sloth_slo: 'requests-availability',
      sloth_window: w,
      owner: 'myteam',
      repo: 'myorg/myservice',
      tier: '2',
    },
  });
  const above = (w: string, f: string) => `max(slo:sli_error:ratio_rate${w}{${ids}} > (${f} * ${budget})) without (sloth_window)`;
  return stringify({
    groups: [
      { name: 'sloth-slo-sli-recordings-myservice-requests-availability', rules: ['5m', '30m', '1h', '6h'].map(sli) },
      {
        name: 'sloth-slo-alerts-myservice-requests-availability',
        rules: [
          {
            alert: 'MyServiceHighErrorRate',
            expr: `(${above('5m', '14.4')}\nand\n${above('1h', '14.4')})\nor\n(${above('30m', '6')}\nand\n${above('6h', '6')})`,
            labels: { sloth_severity: 'page', category: 'availability', severity: 'pageteam', routing_key: 'myteam' },
          },
        ],
      },
    ],
  });
}

/** 1 when an alert of that origin is firing at `at`, else 0 (Sloth's carries sloth_severity; vigil's long_window). */
const firing = (at: string, sloth: 0 | 1, vigil: 0 | 1) => [
  {
    expr: '(count(ALERTS{alertname="MyServiceHighErrorRate", alertstate="firing", sloth_severity="page"}) > bool 0) or vector(0)',
    eval_time: at,
    exp_samples: [{ labels: '{}', value: sloth }],
  },
  {
    expr: '(count(ALERTS{alertname="MyServiceHighErrorRate", alertstate="firing", sloth_severity="", severity="pageteam"}) > bool 0) or vector(0)',
    eval_time: at,
    exp_samples: [{ labels: '{}', value: vigil }],
  },
];

describe('the Sloth getting-started SLO, imported', () => {
  it("pages in promtool on the same bursts as Sloth's own page rule, and stays quiet on the same slow burn", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-sloth-eq-'));
    const c = io(root);
    expect(await run(['import', 'sloth', fixture, '--out', path.join(root, 'slos')], c.io), c.text()).toBe(0);
    expect(await run(['render', '--root', root, '--out', path.join(root, 'build')], c.io), c.text()).toBe(0);
    const dir = path.join(root, 'build/prometheus/rules');
    fs.writeFileSync(path.join(dir, 'sloth.rules.yaml'), slothPageRules());
    const series = (errorsPerMinute: string) => [
      { series: 'http_request_duration_seconds_count{job="myservice",code="200"}', values: '0+100x600' },
      { series: 'http_request_duration_seconds_count{job="myservice",code="500"}', values: errorsPerMinute },
    ];
    const tests = {
      rule_files: ['myservice.slo.rules.yaml', 'sloth.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          name: 'a 5% error burst from 2h on (50x the budget) pages both',
          interval: '1m',
          input_series: series('0x120 5+5x480'),
          promql_expr_test: [...firing('115m', 0, 0), ...firing('160m', 1, 1), ...firing('4h', 1, 1)],
        },
        {
          name: 'a 0.5% slow burn (5x) pages neither',
          interval: '1m',
          input_series: series('0+0.5x600'),
          promql_expr_test: [...firing('2h', 0, 0), ...firing('8h', 0, 0), ...firing('10h', 0, 0)],
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

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSloRuleGroup } from '../../src/generate/prometheus/slo-rules.js';
import { formatMinutes } from '../../src/model/duration.js';
import type { RuleGroup } from '../../src/model/rule-group.js';
import { recordedWindows } from '../../src/model/slo-math.js';
import { renderRuleFile } from '../../src/render/rule-groups.js';
import { freePort } from '../support/free-port.js';
import { promtoolTest, slosOf } from '../support/promtool.js';

/**
 * Exact windows whatever the global evaluation_interval. Two facts, each shown with the real
 * tools: (1) Prometheus evaluates an SLO rule group at the group's own `interval` (1m by default)
 * whether the global evaluation_interval is 30s, 1m or 2m; (2) evaluated at an interval that
 * divides the 5m base window (1m, 30s), every recorded window of a 30d ratio SLO equals the exact
 * raw computation `(c − c offset W) / W` over 30 days of uneven traffic, while the same rules
 * evaluated every 2m (a group without `interval` under a 2m global interval) do not.
 * promtool 2.42 evaluates every group at the test file's evaluation_interval (it ignores a group's
 * `interval`: checked in the last case), so fact (2) runs promtool at the interval of fact (1).
 */
const spec = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: shop
slos:
  - name: availability
    objective: 99.9
    indicator: { ratio: { errors: 'req_errors_total', total: 'req_total' } }
`;
const slo = slosOf(spec, 'slos/shop.yaml')[0]!;
// A day and six hours of data: every window up to 1d fully inside it, the 3d and 30d ones partly
// (their older tiles fall before the first sample, where the counters were 0, and count as no
// traffic in the recorded and the exact value alike). 30 days at 1m cost promtool minutes of CPU;
// a tile at a 3d offset aligns with evaluations exactly as one at 5m does (both are multiples of
// the base window).
const MINUTES = 1440 + 6 * 60;

/** promtool input-series text of a counter that grows by `perMinute(m)` in minute m (runs of equal growth as `a+bxn`). */
function counter(perMinute: (m: number) => number): string {
  const runs: string[] = [];
  let value = 0;
  let m = 0;
  while (m <= MINUTES) {
    const inc = perMinute(m);
    let n = 1;
    while (m + n <= MINUTES && perMinute(m + n) === inc) n++;
    runs.push(`${value}+${inc}x${n - 1}`);
    value += inc * n;
    m += n;
  }
  return runs.join(' ');
}

// Uneven traffic: rates change every 97 minutes, errors also by day, plus bursts in the last hours
// that start and end off any 5m boundary.
const total = (m: number) => 1000 + ((Math.floor(m / 97) * 37) % 500);
const errors = (m: number) => {
  const burst = m >= MINUTES - 190 && m < MINUTES - 153 ? 300 : m >= MINUTES - 61 && m < MINUTES - 22 ? 90 : 0;
  return burst + (Math.floor(m / 1440) % 4) + (Math.floor(m / 97) % 3);
};

/** For every recorded window and both series, 1 when the recorded rate is within 1e-9 of the exact one. */
function windowChecks(evalMinutes: readonly number[]): object[] {
  const cases: object[] = [];
  for (const t of evalMinutes)
    for (const w of recordedWindows(slo)) {
      const wt = formatMinutes(w);
      for (const [kind, metric] of [
        ['errors', 'req_errors_total'],
        ['total', 'req_total'],
      ] as const) {
        const exact = `((sum(${metric}) - (sum(${metric} offset ${wt}) or vector(0))) / ${w * 60})`;
        cases.push({
          expr: `abs(slo:${kind}:rate${wt}{slo="${slo.id}"} - on() ${exact}) <= bool (1e-9 * ${exact})`,
          eval_time: formatMinutes(t),
          exp_samples: [{ labels: '{}', value: 1 }],
        });
      }
    }
  return cases;
}

const input = [
  { series: 'req_total', values: counter(total) },
  { series: 'req_errors_total', values: counter(errors) },
];
// Whole even minutes: an evaluation at 30s, 1m and 2m alike; one lands inside the first burst.
const EVAL_AT = [MINUTES - 170, MINUTES - 40, MINUTES];

/** The group's errors and total rules (and the base window's partial sums they read) only: the ratios, burn rates and alerts derive from them; fewer rules, faster promtool. */
function windowRules(group: RuleGroup): RuleGroup {
  return { ...group, rules: group.rules.filter((r) => 'record' in r && /^slo:(errors|total|events|good)(_rise)?:rate/.test(r.record)) };
}

async function windowsAt(group: RuleGroup, interval: string) {
  return promtoolTest([windowRules(group)], {
    evaluation_interval: interval,
    tests: [{ interval: '1m', input_series: input, promql_expr_test: windowChecks(EVAL_AT) }],
  });
}

describe('a 30d ratio SLO at global evaluation intervals 30s, 1m and 2m', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-interval-'));
  const children: ChildProcess[] = [];
  // The three promtool runs overlap (one core each); each case awaits its own.
  let runs: Record<'1m' | '30s' | '2m', ReturnType<typeof windowsAt>>;
  beforeAll(() => {
    runs = {
      '1m': windowsAt(generateSloRuleGroup(slo), '1m'),
      '30s': windowsAt(generateSloRuleGroup(slo, '30s'), '30s'),
      '2m': windowsAt(generateSloRuleGroup(slo), '2m'),
    };
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs at its group interval in a real Prometheus, whatever the global one (a group without interval follows the global one)', async () => {
    const withInterval = generateSloRuleGroup(slo);
    expect(withInterval.interval).toBe('1m');
    const control: RuleGroup = { name: 'no-interval', rules: [{ record: 'x', expr: 'vector(1)' }] };
    fs.writeFileSync(path.join(dir, 'rules.yaml'), renderRuleFile('slos/shop.yaml', [withInterval, control]));
    const seen = await Promise.all(
      ['30s', '1m', '2m'].map(async (global) => {
        const port = await freePort();
        const d = path.join(dir, global);
        fs.mkdirSync(d);
        fs.writeFileSync(
          path.join(d, 'prometheus.yml'),
          `global:\n  evaluation_interval: ${global}\nrule_files: [${JSON.stringify(path.join(dir, 'rules.yaml'))}]\n`,
        );
        const p = spawn(
          '/usr/bin/prometheus',
          [
            `--config.file=${path.join(d, 'prometheus.yml')}`,
            `--storage.tsdb.path=${path.join(d, 'data')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            '--log.level=warn',
          ],
          { stdio: ['ignore', 'ignore', 'inherit'] },
        );
        children.push(p);
        const groups = await poll(async () => {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/rules`);
          const body = (await res.json()) as { data: { groups: { name: string; interval: number }[] } };
          return body.data.groups.length === 2 ? body.data.groups : undefined;
        });
        return [global, Object.fromEntries(groups.map((g) => [g.name, g.interval]))] as const;
      }),
    );
    expect(Object.fromEntries(seen)).toEqual({
      '30s': { [withInterval.name]: 60, 'no-interval': 30 },
      '1m': { [withInterval.name]: 60, 'no-interval': 60 },
      '2m': { [withInterval.name]: 60, 'no-interval': 120 },
    });
  }, 30_000);

  it('records every window exactly (within 1e-9) when evaluated at its 1m interval (promtool)', async () => {
    const r = await runs['1m'];
    expect(r.code, r.output.slice(0, 3000)).toBe(0);
    expect(r.output).toMatch(/SUCCESS/);
  }, 300_000);

  it('records every window exactly at a 30s interval (slos.evaluationInterval: 30s)', async () => {
    expect(generateSloRuleGroup(slo, '30s').interval).toBe('30s');
    const r = await runs['30s'];
    expect(r.code, r.output.slice(0, 3000)).toBe(0);
  }, 300_000);

  it('is not exact when evaluated every 2m, as a group without interval is under a 2m global interval', async () => {
    const r = await runs['2m'];
    expect(r.code).not.toBe(0);
    // The 5m window itself reads raw series and stays exact; the tiled ones do not.
    const wrong = [...r.output.matchAll(/expr: "abs\(slo:(errors|total):rate(\w+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(wrong).not.toContain('errors:5m');
    expect(wrong).toEqual(expect.arrayContaining(['errors:1h', 'errors:6h']));
  }, 300_000);

  it("needs the promtool evaluation_interval to be the group interval: promtool 2.42 ignores a group's own interval", async () => {
    const group: RuleGroup = { name: 'every-5m', interval: '5m', rules: [{ record: 'evaluated_at', expr: 'time()' }] };
    const r = await promtoolTest([group], {
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [],
          promql_expr_test: [{ expr: 'evaluated_at', eval_time: '7m', exp_samples: [{ labels: 'evaluated_at', value: 420 }] }],
        },
      ],
    });
    expect(r.code, r.output).toBe(0);
  });
});

async function poll<T>(fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('Prometheus did not come up');
    await new Promise((r) => setTimeout(r, 200));
  }
}

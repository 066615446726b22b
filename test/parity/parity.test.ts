import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { compareEnvironments, type ParityReport } from '../../src/parity/compare-environments.js';
import { diffValues } from '../../src/parity/diff-values.js';
import { routeAlert } from '../../src/parity/route-alert.js';
import { loadProject } from '../../src/project/load-project.js';
import { envProject } from '../support/env-project.js';

const REPO = path.resolve(import.meta.dirname, '../..');

async function vigil(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd, stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } });
  return { code, stdout, stderr };
}

async function compare(root: string, a: string, b: string): Promise<ParityReport> {
  const x = await loadProject(root, { env: a });
  const y = await loadProject(root, { env: b });
  expect(x.diagnostics.errors).toEqual([]);
  expect(y.diagnostics.errors).toEqual([]);
  return compareEnvironments({ env: a, model: x.model }, { env: b, model: y.model });
}

/** A project whose dev environment differs from prod only through the built-in model-serving pack's own dev values. */
function builtinDrift(ownDeclaration = ''): string {
  const root = envProject({
    'alerts/serving.yaml': `apiVersion: vigil/v1\nkind: AlertPack\nname: serving\nuses: model-serving\nlabels: { team: infra }\n${ownDeclaration}`,
    'alerts/external-metrics.yaml':
      'apiVersion: vigil/v1\nkind: ExternalMetrics\nmetrics:\n  - name: inference_request_duration_seconds\n    source: model-server\n',
  });
  fs.writeFileSync(path.join(root, 'vigil.config.yaml'), 'apiVersion: vigil/v1\nkind: VigilConfig\nenvironments: [prod, staging, dev]\n');
  return root;
}

describe('routeAlert', () => {
  const config = {
    route: {
      receiver: 'fallback',
      routes: [
        { matchers: ['alertname="Burn"', 'severity="critical"'], receiver: 'trigger', continue: true },
        { matchers: ['team="a"'], routes: [{ matchers: ['severity=~"crit.*"'], routes: [{ receiver: 'pager', continue: true }, { receiver: 'chat' }] }] },
        { matchers: ['team="a"'], receiver: 'never' },
      ],
    },
  };

  it('walks the tree as Alertmanager does: continue, first match wins, no matching child delivers to the inherited receiver', () => {
    expect(routeAlert(config, { alertname: 'Burn', severity: 'critical', team: 'a' })).toEqual(['trigger', 'pager', 'chat']);
    expect(routeAlert(config, { severity: 'critical', team: 'a' })).toEqual(['pager', 'chat']);
    expect(routeAlert(config, { severity: 'warning', team: 'a' })).toEqual(['fallback']);
    expect(routeAlert(config, { severity: 'critical' })).toEqual(['fallback']);
  });
});

describe('routeAlert against the real amtool', () => {
  it("names the receivers amtool config routes test names, on this repo's prod and staging trees (every team and severity, every SLO page)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-parity-am-'));
    expect((await vigil(['render', '--all-envs', '--out', dir], REPO)).code).toBe(0);
    let compared = 0;
    for (const env of ['prod', 'staging']) {
      const file = path.join(dir, env, 'alertmanager/alertmanager.yml');
      const config = parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      const cases: Record<string, string>[] = [];
      for (const team of ['ml-platform', 'platform-infra', 'llm-serving', 'nobody'])
        for (const severity of ['critical', 'warning', 'info']) cases.push({ team, severity }, { team, severity, alertname: 'ErrorBudgetBurn' });
      for (const labels of cases) {
        const amtool = execFileSync('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
        expect(routeAlert(config, labels).join(','), `${env} ${JSON.stringify(labels)}`).toBe(amtool);
        compared++;
      }
    }
    expect(compared).toBe(48);
  });
});

describe('diffValues', () => {
  it('compares maps key by key and named lists by name, values whole otherwise', () => {
    expect(
      diffValues(
        {
          a: 1,
          rules: [
            { name: 'x', t: 1 },
            { name: 'y', t: 2 },
          ],
          by: [1, 2],
          m: { k: 'v' },
        },
        { a: 1, rules: [{ name: 'y', t: 3 }], by: [2, 1], m: { k: 'v', j: 'w' } },
      ),
    ).toEqual([
      { path: 'by', a: [1, 2], b: [2, 1] },
      { path: 'm.j', a: undefined, b: 'w' },
      { path: 'rules[x]', a: { name: 'x', t: 1 }, b: undefined },
      { path: 'rules[y].t', a: 2, b: 3 },
    ]);
    expect(diffValues({ b: 1, a: { c: [1] } }, { a: { c: [1] }, b: 1 })).toEqual([]);
  });
});

describe('compareEnvironments', () => {
  it('marks a difference declared by an inline override or an overlay file, citing its file:line:col', async () => {
    const root = envProject({ 'envs/staging/alerts/base.yaml': 'apiVersion: vigil/v1\nkind: AlertPack\nname: base\nparams: { downFor: 15m }\n' });
    const r = await compare(root, 'prod', 'staging');
    expect(r.drift).toBe(0);
    const at = (kind: string, subject: string, p: string) => r.differences.find((d) => d.kind === kind && d.subject === subject && d.path === p);
    expect(at('slo', 'api-latency', 'objective')).toEqual({
      kind: 'slo',
      subject: 'api-latency',
      path: 'objective',
      a: 99,
      b: 98,
      status: 'declared',
      because: { env: 'staging', file: 'slos/api.yaml', line: 22, column: 20, path: 'slos[latency].objective' },
    });
    expect(at('alert', 'base/TargetDown', 'for')).toMatchObject({
      a: '5m',
      b: '15m',
      status: 'declared',
      because: { env: 'staging', file: 'envs/staging/alerts/base.yaml', line: 4, column: 20, path: 'params.downFor' },
    });
    expect(at('config', 'vigil.config.yaml', 'datasources.prometheus')).toMatchObject({
      status: 'declared',
      because: { line: 7, path: 'grafana.datasources.prometheus' },
    });
    expect(r.compared).toMatchObject({ slo: 2, alert: 1 });
    // Nothing else differs: the availability SLO, the routes and the routing file are alike.
    expect(r.differences.map((d) => `${d.kind} ${d.subject} ${d.path}`)).toEqual([
      'slo api-latency objective',
      'slo api-latency thresholds',
      'alert base/TargetDown for',
      'config vigil.config.yaml datasources.prometheus',
    ]);
  });

  it('marks drift where nothing the project declares explains a difference (a built-in pack per-environment value), and declared once the pack states it', async () => {
    const drift = await compare(builtinDrift(), 'prod', 'dev');
    expect(drift.differences).toEqual([
      {
        kind: 'alert',
        subject: 'serving/ModelQueueBacklog',
        path: 'expr',
        a: 'vigil_model_queue_depth > 100',
        b: 'vigil_model_queue_depth > 500',
        status: 'drift',
      },
    ]);
    expect(drift.drift).toBe(1);
    const declared = await compare(builtinDrift('environments:\n  dev: { queueDepthMax: 500 }\n'), 'prod', 'dev');
    expect(declared.differences).toEqual([
      { ...drift.differences[0], status: 'declared', because: { env: 'dev', file: 'alerts/serving.yaml', line: 7, column: 25, path: 'params.queueDepthMax' } },
    ]);
  });

  it('marks an SLO that only an overlay adds as declared, at the overlay', async () => {
    const root = envProject({
      'envs/staging/slos/api.yaml':
        'apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: api\nslos:\n  - name: canary\n    objective: 99\n    indicator:\n      boolGauge: up{job="api-canary"}\n',
    });
    const r = await compare(root, 'prod', 'staging');
    expect(r.differences.find((d) => d.subject === 'api-canary')).toMatchObject({
      kind: 'slo',
      path: '(presence)',
      a: null,
      b: 'present',
      status: 'declared',
      because: { file: 'envs/staging/slos/api.yaml', path: 'slos[canary].objective' },
    });
    expect(r.drift).toBe(0);
  });

  it('reports an alert present in one environment and absent in the other as drift when no override removes it', async () => {
    const root = envProject();
    const a = (await loadProject(root, { env: 'prod' })).model;
    const b = (await loadProject(root, { env: 'prod' })).model;
    const r = compareEnvironments({ env: 'prod', model: a }, { env: 'other', model: { ...b, alertPacks: [] } });
    expect(r.differences).toEqual([
      { kind: 'alert', subject: 'base/TargetDown', path: '(presence)', a: 'present', b: null, status: 'drift' },
      { kind: 'route', subject: 'alert base/TargetDown', path: '(presence)', a: 'present', b: null, status: 'drift' },
    ]);
  });
});

describe('vigil parity', () => {
  it('exits 0 when every difference is declared, and prints one line per difference with its verdict', async () => {
    const root = envProject();
    const r = await vigil(['parity', 'prod', 'staging', '--root', root], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'vigil parity prod staging: 3 difference(s), 3 declared, 0 drift (compared 2 SLO(s), 1 alert(s), 8 route(s), 0 dashboard(s), 0 rollback policy(ies))',
    );
    expect(r.stdout).toContain('slo api-latency\n  objective: prod=99 staging=98  declared (staging) at slos/api.yaml:22:20 slos[latency].objective\n');
  });

  it('exits 1 on drift, naming it, and prints the report as JSON with --format json', async () => {
    const root = builtinDrift();
    const text = await vigil(['parity', 'prod', 'dev', '--root', root], root);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      'alert serving/ModelQueueBacklog\n  expr: prod=vigil_model_queue_depth > 100 dev=vigil_model_queue_depth > 500  DRIFT: no override explains it\n',
    );
    const json = await vigil(['parity', 'prod', 'dev', '--root', root, '--format', 'json'], root);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as ParityReport;
    expect(Object.keys(report)).toEqual(['envA', 'envB', 'compared', 'differences', 'declared', 'drift']);
    expect(report).toMatchObject({ envA: 'prod', envB: 'dev', declared: 0, drift: 1 });
  });

  it('is a usage error (exit 2) without two different environments, and CFG010 (exit 1) for an undeclared one', async () => {
    const root = envProject();
    expect((await vigil(['parity', 'prod', '--root', root], root)).code).toBe(2);
    expect((await vigil(['parity', 'prod', 'prod', '--root', root], root)).code).toBe(2);
    const r = await vigil(['parity', 'prod', 'stagin', '--root', root], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('vigil.config.yaml:3:1: error CFG010: --env stagin: no such environment; declared: prod, staging (did you mean staging?)');
  });

  it("passes on this repository: staging's declared differences (objective, routing, rollback dry-run, data sources) and no drift", async () => {
    const r = await vigil(['parity', 'prod', 'staging', '--format', 'json'], REPO);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ParityReport;
    expect(report.drift).toBe(0);
    const kinds = new Set(report.differences.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['config', 'dashboard', 'rollback', 'route', 'routing', 'slo']);
    expect(report.differences.find((d) => d.subject === 'vigil-gpu-fleet')).toMatchObject({
      path: 'datasources.prometheus',
      a: 'prometheus-onprem',
      b: 'prometheus-cloud-staging',
      because: { file: 'vigil.config.yaml', path: 'grafana.datasources.prometheus' },
    });
    expect(report.differences.find((d) => d.kind === 'rollback')).toMatchObject({
      path: 'defaults.dryRun',
      a: false,
      b: true,
      because: { file: 'envs/staging/alerts/rollback-policy.yaml' },
    });
    expect(report.differences.find((d) => d.subject === 'team=ml-platform severity=critical')).toMatchObject({
      path: 'receivers',
      a: ['ml-platform-pager', 'ml-platform-chat'],
      b: ['ml-platform-chat'],
      because: { file: 'envs/staging/alerts/routing.yaml', path: 'teams.ml-platform.critical' },
    });
  });
});

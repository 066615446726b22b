import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { vigil } from './helpers.js';

/**
 * Built-in packs used by reference: `uses: gpu` in a team's AlertPack takes vigil's GPU pack
 * (packs/gpu.yaml in the package) with the team's labels, params, overrides and disabled alerts,
 * without copying it. Rendered through the real CLI.
 */
const ROUTING = `apiVersion: vigil/v1
kind: AlertRouting
defaultReceiver: chat
receivers: { pager: { webhook: { url: 'http://127.0.0.1:9/p' } }, chat: { webhook: { url: 'http://127.0.0.1:9/c' } } }
escalation: { critical: { repeat: 1h }, warning: { repeat: 4h }, info: { repeat: 24h } }
teams: { ml: { critical: [pager, chat], warning: [chat], info: [chat] } }
`;

const USE = `apiVersion: vigil/v1
kind: AlertPack
name: gpu
uses: gpu
labels: { team: ml }
params: { fbUsedRatio: 0.9 }
overrides:
  GpuTemperatureHigh: { for: 5m, severity: critical, runbook_url: https://runbooks.example/hot-gpu }
disable: [GpuAllocatedButIdle]
`;

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-builtin-'));
  for (const [rel, text] of Object.entries({ 'alerts/routing.yaml': ROUTING, ...files })) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

type Rule = { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> };
const rules = (root: string) =>
  (parse(fs.readFileSync(path.join(root, 'build/prometheus/rules/gpu.alerts.rules.yaml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  );

describe('built-in packs used by reference (uses:)', () => {
  it("render the built-in's alerts with the team's labels, params, overrides and disabled alerts, and its tests pass", async () => {
    const root = project({ 'alerts/gpu.yaml': USE });
    const r = await vigil(['render', '--root', root, '--out', path.join(root, 'build')], root);
    expect(r.code, r.stderr).toBe(0);
    const all = rules(root);
    expect(all.length).toBeGreaterThan(10);
    expect(all.every((x) => x.labels.team === 'ml' && x.labels.component === 'gpu')).toBe(true);
    expect(all.find((x) => x.alert === 'GpuFramebufferExhausted')!.expr).toMatch(/> 0\.9$/);
    expect(all.find((x) => x.alert === 'GpuTemperatureHigh')).toMatchObject({
      for: '5m',
      labels: { severity: 'critical' },
      annotations: { runbook_url: 'https://runbooks.example/hot-gpu' },
    });
    expect(all.some((x) => x.alert === 'GpuAllocatedButIdle')).toBe(false);
    const t = await vigil(['test', '--root', root], root);
    expect(t.code, t.stdout + t.stderr).toBe(0);
  });

  it("link the built-in's runbooks under the configured runbook base URL", async () => {
    const root = project({
      'alerts/gpu.yaml': USE,
      'vigil.config.yaml': 'apiVersion: vigil/v1\nkind: VigilConfig\nrunbooks: { baseUrl: https://wiki.example/runbooks }\n',
    });
    expect((await vigil(['render', '--root', root, '--out', path.join(root, 'build')], root)).code).toBe(0);
    expect(rules(root).find((x) => x.alert === 'GpuLost')!.annotations.runbook_url).toBe('https://wiki.example/runbooks/gpu-lost.md');
  });

  it("link the built-in's dashboards under grafana.url, and a pack's relative runbook under runbooks.baseUrl", async () => {
    const own = `apiVersion: vigil/v1
kind: AlertPack
name: own
labels: { team: ml }
groups:
  - name: own
    alerts:
      - alert: NoTargets
        expr: absent(up)
        severity: warning
        summary: No targets.
        description: No targets.
        runbook_url: no-targets.md
        annotations: { dashboard_url: /d/own-board?var-x=1 }
        tests:
          - { name: fires, series: { 'x{a="1"}': 1x5 }, at: 5m, fires: [{}] }
          - { name: quiet, series: { 'up{a="1"}': 1x5 }, at: 5m, fires: [] }
`;
    const root = project({
      'alerts/gpu.yaml': USE,
      'alerts/own.yaml': own,
      'vigil.config.yaml':
        'apiVersion: vigil/v1\nkind: VigilConfig\ngrafana: { url: https://grafana.example/ }\nrunbooks: { baseUrl: https://wiki.example/runbooks }\n',
    });
    const r = await vigil(['render', '--root', root, '--out', path.join(root, 'build')], root);
    expect(r.code, r.stderr).toBe(0);
    const xid = rules(root).find((x) => x.alert === 'GpuXidDoubleBitEcc')!.annotations;
    expect(xid.dashboard_url).toBe('https://grafana.example/d/vigil-gpu-fleet?var-Hostname={{ $labels.Hostname }}&var-gpu={{ $labels.gpu }}');
    expect(xid.runbook_url).toBe('https://wiki.example/runbooks/gpu-xid-double-bit-ecc.md');
    const ownRule = (parse(fs.readFileSync(path.join(root, 'build/prometheus/rules/own.alerts.rules.yaml'), 'utf8')) as { groups: { rules: Rule[] }[] })
      .groups[0]!.rules[0]!;
    expect(ownRule.annotations).toMatchObject({
      runbook_url: 'https://wiki.example/runbooks/no-targets.md',
      dashboard_url: 'https://grafana.example/d/own-board?var-x=1',
    });
    // Without grafana.url the link stays a Grafana path (as the SLO alerts' do).
    const bare = project({ 'alerts/gpu.yaml': USE });
    expect((await vigil(['render', '--root', bare, '--out', path.join(bare, 'build')], bare)).code).toBe(0);
    expect(rules(bare).find((x) => x.alert === 'GpuLost')!.annotations.dashboard_url).toBe(
      '/d/vigil-gpu-fleet?var-Hostname={{ $labels.Hostname }}&var-gpu={{ $labels.gpu }}',
    );
  });

  it('agree with the exporter manifests on the job name: one setting (jobs.exporter) feeds the ServiceMonitor and the built-in alerts', async () => {
    const root = project({ 'alerts/gpu.yaml': USE, 'vigil.config.yaml': 'apiVersion: vigil/v1\nkind: VigilConfig\njobs: { exporter: gpu-metrics }\n' });
    expect((await vigil(['render', '--root', root, '--out', path.join(root, 'build')], root)).code).toBe(0);
    const read = (f: string) =>
      parse(fs.readFileSync(path.join(root, 'build/kubernetes/gpu-exporter', f), 'utf8')) as {
        metadata: { labels: Record<string, string> };
        spec: { jobLabel?: string };
      };
    const label = read('servicemonitor.yaml').spec.jobLabel!;
    // prometheus-operator names the job after the Service's jobLabel label.
    expect(read('service.yaml').metadata.labels[label]).toBe('gpu-metrics');
    expect(rules(root).find((x) => x.alert === 'GpuExporterDown')!.expr).toContain('up{job="gpu-metrics", node!=""}');
  });

  it('take every job name from vigil.config.yaml (jobs.*) in every built-in pack, and their own tests follow the names', async () => {
    const uses = (name: string, extra = '') => `apiVersion: vigil/v1\nkind: AlertPack\nname: ${name}\nuses: ${name}\nlabels: { team: ml }\n${extra}`;
    const root = project({
      'alerts/gpu.yaml': uses('gpu'),
      'alerts/hosts.yaml': uses('hosts'),
      'alerts/monitoring.yaml': uses('monitoring'),
      'alerts/model-serving.yaml': uses('model-serving', 'disable: [ModelLatencyAboveSla]\n'),
      'vigil.config.yaml': 'apiVersion: vigil/v1\nkind: VigilConfig\njobs: { exporter: dcgm, nodeExporter: node, kubeStateMetrics: ksm }\n',
    });
    expect((await vigil(['render', '--root', root, '--out', path.join(root, 'build')], root)).code).toBe(0);
    const exprs = fs
      .readdirSync(path.join(root, 'build/prometheus/rules'))
      .flatMap((f) => (parse(fs.readFileSync(path.join(root, 'build/prometheus/rules', f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups)
      .flatMap((g) => g.rules)
      .map((r) => r.expr);
    const jobs = new Set(exprs.flatMap((e) => [...e.matchAll(/job(?:=|!~)"([^"]+)"/g)].map((m) => m[1])));
    // Every job an alert selects is a configured one; the kube-prometheus-stack defaults are gone.
    expect([...jobs].sort()).toEqual(['dcgm', 'ksm', 'node', 'node|dcgm']);
    expect(exprs.join('\n')).not.toMatch(/node-exporter|kube-state-metrics|gpu-exporter/);
    // The packs' own promtool cases are written with the same params, so they pass under any names.
    const t = await vigil(['test', '--root', root], root);
    expect(t.code, t.stdout + t.stderr).toBe(0);
  });

  it('resolve params built from other params, and report an unknown or circular reference at the param', async () => {
    const pack = (params: string) =>
      `apiVersion: vigil/v1\nkind: AlertPack\nname: own\nlabels: { team: ml }\nparams:\n${params}\ngroups:\n  - name: own\n    alerts:\n      - alert: OwnDown\n        expr: up{\${sel}} == 0\n        for: 5m\n        severity: warning\n        summary: s\n        description: d\n        tests:\n          - { name: f, series: { 'up{job="\${job}", env="prod"}': 0+0x10 }, at: 8m, fires: [{ labels: { job: "\${job}", env: prod } }] }\n          - { name: q, series: { 'up{job="\${job}", env="prod"}': 1+0x10 }, at: 8m, fires: [] }\n`;
    const ok = project({ 'alerts/own.yaml': pack('  sel: job="${job}", env="prod"\n  job: api') });
    expect((await vigil(['render', '--root', ok, '--out', path.join(ok, 'build')], ok)).code).toBe(0);
    const own = parse(fs.readFileSync(path.join(ok, 'build/prometheus/rules/own.alerts.rules.yaml'), 'utf8')) as { groups: { rules: Rule[] }[] };
    expect(own.groups[0]!.rules[0]!.expr).toBe('up{job="api", env="prod"} == 0');
    expect((await vigil(['test', '--root', ok], ok)).code).toBe(0);

    for (const [params, code, message] of [
      ['  sel: job="${jbo}"\n  job: api', 'ALR010', /unknown parameter \$\{jbo\} in the value of sel/],
      ['  sel: job="${job}"\n  job: ${sel}', 'ALR014', /refers to itself/],
    ] as const) {
      const root = project({ 'alerts/own.yaml': pack(params) });
      const r = await vigil(['render', '--root', root, '--out', path.join(root, 'build')], root);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`alerts/own\\.yaml:6:8: error ${code}:`));
      expect(r.stderr).toMatch(message);
      expect(fs.existsSync(path.join(root, 'build'))).toBe(false);
    }
  });

  const mistakes = [
    {
      name: 'a built-in that does not exist',
      edit: ['uses: gpu', 'uses: gpuu'],
      code: 'ALR081',
      at: '4:7',
      message: /no built-in pack "gpuu" \(did you mean gpu\?\)/,
    },
    {
      name: 'an override of an alert the built-in lacks',
      edit: ['GpuTemperatureHigh:', 'GpuTemperatureHi:'],
      code: 'ALR082',
      at: '8:3',
      message: /has no alert GpuTemperatureHi \(did you mean GpuTemperatureHigh\?\)/,
    },
    {
      name: 'a param the built-in does not declare',
      edit: ['fbUsedRatio: 0.9', 'fbUsedRatoi: 0.9'],
      code: 'ALR011',
      at: '6:11',
      message: /parameter "fbUsedRatoi" is not declared by built-in pack "gpu"/,
    },
    {
      name: 'groups of its own beside uses',
      edit: ['disable: [GpuAllocatedButIdle]', 'groups: []'],
      code: 'ALR080',
      at: '9:1',
      message: /has no groups of its own/,
    },
  ] as const;
  for (const m of mistakes) {
    it(`report ${m.name}: one ${m.code} at ${m.at}, exit 1, nothing written`, async () => {
      const root = project({ 'alerts/gpu.yaml': USE.replace(m.edit[0], m.edit[1]) });
      const r = await vigil(['render', '--root', root, '--out', path.join(root, 'build')], root);
      expect(r.code).toBe(1);
      const errors = r.stderr.split('\n').filter((l) => / error [A-Z]+\d+:/.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`alerts/gpu.yaml:${m.at}: error ${m.code}:`);
      expect(errors[0]).toMatch(m.message);
      expect(fs.existsSync(path.join(root, 'build'))).toBe(false);
    });
  }
});

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputPaths } from '../../src/conventions.js';
import type { AlertingRule } from '../../src/model/rule-group.js';
import { generateSloRuleGroup, seriesLabels } from '../../src/generate/prometheus/slo-rules.js';
import { buildProject } from '../../src/build/build-project.js';
import { REPO } from '../alerts/helpers.js';
import { freePort } from '../support/free-port.js';

/**
 * The inhibitions of this repo's routing policy, evaluated by the real Alertmanager (Debian's
 * 0.25) on 127.0.0.1. The rendered alertmanager.yml is used as is, except that every secret
 * `*_file` points at a temp file and every receiver URL at a local sink, so nothing leaves the
 * machine. The alerts carry the labels the packs' and SLOs' rules really produce: static labels
 * from the build, templates expanded from the series labels the expressions return.
 */
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

interface Gettable {
  fingerprint: string;
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
}

let am: ChildProcess | undefined;
let amLog = '';
let base = '';
let sink: http.Server;
const delivered: string[] = [];
let labelsOf: (alert: string, series: Record<string, string>) => Record<string, string>;
let sloAlert: (id: string, severity: string, series: Record<string, string>) => Record<string, string>;
let sliHealthAlert: (id: string, reason: string, series: Record<string, string>) => Record<string, string>;

beforeAll(async () => {
  const build = await buildProject(REPO);
  expect(build.diagnostics.errors).toEqual([]);
  const rendered = build.artifacts.find((a) => a.path === outputPaths.alertmanager)!.content;

  // Alert label sets as the rules produce them.
  const alerts = build.model.alertPacks.flatMap((p) => p.groups.flatMap((g) => g.alerts));
  labelsOf = (name, series) => {
    const a = alerts.find((x) => x.name === name);
    if (!a) throw new Error(`no alert ${name} in the packs`);
    const expanded = Object.fromEntries(
      Object.entries(a.labels).map(([k, v]) => [k, v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => series[l] ?? '')]),
    );
    return { ...series, ...expanded, alertname: name };
  };
  sliHealthAlert = (id, reason, series) => {
    const slo = build.model.slos.find((s) => s.id === id);
    if (!slo) throw new Error(`no SLO ${id}`);
    const rule = generateSloRuleGroup(slo).rules.find(
      (r): r is AlertingRule => 'alert' in r && r.alert === 'SLOIndicatorBroken' && r.labels?.reason === reason,
    )!;
    return { ...seriesLabels(slo), ...series, ...rule.labels, alertname: rule.alert };
  };
  sloAlert = (id, severity, series) => {
    const slo = build.model.slos.find((s) => s.id === id);
    if (!slo) throw new Error(`no SLO ${id}`);
    const rule = generateSloRuleGroup(slo).rules.find((r): r is AlertingRule => 'alert' in r && r.labels?.severity === severity)!;
    // The burn-rate expression returns the recorded series (SLO labels, groupBy labels); the rule adds its labels.
    return { ...seriesLabels(slo), ...series, ...rule.labels, alertname: rule.alert };
  };

  // A sink for every receiver: records request bodies, answers 200.
  sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      delivered.push(`${req.url} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-inhibit-'));
  const cfg = parse(rendered) as Record<string, unknown> & {
    global: Record<string, unknown>;
    route: Record<string, unknown>;
    receivers: Record<string, unknown[] | string>[];
    templates: string[];
  };
  let secrets = 0;
  const redirectFiles = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => redirectFiles(x));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redirectFiles(x, k)]));
    if (key?.endsWith('_file') && typeof v === 'string') {
      const file = path.join(dir, `secret-${++secrets}`);
      fs.writeFileSync(file, key === 'api_url_file' ? `${sinkUrl}/slack` : 'test-secret');
      return file;
    }
    return v;
  };
  const local = redirectFiles(cfg) as typeof cfg;
  for (const r of local.receivers) {
    for (const w of (r.webhook_configs ?? []) as Record<string, unknown>[]) w.url = `${sinkUrl}/webhook`;
    for (const p of (r.pagerduty_configs ?? []) as Record<string, unknown>[]) p.url = `${sinkUrl}/pagerduty`;
  }
  local.global.smtp_smarthost = `127.0.0.1:${await freePort()}`; // nothing listens: mail fails locally
  local.route.group_wait = '1s'; // so the delivery check below does not wait 30 s
  const text = stringify(local);
  // No host to connect to is left (e-mail addresses stay: the smarthost decides where mail goes).
  expect(text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1:)|smarthost: (?!127\.0\.0\.1:)|\/etc\//);
  expect(secrets).toBe(9);
  const configFile = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, text);
  // The notification templates, where alertmanager.yml names them (relative to its directory).
  const templates = build.artifacts.find((a) => a.path === outputPaths.alertmanagerTemplates)!;
  expect(local.templates).toEqual([path.relative(path.dirname(outputPaths.alertmanager), templates.path)]);
  fs.mkdirSync(path.join(dir, path.dirname(local.templates[0]!)), { recursive: true });
  fs.writeFileSync(path.join(dir, local.templates[0]!), templates.content);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  am = spawn(
    ALERTMANAGER,
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  am.stdout!.on('data', (c: Buffer) => (amLog += c.toString()));
  am.stderr!.on('data', (c: Buffer) => (amLog += c.toString()));
  await waitFor(
    async () => (await fetch(`${base}/-/ready`).catch(() => undefined))?.ok === true,
    10_000,
    () => `Alertmanager did not become ready:\n${amLog}`,
  );
}, 30_000);

afterAll(async () => {
  am?.kill('SIGTERM');
  await new Promise<void>((resolve) => sink?.close(() => resolve()) ?? resolve());
});

async function waitFor(ok: () => Promise<boolean> | boolean, ms: number, why: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(why());
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function post(alerts: Record<string, string>[]): Promise<void> {
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  const res = await fetch(`${base}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((labels) => ({ labels, endsAt }))),
  });
  expect(res.status, await res.text()).toBe(200);
}

async function current(): Promise<Gettable[]> {
  return (await (await fetch(`${base}/api/v2/alerts`)).json()) as Gettable[];
}

const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

describe('inhibitions in the real Alertmanager', () => {
  it("mute exactly the targets that share the source's node or SLO, and nothing else", async () => {
    const gpuSeries = (node: string) => ({ Hostname: node, gpu: '0', UUID: `GPU-${node}`, instance: `${node}:9400`, job: 'gpu-exporter' });
    const nodeSeries = (node: string, job: string, port: number) => ({ job, instance: `${node}:${port}`, node });
    const sources = {
      nodeDown: labelsOf('NodeDown', nodeSeries('gpu-node-1', 'node', 9100)),
      exporterDown: labelsOf('GpuExporterDown', nodeSeries('gpu-node-3', 'gpu-exporter', 9400)),
      sloPage: sloAlert('gpu-inference-availability', 'critical', { model: 'llama-70b' }),
    };
    // Guard against the packs drifting away from what the inhibitions compare.
    expect(sources.nodeDown).toMatchObject({ alertname: 'NodeDown', node: 'gpu-node-1', severity: 'critical', component: 'host' });
    expect(sources.sloPage).toMatchObject({
      alertname: 'ErrorBudgetBurn',
      severity: 'critical',
      slo: 'gpu-inference-availability',
      model: 'llama-70b',
      team: 'ml-platform',
    });

    const targets: { name: string; labels: Record<string, string>; inhibitedBy?: keyof typeof sources }[] = [
      { name: 'GPU alert of the down node', labels: labelsOf('GpuXidDoubleBitEcc', gpuSeries('gpu-node-1')), inhibitedBy: 'nodeDown' },
      { name: 'GPU alert of another node', labels: labelsOf('GpuTemperatureHigh', gpuSeries('gpu-node-2')) },
      {
        name: 'ticket of the paging SLO (same model)',
        labels: sloAlert('gpu-inference-availability', 'warning', { model: 'llama-70b' }),
        inhibitedBy: 'sloPage',
      },
      { name: 'ticket of the paging SLO for another model', labels: sloAlert('gpu-inference-availability', 'warning', { model: 'mistral-7b' }) },
      { name: 'ticket of another SLO', labels: sloAlert('gpu-inference-latency', 'warning', { model: 'llama-70b' }) },
      {
        name: '"GPU metrics absent" under a down exporter',
        labels: labelsOf('GpuMetricsAbsent', nodeSeries('gpu-node-3', 'node', 9100)),
        inhibitedBy: 'exporterDown',
      },
      { name: '"GPU metrics absent" of a node whose exporter is up', labels: labelsOf('GpuMetricsAbsent', nodeSeries('gpu-node-2', 'node', 9100)) },
      // Warning like a ticket, but it explains the page (a broken SLI pages on healthy traffic): never muted by it.
      {
        name: 'SLOIndicatorBroken of the paging SLO (same model)',
        labels: sliHealthAlert('gpu-inference-availability', 'no_total_series', { model: 'llama-70b' }),
      },
    ];
    expect(targets[0]!.labels).toMatchObject({ node: 'gpu-node-1', component: 'gpu' });
    expect(targets[5]!.labels).toMatchObject({ alertname: 'GpuMetricsAbsent', node: 'gpu-node-3' });

    // Sources first, so the inhibitor knows them before the targets' groups flush.
    await post(Object.values(sources));
    await waitFor(
      async () => (await current()).length === 3,
      5_000,
      () => 'sources not listed',
    );
    await post(targets.map((t) => t.labels));
    const find = (list: Gettable[], labels: Record<string, string>) => list.find((a) => same(a.labels, labels));
    const expectedInhibited = targets.filter((t) => t.inhibitedBy);
    await waitFor(
      async () => {
        const list = await current();
        return list.length === 11 && expectedInhibited.every((t) => (find(list, t.labels)?.status.inhibitedBy.length ?? 0) > 0);
      },
      10_000,
      () => `inhibitions did not settle:\n${amLog}`,
    );

    const list = await current();
    const fp = Object.fromEntries(Object.entries(sources).map(([k, l]) => [k, find(list, l)!.fingerprint]));
    for (const s of Object.values(sources)) expect(find(list, s)!.status).toMatchObject({ state: 'active', inhibitedBy: [] });
    const got = targets.map((t) => ({ name: t.name, ...find(list, t.labels)!.status }));
    expect(got).toEqual(
      targets.map((t) => ({
        name: t.name,
        state: t.inhibitedBy ? 'suppressed' : 'active',
        inhibitedBy: t.inhibitedBy ? [fp[t.inhibitedBy]] : [],
        silencedBy: [],
      })),
    );
  });

  it('delivers the uninhibited GPU alerts to the local sink and never the inhibited ones', async () => {
    // group_wait is 1s; chat (Slack) titles carry the group labels: alertname, team, node.
    await waitFor(
      () => delivered.some((d) => d.includes('GpuTemperatureHigh')) && delivered.some((d) => /GpuMetricsAbsent[^"]*gpu-node-2/.test(d)),
      10_000,
      () => `nothing delivered:\n${delivered.join('\n')}\n${amLog}`,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(delivered.filter((d) => d.includes('GpuXidDoubleBitEcc'))).toEqual([]);
    expect(delivered.filter((d) => /GpuMetricsAbsent[^"]*gpu-node-3/.test(d))).toEqual([]);
    expect(delivered.some((d) => d.startsWith('/webhook ') && d.includes('"ErrorBudgetBurn"'))).toBe(true);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildProject } from '../../src/build/build-project.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { freePort } from '../support/free-port.js';
import { operatorScrapeConfig } from '../support/prometheus-operator.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Issue 11, item 7: on a kube-prometheus-stack cluster the exporter's alerts must watch the job
 * prometheus-operator actually gives the exporter. The rendered Service and ServiceMonitor are
 * turned into the scrape config the operator would generate (job from the Service name, then
 * `jobLabel`, then the endpoint's relabelings; test/support/prometheus-operator.ts), run by a real
 * Prometheus together with the rendered built-in packs. The job name is a non-default one set once
 * in vigil.config.yaml. node_exporter and kube-state-metrics are stand-in targets under the job
 * names kube-prometheus-stack gives them (the packs' defaults).
 *
 * The one change to the rendered alerts: GpuExporterDown's `for:` is 2s instead of 5m (an override
 * in the test project), so the test does not wait five minutes.
 */
const PROMETHEUS = '/usr/bin/prometheus';
const ROOT = path.resolve(import.meta.dirname, '../..');
const JOB = 'gpu-metrics';
const NODE = 'gpu-node-e2e';

const PROJECT: Record<string, string> = {
  'vigil.config.yaml': `apiVersion: vigil/v1\nkind: VigilConfig\njobs: { exporter: ${JOB} }\n`,
  'alerts/gpu.yaml': 'apiVersion: vigil/v1\nkind: AlertPack\nname: gpu\nuses: gpu\noverrides:\n  GpuExporterDown: { for: 2s }\n',
  'alerts/monitoring.yaml': 'apiVersion: vigil/v1\nkind: AlertPack\nname: monitoring\nuses: monitoring\n',
};

interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

describe('the exporter job as prometheus-operator names it, in a real Prometheus with the built-in packs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-operator-job-'));
  const children: ChildProcess[] = [];
  const standIns: http.Server[] = [];
  let exporter: ChildProcess;
  let prom = '';
  let service: { metadata: { name: string; labels: Record<string, string> } };

  const api = async <T>(p: string): Promise<T> => {
    const body = (await (await fetch(`${prom}${p}`)).json()) as { status: string; data: T };
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data;
  };
  const query = async (q: string) =>
    (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`)).result;
  const active = async () => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts.filter((a) => /Exporter|ScrapeTarget/.test(a.labels.alertname!));
  const lastEvaluations = async () => (await api<{ groups: { lastEvaluation: string }[] }>('/api/v1/rules')).groups.map((g) => Date.parse(g.lastEvaluation));
  /** Waits until every rule group has been evaluated after now, twice over. */
  const twoEvaluations = async () => {
    for (let i = 0; i < 2; i++) {
      const since = Date.now();
      await waitFor('a rule evaluation', async () => ((await lastEvaluations()).every((t) => t > since) ? true : undefined));
    }
  };

  /** An HTTP target that answers scrapes with one gauge (a node_exporter / kube-state-metrics stand-in). */
  const standIn = async (): Promise<string> => {
    const server = http.createServer((_, res) => res.end('# TYPE stand_in gauge\nstand_in 1\n'));
    standIns.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    if (!fs.existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus`);
    const root = path.join(dir, 'project');
    for (const [rel, text] of Object.entries(PROJECT)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    const build = await buildProject(root);
    expect(build.diagnostics.errors.map(formatDiagnostic)).toEqual([]);
    const artifact = (p: string) => build.artifacts.find((a) => a.path === p)!.content;
    service = parse(artifact('kubernetes/gpu-exporter/service.yaml')) as typeof service;
    const monitor = parse(artifact('kubernetes/gpu-exporter/servicemonitor.yaml')) as Parameters<typeof operatorScrapeConfig>[1];
    const rulesDir = path.join(dir, 'rules');
    fs.mkdirSync(rulesDir);
    for (const a of build.artifacts.filter((x) => /^prometheus\/rules\/.*\.alerts\.rules\.yaml$/.test(x.path)))
      fs.writeFileSync(path.join(rulesDir, path.basename(a.path)), a.content);

    const exporterPort = await freePort();
    exporter = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/run-cli.ts', 'exporter', '--source', 'simulated', '--sim-gpus', '2', '--listen', `127.0.0.1:${exporterPort}`],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(exporter);
    await waitFor('exporter', async () => ((await fetch(`http://127.0.0.1:${exporterPort}/healthz`)).ok ? true : undefined));

    const config = {
      global: { scrape_interval: '500ms', evaluation_interval: '500ms' },
      rule_files: [path.join(rulesDir, '*.yaml')],
      scrape_configs: [
        operatorScrapeConfig(service, monitor, { target: `127.0.0.1:${exporterPort}`, podNodeName: NODE }),
        { job_name: 'node-exporter', static_configs: [{ targets: [await standIn()] }] },
        { job_name: 'kube-state-metrics', static_configs: [{ targets: [await standIn()] }] },
      ],
    };
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
    const promPort = await freePort();
    children.push(
      spawn(
        PROMETHEUS,
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      ),
    );
    prom = `http://127.0.0.1:${promPort}`;
    await waitFor('prometheus ready', async () => ((await fetch(`${prom}/-/ready`)).ok ? true : undefined));
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    for (const s of standIns) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the job as configured, not after the Service, so ExporterTargetAbsent stays quiet while the exporter runs', async () => {
    // Without jobLabel the operator would name the job after the Service, which no alert selects.
    expect(service.metadata.name).not.toBe(JOB);
    const up = await waitFor('the exporter scraped', async () => {
      const r = await query('up{job=~".+"} == 1');
      return r.length === 3 ? r : undefined;
    });
    expect(up.map((s) => s.metric.job).sort()).toEqual([JOB, 'kube-state-metrics', 'node-exporter']);
    const exporterUp = up.find((s) => s.metric.job === JOB)!;
    expect(exporterUp.metric.node).toBe(NODE);
    expect((await query(`DCGM_FI_DEV_GPU_TEMP{job="${JOB}"}`)).length).toBe(2);
    await twoEvaluations();
    // Quiet: not firing, not even pending.
    expect(await active()).toEqual([]);
    expect(await query('ALERTS{alertname=~"ExporterTargetAbsent|GpuExporterDown"}')).toEqual([]);
  });

  it('fires GpuExporterDown for the node when the exporter stops, and ExporterTargetAbsent stays quiet (the target exists)', async () => {
    exporter.kill('SIGKILL');
    await waitFor('the exporter down', async () => ((await query(`up{job="${JOB}"} == 0`)).length === 1 ? true : undefined));
    const firing = await waitFor('GpuExporterDown firing', async () => {
      const a = (await active()).filter((x) => x.labels.alertname === 'GpuExporterDown' && x.state === 'firing');
      return a.length > 0 ? a : undefined;
    });
    expect(firing).toHaveLength(1);
    expect(firing[0]!.labels).toMatchObject({ job: JOB, node: NODE, severity: 'warning' });
    const names = (await active()).map((a) => `${a.labels.alertname}/${a.state}`);
    expect(names.filter((n) => !n.startsWith('GpuExporterDown/'))).toEqual([]);
  });
});

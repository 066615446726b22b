import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { buildProject } from '../../src/build/build-project.js';
import { parseDurationMs } from '../../src/runtime/duration.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ROOT = path.resolve(import.meta.dirname, '../..');
/** The GPU packs' Prometheus rule files among the render artifacts. */
const GPU_RULE_ARTIFACT = /^prometheus\/rules\/gpu[^/]*\.alerts\.rules\.yaml$/;
const HOST = 'gpu-node-e2e';
const uuid = (gpu: number) => `GPU-5a1e0000-0000-4000-8000-${gpu.toString(16).padStart(12, '0')}`;

/** Prometheus duration (`90s`, `1m`, `1h`) in ms. */
function durationMs(d: string): number {
  const ms = parseDurationMs(d);
  if (ms === undefined) throw new Error(`unexpected duration ${d}`);
  return ms;
}

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

interface RenderedRule {
  alert: string;
  expr: string;
  for?: string;
}

/** `alertname/gpu/state` of each alert, sorted: the whole set at once in failure messages. */
const summary = (alerts: PromAlert[]) => alerts.map((a) => `${a.labels.alertname}/gpu=${a.labels.gpu ?? '-'}/${a.state}`).sort();

describe("the exporter scraped by a real Prometheus running this repo's GPU alert pack", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));
  const faults = path.join(dir, 'faults.yaml');
  const rulesDir = path.join(dir, 'rules');
  const children: ChildProcess[] = [];
  let prom = '';
  /** Alerts of the rendered GPU rule files, by name. */
  const rendered = new Map<string, RenderedRule>();

  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${prom}${p}`);
    const body = (await res.json()) as { status: string; data: T };
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data;
  };
  const query = async (q: string) =>
    (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`)).result;
  const alerts = async () => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
  const rules = async () =>
    (
      await api<{
        groups: { name: string; file: string; lastEvaluation: string; rules: { name: string; health: string; lastError?: string; type: string }[] }[];
      }>('/api/v1/rules')
    ).groups;
  /** Waits until every rule group has been evaluated after `ms` (unix ms). */
  const evaluatedAfter = (ms: number) =>
    waitFor(`a rule evaluation after ${new Date(ms).toISOString()}`, async () => {
      const groups = await rules();
      return groups.length > 0 && groups.every((g) => Date.parse(g.lastEvaluation) > ms) ? groups : undefined;
    });

  beforeAll(async () => {
    if (!fs.existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus`);
    fs.writeFileSync(faults, '{}\n');
    const exporterPort = await freePort();
    const promPort = await freePort();
    const exporter = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/run-cli.ts',
        'exporter',
        '--source',
        'simulated',
        '--sim-gpus',
        '4',
        '--listen',
        `127.0.0.1:${exporterPort}`,
        '--interval',
        '300ms',
        '--faults',
        faults,
        '--hostname',
        HOST,
        '--log-level',
        'error',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(exporter);

    // This repo's rules, rendered in-process like `vigil render` (default environment, no overlay).
    const build = await buildProject(ROOT);
    expect(build.diagnostics.errors.map(formatDiagnostic)).toEqual([]);
    const artifacts = build.artifacts.filter((a) => GPU_RULE_ARTIFACT.test(a.path));
    expect(artifacts.map((a) => a.path)).toContain('prometheus/rules/gpu.alerts.rules.yaml');
    fs.mkdirSync(rulesDir);
    for (const a of artifacts) {
      fs.writeFileSync(path.join(rulesDir, path.basename(a.path)), a.content);
      const doc = parse(a.content) as { groups: { rules: RenderedRule[] }[] };
      for (const r of doc.groups.flatMap((g) => g.rules)) rendered.set(r.alert, r);
    }

    await waitFor('exporter', async () => ((await fetch(`http://127.0.0.1:${exporterPort}/healthz`)).ok ? true : undefined));
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 500ms\n  evaluation_interval: 500ms\nrule_files:\n  - ${JSON.stringify(path.join(rulesDir, '*.yaml'))}\nscrape_configs:\n  - job_name: gpu-exporter\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`,
    );
    const p = spawn(
      PROMETHEUS,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(p);
    prom = `http://127.0.0.1:${promPort}`;
    await waitFor('prometheus ready', async () => ((await fetch(`${prom}/-/ready`)).ok ? true : undefined));
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads every GPU alert and raises none while all GPUs are healthy', async () => {
    const temp = await waitFor('GPU 3 temperature', async () => {
      const r = await query('DCGM_FI_DEV_GPU_TEMP{gpu="3"}');
      return r.length === 1 ? r : undefined;
    });
    expect((await query('up{job="gpu-exporter"}'))[0]?.value[1]).toBe('1');
    expect((await query('vigil_exporter_collect_success'))[0]?.value[1]).toBe('1');
    // dcgm-exporter's defaults as Prometheus stores them: XID 0 with err_msg, GPM ratios, the driver label.
    expect((await query('DCGM_FI_DEV_XID_ERRORS{err_code="0",err_msg="No Error"} == 0')).length).toBe(4);
    expect((await query('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE >= 0 <= 1')).length).toBe(4);
    expect((await query('count(DCGM_FI_DEV_GPU_TEMP{DCGM_FI_DRIVER_VERSION="590.48.01"})'))[0]?.value[1]).toBe('4');
    // Two evaluations after the GPU series arrived, so every rule has seen healthy data.
    await evaluatedAfter(temp[0]!.value[0] * 1000);
    const groups = await evaluatedAfter(Date.now());
    const loaded = groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting'));
    expect(loaded.map((r) => r.name).sort()).toEqual([...rendered.keys()].sort());
    expect(loaded.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
    expect(summary(await alerts())).toEqual([]);
  });

  it('a lost GPU and an XID storm change the series and fire the XID alerts for those GPUs only', async () => {
    fs.writeFileSync(faults, 'lostGpus: [3]\nxidStorm:\n  - { gpu: 1, xid: 48, perCycle: 20 }\n');
    await waitFor('GPU 3 lost', async () => ((await query('vigil_gpu_lost{gpu="3",reason="GPU_IS_LOST"}')).length === 1 ? true : undefined));
    await waitFor('GPU 3 temperature gone', async () => ((await query('DCGM_FI_DEV_GPU_TEMP{gpu="3"}')).length === 0 ? true : undefined));
    const xid79 = await query('vigil_gpu_xid_errors_total{gpu="3",xid="79"}');
    expect(xid79[0]?.value[1]).toBe('1');
    const storm = await waitFor('XID storm', async () => {
      const r = await query('DCGM_EXP_XID_ERRORS_COUNT{gpu="1",xid="48"}');
      return r.length === 1 && Number(r[0]!.value[1]) >= 40 ? r : undefined;
    });
    expect(storm[0]!.metric).toMatchObject({ UUID: uuid(1), modelName: 'NVIDIA H100 80GB HBM3', window_size_in_ms: '300000' });
    expect((await query('DCGM_FI_DEV_GPU_TEMP')).length).toBe(3);

    // XID alerts have no `for:`: they fire at the first evaluation that sees the XID.
    const active = await waitFor('XID alerts firing and GpuLost pending', async () => {
      const a = await alerts();
      const s = summary(a);
      return s.includes('GpuXidDoubleBitEcc/gpu=1/firing') && s.includes('GpuFallenOffBus/gpu=3/firing') && s.includes('GpuLost/gpu=3/pending') ? a : undefined;
    });
    // Exactly these: nothing for the healthy GPUs 0 and 2, nothing else for GPUs 1 and 3.
    expect(summary(active)).toEqual(['GpuFallenOffBus/gpu=3/firing', 'GpuLost/gpu=3/pending', 'GpuXidDoubleBitEcc/gpu=1/firing']);
    const byName = new Map(active.map((a) => [a.labels.alertname!, a]));
    expect(byName.get('GpuXidDoubleBitEcc')!.labels).toMatchObject({
      gpu: '1',
      UUID: uuid(1),
      xid: '48',
      Hostname: HOST,
      node: HOST,
      severity: 'critical',
      team: 'platform-infra',
      component: 'gpu',
      job: 'gpu-exporter',
    });
    expect(byName.get('GpuXidDoubleBitEcc')!.annotations.description).toContain(`GPU 1 (${uuid(1)}) on ${HOST} reported XID 48`);
    expect(byName.get('GpuFallenOffBus')!.labels).toMatchObject({ gpu: '3', UUID: uuid(3), xid: '79', Hostname: HOST, node: HOST, severity: 'critical' });
    expect(byName.get('GpuLost')!.labels).toMatchObject({ gpu: '3', UUID: uuid(3), reason: 'GPU_IS_LOST', Hostname: HOST, node: HOST, severity: 'critical' });
    // The same through the ALERTS series Prometheus writes for firing alerts.
    const firing = await query('ALERTS{alertstate="firing"}');
    expect(firing.map((s) => `${s.metric.alertname}/gpu=${s.metric.gpu}`).sort()).toEqual(['GpuFallenOffBus/gpu=3', 'GpuXidDoubleBitEcc/gpu=1']);
  });

  // GpuLost keeps the pack's own `for: 1m` (not a pack parameter, so not overridable): this test
  // waits it out, with a timeout derived from the rendered rule.
  const lostFor = () => durationMs(rendered.get('GpuLost')?.for ?? '0s');
  it('GpuLost fires for the lost GPU once its `for:` has elapsed', { timeout: 120_000 }, async () => {
    expect(rendered.get('GpuLost')?.for).toBe('1m');
    const lost = await waitFor(
      'GpuLost firing',
      async () => (await alerts()).find((a) => a.labels.alertname === 'GpuLost' && a.state === 'firing'),
      lostFor() + 20_000,
    );
    expect(Date.now() - Date.parse(lost.activeAt)).toBeGreaterThanOrEqual(lostFor());
    expect(lost.labels).toMatchObject({ gpu: '3', UUID: uuid(3), node: HOST });
    expect(summary(await alerts())).toEqual(['GpuFallenOffBus/gpu=3/firing', 'GpuLost/gpu=3/firing', 'GpuXidDoubleBitEcc/gpu=1/firing']);
  });

  it('clearing the faults brings GPU 3 back and resolves GpuLost; the XID alerts keep firing for their hour', async () => {
    fs.writeFileSync(faults, '{}\n');
    await waitFor('GPU 3 back', async () => ((await query('DCGM_FI_DEV_GPU_TEMP{gpu="3"}')).length === 1 ? true : undefined));
    await waitFor('lost series gone', async () => ((await query('vigil_gpu_lost')).length === 0 ? true : undefined));
    expect((await query('up{job="gpu-exporter"}'))[0]?.value[1]).toBe('1');
    const after = await waitFor('GpuLost resolved', async () => {
      const a = await alerts();
      return a.some((x) => x.labels.alertname === 'GpuLost') ? undefined : a;
    });
    expect(summary(after)).toEqual(['GpuFallenOffBus/gpu=3/firing', 'GpuXidDoubleBitEcc/gpu=1/firing']);
  });

  it('keeps the target up while collections fail, and recovers', async () => {
    fs.writeFileSync(faults, 'throw: true\n');
    await waitFor('collect failure visible', async () => ((await query('vigil_exporter_collect_success == 0')).length === 1 ? true : undefined));
    await waitFor('GPU series gone', async () => ((await query('DCGM_FI_DEV_GPU_TEMP')).length === 0 ? true : undefined));
    expect((await query('up{job="gpu-exporter"}'))[0]?.value[1]).toBe('1');
    expect(Number((await query('vigil_exporter_collect_failures_total{reason="error"}'))[0]?.value[1])).toBeGreaterThan(0);
    // GpuCollectionFailing (`for: 5m`) matches this exporter's job and instance: pending, with node from the instance.
    const failing = await waitFor('GpuCollectionFailing pending', async () => (await alerts()).find((a) => a.labels.alertname === 'GpuCollectionFailing'));
    expect(failing.state).toBe('pending');
    expect(failing.labels).toMatchObject({ job: 'gpu-exporter', node: '127.0.0.1', severity: 'warning' });
    fs.writeFileSync(faults, '{}\n');
    await waitFor('recovered', async () => ((await query('DCGM_FI_DEV_GPU_TEMP')).length === 4 ? true : undefined));
    await waitFor('GpuCollectionFailing resolved', async () =>
      (await alerts()).some((a) => a.labels.alertname === 'GpuCollectionFailing') ? undefined : true,
    );
  });
});

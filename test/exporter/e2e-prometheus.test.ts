import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ROOT = path.resolve(import.meta.dirname, '../..');


async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describe('the exporter scraped by a real Prometheus', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));
  const faults = path.join(dir, 'faults.yaml');
  const children: ChildProcess[] = [];
  let prom = '';

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data.result;
  };

  beforeAll(async () => {
    if (!fs.existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus`);
    fs.writeFileSync(faults, '{}\n');
    const exporterPort = await freePort();
    const promPort = await freePort();
    const exporter = spawn(process.execPath, ['--import', 'tsx', 'exporters/gpu/scripts/run-cli.ts', 'exporter', '--source', 'simulated', '--sim-gpus', '4', '--listen', `127.0.0.1:${exporterPort}`, '--interval', '300ms', '--faults', faults, '--log-level', 'error'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(exporter);
    await waitFor('exporter', async () => ((await fetch(`http://127.0.0.1:${exporterPort}/healthz`)).ok ? true : undefined));
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 500ms\n  evaluation_interval: 500ms\nscrape_configs:\n  - job_name: gpu-exporter\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`);
    const p = spawn(PROMETHEUS, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(p);
    prom = `http://127.0.0.1:${promPort}`;
    await waitFor('prometheus ready', async () => ((await fetch(`${prom}/-/ready`)).ok ? true : undefined));
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sees GPU series, then a lost GPU and an XID storm appear and clear', async () => {
    await waitFor('GPU 3 temperature', async () => ((await query('DCGM_FI_DEV_GPU_TEMP{gpu="3"}')).length === 1 ? true : undefined));
    expect((await query('up{job="gpu-exporter"}'))[0]?.value[1]).toBe('1');
    expect((await query('vigil_exporter_collect_success'))[0]?.value[1]).toBe('1');

    fs.writeFileSync(faults, 'lostGpus: [3]\nxidStorm:\n  - { gpu: 1, xid: 48, perCycle: 20 }\n');
    await waitFor('GPU 3 lost', async () => ((await query('vigil_gpu_lost{gpu="3",reason="GPU_IS_LOST"}')).length === 1 ? true : undefined));
    await waitFor('GPU 3 temperature gone', async () => ((await query('DCGM_FI_DEV_GPU_TEMP{gpu="3"}')).length === 0 ? true : undefined));
    const xid79 = await query('vigil_gpu_xid_errors_total{gpu="3",xid="79"}');
    expect(xid79[0]?.value[1]).toBe('1');
    const storm = await waitFor('XID storm', async () => {
      const r = await query('DCGM_EXP_XID_ERRORS_COUNT{gpu="1",xid="48"}');
      return r.length === 1 && Number(r[0]!.value[1]) >= 40 ? r : undefined;
    });
    expect(storm[0]!.metric).toMatchObject({ UUID: 'GPU-5a1e0000-0000-4000-8000-000000000001', modelName: 'NVIDIA H100 80GB HBM3', window_size_in_ms: '300000' });
    expect((await query('DCGM_FI_DEV_GPU_TEMP')).length).toBe(3);

    fs.writeFileSync(faults, '{}\n');
    await waitFor('GPU 3 back', async () => ((await query('DCGM_FI_DEV_GPU_TEMP{gpu="3"}')).length === 1 ? true : undefined));
    await waitFor('lost series gone', async () => ((await query('vigil_gpu_lost')).length === 0 ? true : undefined));
    expect((await query('up{job="gpu-exporter"}'))[0]?.value[1]).toBe('1');
  });

  it('keeps the target up while collections fail, and recovers', async () => {
    fs.writeFileSync(faults, 'throw: true\n');
    await waitFor('collect failure visible', async () => ((await query('vigil_exporter_collect_success == 0')).length === 1 ? true : undefined));
    await waitFor('GPU series gone', async () => ((await query('DCGM_FI_DEV_GPU_TEMP')).length === 0 ? true : undefined));
    expect((await query('up{job="gpu-exporter"}'))[0]?.value[1]).toBe('1');
    expect(Number((await query('vigil_exporter_collect_failures_total{reason="error"}'))[0]?.value[1])).toBeGreaterThan(0);
    fs.writeFileSync(faults, '{}\n');
    await waitFor('recovered', async () => ((await query('DCGM_FI_DEV_GPU_TEMP')).length === 4 ? true : undefined));
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { startExporterService, type RunningService } from '../../exporters/gpu/service.js';
import { SimulatedSource } from '../../exporters/gpu/sources/simulated/simulated-source.js';
import { silentLogger } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('the exporter HTTP server', () => {
  let service: RunningService;
  let base: string;
  beforeAll(async () => {
    service = await startExporterService({
      source: new SimulatedSource({ gpus: 2 }),
      host: '127.0.0.1',
      port: 0,
      intervalMs: 60_000,
      hostname: 'h',
      logger: silentLogger,
    });
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => service.stop());

  it('serves the snapshot plain or gzip, identical for concurrent scrapes', async () => {
    const plain = await Promise.all([1, 2, 3].map(() => fetch(`${base}/metrics`, { headers: { 'accept-encoding': 'identity' } }).then((r) => r.text())));
    expect(new Set(plain).size).toBe(1);
    expect(plain[0]).toContain('DCGM_FI_DEV_GPU_TEMP{gpu="0"');
    const res = await fetch(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    // fetch decodes gzip itself; the raw bytes are checked against the cached buffer.
    expect(gunzipSync(service.exporter.exposition.gzip).toString()).toBe(plain[0]);
    expect(await res.text()).toBe(plain[0]);
  });

  it('answers /healthz for the process, 404 for unknown paths and 405 for other methods', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('vigil exporter', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, cwd: REPO } };
  };

  it.each([
    [['exporter'], /--source must be nvml, nvidia-smi or simulated, got nothing/],
    [['exporter', '--source', 'simulated', '--listen', 'nope'], /--listen must be HOST:PORT/],
    [['exporter', '--source', 'simulated', '--interval', 'fast'], /--interval must be a duration/],
    [['exporter', '--source', 'nvml', '--faults', 'f.yaml'], /--faults only applies to --source simulated/],
    [['exporter', '--source', 'simulated', '--bogus'], /Unknown option '--bogus'/],
    [['exporter', '--source', 'nvidia-smi', '--sim-vgpu'], /--sim-vgpu only applies to --source simulated/],
  ])('exits 2 with usage for %j', async (argv, message) => {
    const { out, io: cliIo } = io();
    expect(await run(argv, cliIo)).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).toContain('usage: vigil exporter --source');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with file:line:col diagnostics for a malformed models file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-models-'));
    fs.writeFileSync(
      path.join(dir, 'models.yaml'),
      'apiVersion: vigil/v1\nkind: ModelServers\nservers:\n  - name: Bad_Name\n    type: vllm\n    url: http://x/metrics\n',
    );
    const { out, io: cliIo } = io();
    expect(await run(['exporter', '--source', 'simulated', '--models', 'models.yaml', '--once'], { ...cliIo, cwd: dir })).toBe(1);
    expect(out.stderr).toContain('models.yaml:4:11: error EXP004: servers[0].name: "Bad_Name" does not match');
    expect(out.stdout).toBe('');
  });

  it('prints one snapshot with --once and exits 0', async () => {
    const { out, io: cliIo } = io();
    expect(await run(['exporter', '--source', 'simulated', '--sim-gpus', '8', '--sim-mig-gpus', '2', '--once', '--log-level', 'silent'], cliIo)).toBe(0);
    expect(out.stdout).toMatch(/^vigil_exporter_collect_success 1$/m);
    // Default layout: 3g.40gb, 2g.20gb and two 1g.10gb per MIG GPU.
    expect(out.stdout.match(/^vigil_gpu_mig_info\{/gm)).toHaveLength(8);
  });

  it('lays out simulated MIG GPUs from --sim-mig-profiles, and rejects a malformed profile list', async () => {
    const { out, io: cliIo } = io();
    const args = ['exporter', '--source', 'simulated', '--sim-gpus', '2', '--sim-mig-gpus', '1', '--once', '--log-level', 'silent'];
    expect(await run([...args, '--sim-mig-profiles', Array(7).fill('1g.10gb').join(',')], cliIo)).toBe(0);
    expect(out.stdout.match(/^vigil_gpu_mig_info\{[^}]*GPU_I_PROFILE="1g\.10gb"/gm)).toHaveLength(7);
    const bad = io();
    expect(await run([...args, '--sim-mig-profiles', '1g.10gb,big'], bad.io)).toBe(2);
    expect(bad.out.stderr).toContain('--sim-mig-profiles must be up to 16 comma-separated MIG profiles like 1g.10gb, got "1g.10gb,big"');
  });

  it('puts DCGM_FI_DRIVER_VERSION on GPU series unless --no-driver-version-label; --sim-vgpu adds the licence', async () => {
    const a = io();
    expect(await run(['exporter', '--source', 'simulated', '--sim-gpus', '1', '--sim-vgpu', '--once', '--log-level', 'silent'], a.io)).toBe(0);
    expect(a.out.stdout).toMatch(/^DCGM_FI_DEV_GPU_TEMP\{gpu="0",[^}]*,DCGM_FI_DRIVER_VERSION="590\.48\.01"\} \d+$/m);
    expect(a.out.stdout).toMatch(/^DCGM_FI_DEV_VGPU_LICENSE_STATUS\{gpu="0",[^}]*\} 1$/m);
    const b = io();
    expect(await run(['exporter', '--source', 'simulated', '--sim-gpus', '1', '--no-driver-version-label', '--once', '--log-level', 'silent'], b.io)).toBe(0);
    expect(b.out.stdout).toMatch(/^DCGM_FI_DEV_GPU_TEMP\{gpu="0",[^}]*\} \d+$/m);
    expect(b.out.stdout).not.toContain('DCGM_FI_DRIVER_VERSION');
    expect(b.out.stdout).not.toContain('DCGM_FI_DEV_VGPU_LICENSE_STATUS');
  });

  it('serves until io.signal aborts, then shuts down', async () => {
    const { out, io: cliIo } = io();
    const ac = new AbortController();
    const done = run(['exporter', '--source', 'simulated', '--listen', '127.0.0.1:0', '--log-level', 'silent'], { ...cliIo, signal: ac.signal });
    for (let i = 0; i < 100 && !out.stdout.includes('listening'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /http:\/\/\S+/.exec(out.stdout)![0];
    expect((await fetch(url)).status).toBe(200);
    ac.abort();
    expect(await done).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});

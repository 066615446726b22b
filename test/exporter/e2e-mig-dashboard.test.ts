import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpuFleetDashboard } from '../../src/dashboards/builtin/gpu-fleet.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLUSTER = 'lab';

/**
 * What dcgm-exporter serves for a MIG GPU: instance rows only (no row for the GPU itself), with
 * the parent's gpu/UUID. Two instances of GPU 0 on node `dcgm-node`.
 */
const DCGM_MIG_NODE = ['2', '9']
  .map((id, k) => {
    const labels = `gpu="0",UUID="GPU-dcgm",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="${k === 0 ? '3g.40gb' : '1g.10gb'}",GPU_I_ID="${id}",Hostname="dcgm-node"`;
    return `DCGM_FI_DEV_FB_USED{${labels}} ${1000 * (k + 1)}\nDCGM_FI_DEV_FB_FREE{${labels}} ${5000 * (k + 1)}\nDCGM_FI_PROF_GR_ENGINE_ACTIVE{${labels}} 0.25\n`;
  })
  .join('');

interface Target {
  expr?: string;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
}

/** Grafana's "All" and built-in variables, as the dashboard would send them. */
const substitute = (q: string) =>
  q.replaceAll('$__rate_interval', '5s').replaceAll('$__range', '30s').replaceAll('$cluster', '.*').replaceAll('$Hostname', '.*').replaceAll('$gpu', '.*');

const panels = (gpuFleetDashboard.panels ?? []) as Panel[];
/** Panels of a row (the panels between its row panel and the next). */
function rowPanels(title: string): Panel[] {
  const start = panels.findIndex((p) => p.type === 'row' && p.title === title);
  const end = panels.findIndex((p, i) => i > start && p.type === 'row');
  return panels.slice(start + 1, end < 0 ? undefined : end);
}
const panel = (title: string) => {
  const p = panels.find((x) => x.title === title && x.type !== 'row');
  if (!p) throw new Error(`no panel ${title}`);
  return p;
};
const exprs = (p: Panel) => (p.targets ?? []).map((t) => substitute(t.expr ?? ''));

describe('the GPU fleet dashboard against a real Prometheus scraping MIG nodes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-mig-e2e-'));
  const faults = path.join(dir, 'faults.yaml');
  const children: ChildProcess[] = [];
  let dcgm: http.Server | undefined;
  let prom = '';

  const api = async <T>(p: string): Promise<T> => {
    const body = (await (await fetch(`${prom}${p}`)).json()) as { status: string; data: T };
    if (body.status !== 'success') throw new Error(`${p}: ${JSON.stringify(body)}`);
    return body.data;
  };
  const query = async (q: string) =>
    (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`)).result;
  /** What Grafana's `label_values(selector, label)` lists. */
  const labelValues = async (variable: string) => {
    const v = (gpuFleetDashboard.templating?.list ?? []).find((x) => x.name === variable);
    const q = typeof v?.query === 'string' ? v.query : '';
    const m = /^label_values\((.*), (\w+)\)$/.exec(q);
    if (!m) throw new Error(`variable ${variable} is not a label_values query: ${q}`);
    return api<string[]>(`/api/v1/label/${m[2]}/values?match[]=${encodeURIComponent(substitute(m[1]!))}`);
  };

  beforeAll(async () => {
    if (!fs.existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus`);
    fs.writeFileSync(faults, '{}\n');
    // node-mixed: 4 GPUs, the first 2 in MIG mode; node-mig: 2 GPUs, both MIG (a MIG-only node).
    const nodes = [
      { host: 'node-mixed', gpus: '4', mig: '2', port: await freePort() },
      { host: 'node-mig', gpus: '2', mig: '2', port: await freePort() },
    ];
    for (const n of nodes) {
      const args = ['--import', 'tsx', 'scripts/run-cli.ts', 'exporter', '--source', 'simulated', '--sim-gpus', n.gpus, '--sim-mig-gpus', n.mig];
      args.push('--listen', `127.0.0.1:${n.port}`, '--interval', '300ms', '--hostname', n.host, '--faults', faults, '--log-level', 'error');
      children.push(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }));
    }
    const dcgmPort = await freePort();
    dcgm = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(DCGM_MIG_NODE));
    await new Promise<void>((r) => dcgm!.listen(dcgmPort, '127.0.0.1', r));
    const promPort = await freePort();
    const targets = [...nodes.map((n) => n.port), dcgmPort].map((p) => `'127.0.0.1:${p}'`).join(', ');
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 500ms\nscrape_configs:\n  - job_name: gpu\n    static_configs:\n      - targets: [${targets}]\n        labels: { cluster: ${CLUSTER} }\n`,
    );
    for (const n of nodes) await waitFor(`exporter ${n.host}`, async () => ((await fetch(`http://127.0.0.1:${n.port}/healthz`)).ok ? true : undefined));
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
    // Every target scraped at least twice, so rate() and the per-GPU queries have data.
    await waitFor('three targets up twice', async () => {
      const r = await query('count_over_time(up{job="gpu"}[1m]) >= 2');
      return r.length === 3 ? true : undefined;
    });
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    await new Promise((r) => (dcgm ? dcgm.close(r) : r(null)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every cluster, node and GPU in the pickers, MIG-only nodes included', async () => {
    expect(await labelValues('cluster')).toEqual([CLUSTER]);
    expect(await labelValues('Hostname')).toEqual(['dcgm-node', 'node-mig', 'node-mixed']);
    expect(await labelValues('gpu')).toEqual(['0', '1', '2', '3']);
  });

  it('counts every GPU once in "GPUs reporting": 4 + 2 simulated (4 of them MIG) + 1 dcgm-exporter MIG GPU', async () => {
    const [q] = exprs(panel('GPUs reporting'));
    expect((await query(q!)).map((s) => s.value[1])).toEqual(['7']);
  });

  it('has one framebuffer row per GPU, never a GPU row plus its instances', async () => {
    for (const title of ['Framebuffer used', 'Framebuffer free']) {
      const p = panels.find((x) => x.title === title && x.type === 'timeseries')!;
      const rows = await query(exprs(p)[0]!);
      const keys = rows.map((s) => `${s.metric.Hostname}/${s.metric.gpu}`).sort();
      expect(keys, title).toEqual(['dcgm-node/0', 'node-mig/0', 'node-mig/1', 'node-mixed/0', 'node-mixed/1', 'node-mixed/2', 'node-mixed/3']);
    }
    const used = await query(exprs(panels.find((x) => x.title === 'Framebuffer used' && x.type === 'timeseries')!)[0]!);
    // The dcgm-exporter GPU has only instance rows: their sum stands for it.
    expect(used.find((s) => s.metric.Hostname === 'dcgm-node')!.value[1]).toBe('3000');
    // A simulated MIG GPU: its own row (which equals its instances' sum), not twice that.
    const own = await query('DCGM_FI_DEV_FB_USED{Hostname="node-mig", gpu="1", GPU_I_ID=""}');
    expect(used.find((s) => s.metric.Hostname === 'node-mig' && s.metric.gpu === '1')!.value[1]).toBe(own[0]!.value[1]);
    const [ratio] = await query(exprs(panel('Framebuffer used'))[0]!);
    expect(Number(ratio!.value[1])).toBeGreaterThan(0);
    expect(Number(ratio!.value[1])).toBeLessThan(1);
  });

  it('shows every MIG instance in each MIG panel query', async () => {
    const mig = rowPanels('MIG');
    expect(mig.map((p) => p.title)).toEqual(['MIG instances', 'MIG instance utilization', 'MIG instance memory used']);
    // 4 MIG GPUs x 4 instances (3g.40gb, 2g.20gb, 1g.10gb x 2) simulated, plus 2 dcgm-exporter instances.
    const expected = { 'MIG instances': 16, 'MIG instance utilization': 18, 'MIG instance memory used': 18 };
    for (const p of mig) {
      for (const q of exprs(p)) {
        const rows = await query(q);
        expect(rows.length, `${p.title}: ${q}`).toBe(expected[p.title as keyof typeof expected]);
        expect(rows.every((s) => s.metric.GPU_I_ID !== undefined && s.metric.GPU_I_PROFILE !== undefined)).toBe(true);
        for (const s of rows) if (p.title !== 'MIG instances') expect(Number(s.value[1])).toBeGreaterThanOrEqual(0);
      }
    }
    const profiles = (await query(exprs(panel('MIG instances'))[0]!)).filter((s) => s.metric.Hostname === 'node-mig' && s.metric.gpu === '0');
    expect(profiles.map((s) => `${s.metric.GPU_I_ID}:${s.metric.GPU_I_PROFILE}`).sort()).toEqual(['2:3g.40gb', '3:2g.20gb', '7:1g.10gb', '8:1g.10gb']);
  });

  it('every query of the Fleet, Memory and MIG rows returns data', async () => {
    for (const row of ['Fleet', 'Memory', 'MIG'])
      for (const p of rowPanels(row)) for (const q of exprs(p)) expect((await query(q)).length, `${row} / ${p.title}: ${q}`).toBeGreaterThan(0);
  });

  it('drops a destroyed MIG instance from the MIG panels and keeps counting its GPU', async () => {
    fs.writeFileSync(faults, 'migInstancesGone: [{ gpu: 1, gpuInstanceId: 3 }]\n');
    const util = exprs(panel('MIG instance utilization'))[0]!;
    // Both simulated nodes read the faults file: GPU 1 of each loses instance 3.
    await waitFor('instance 3 of GPU 1 gone', async () => ((await query(util)).length === 16 ? true : undefined));
    expect(await query(`${util.replace('GPU_I_ID!=""', 'GPU_I_ID="3", gpu="1"')}`)).toEqual([]);
    expect((await query(exprs(panel('GPUs reporting'))[0]!))[0]!.value[1]).toBe('7');
  });
});

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SIMULATED_FLEET,
  gpuFleetDashboard,
  nvidiaDashboard,
  startGpuStack,
  withData,
  type DashboardQueries,
  type GpuStack,
} from '../support/gpu-dashboards.js';

/**
 * Panels of NVIDIA's dcgm-exporter dashboard (current version, see the fixture) that must show
 * data today. Missing: "GPU Utilization" (DCGM_FI_PROF_GR_ENGINE_ACTIVE) and "Tensor Core
 * Utilization" (DCGM_FI_PROF_PIPE_TENSOR_ACTIVE), which come with the GPM profiling metrics
 * (issue 12, item 2); merging them adds both titles here, for 8/8.
 */
export const EXPECTED_NVIDIA_PANELS_WITH_DATA = [
  'GPU Temperature',
  'GPU Avg. Temp',
  'GPU Power Usage',
  'GPU Power Total',
  'GPU SM Clocks',
  'GPU Framebuffer Mem Used',
  // DCGM_FI_PROF_GR_ENGINE_ACTIVE and DCGM_FI_PROF_PIPE_TENSOR_ACTIVE, from NVML GPM (issue 12, item 2).
  'GPU Utilization',
  'Tensor Core Utilization',
];
/** Every panel of the legacy version has data too (its GPU Utilization reads DCGM_FI_DEV_GPU_UTIL). */
const LEGACY_ONLY_PANELS_WITH_DATA: string[] = [];

/** Panels of this repo's GPU fleet dashboard with no data on SIMULATED_FLEET: none (MIG panels included). */
export const EXPECTED_FLEET_PANELS_WITHOUT_DATA: string[] = [];
/** Values of the fleet dashboard's `gpu` variable: every GPU, MIG ones included (filled from DCGM_FI_DEV_FB_USED). */
export const EXPECTED_FLEET_GPU_VARIABLE_VALUES = ['0', '1', '2', '3', '4', '5', '6', '7'];

const HOST = SIMULATED_FLEET.hostname;
const GPUS = SIMULATED_FLEET.simGpus;
const TRITON_FIXTURE = fs.readFileSync(path.join(import.meta.dirname, 'fixtures/model-servers/triton-trtllm.prom'), 'utf8');

describe("NVIDIA's dcgm-exporter dashboard and this repo's GPU fleet dashboard on a real Prometheus scraping the simulated exporter", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-gpu-dash-test-'));
  let stack: GpuStack;
  let fleet: DashboardQueries;
  let triton: http.Server;
  /** The exposition the fake Triton serves; tests change it. */
  let tritonText = TRITON_FIXTURE;

  beforeAll(async () => {
    fleet = await gpuFleetDashboard();
    triton = http.createServer((_q, res) => res.end(tritonText));
    await new Promise<void>((r) => triton.listen(0, '127.0.0.1', r));
    const models = path.join(dir, 'models.yaml');
    fs.writeFileSync(
      models,
      [
        'apiVersion: vigil/v1',
        'kind: ModelServers',
        'scrapeInterval: 300ms',
        'scrapeTimeout: 250ms',
        'servers:',
        '  - name: triton',
        '    type: triton',
        `    url: http://127.0.0.1:${(triton.address() as AddressInfo).port}/metrics`,
        '',
      ].join('\n'),
    );
    stack = await startGpuStack({ ...SIMULATED_FLEET, modelsFile: models });
  });

  afterAll(async () => {
    await stack?.stop();
    triton?.closeAllConnections();
    triton?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('NVIDIA dashboard (current): the expected panels have data, the rest none, and its variables list every node and GPU', async () => {
    const d = nvidiaDashboard('current');
    expect(d.panels).toHaveLength(8);
    const c = await stack.coverage(d);
    expect(withData(c)).toEqual(d.panels.map((p) => p.title).filter((t) => EXPECTED_NVIDIA_PANELS_WITH_DATA.includes(t)));
    expect(EXPECTED_NVIDIA_PANELS_WITH_DATA.every((t) => d.panels.some((p) => p.title === t))).toBe(true);
    expect(Object.fromEntries(c.variables.map((v) => [v.name, v.values]))).toEqual({
      Hostname: [HOST],
      gpu: Array.from({ length: GPUS }, (_, i) => String(i)),
    });
  });

  it('NVIDIA dashboard (legacy): every panel has data, GPU Utilization from DCGM_FI_DEV_GPU_UTIL', async () => {
    const d = nvidiaDashboard('legacy');
    expect(d.panels).toHaveLength(8);
    const expected = new Set([...EXPECTED_NVIDIA_PANELS_WITH_DATA, ...LEGACY_ONLY_PANELS_WITH_DATA]);
    const c = await stack.coverage(d);
    expect(withData(c)).toEqual(d.panels.map((p) => p.title).filter((t) => expected.has(t)));
    expect(c.variables.find((v) => v.name === 'gpu')?.values).toHaveLength(GPUS);
  });

  it('GPU fleet dashboard: every panel but the expected ones has data, and the node picker lists the node', async () => {
    expect(fleet.panels.length).toBeGreaterThan(10);
    expect(fleet.panels.every((p) => p.exprs.length > 0)).toBe(true);
    const c = await stack.coverage(fleet);
    expect(c.panels.filter((p) => !p.hasData).map((p) => p.title)).toEqual(EXPECTED_FLEET_PANELS_WITHOUT_DATA);
    const vars = Object.fromEntries(c.variables.map((v) => [v.name, v.values]));
    expect(vars.Hostname).toEqual([HOST]);
    expect(vars.gpu).toEqual(EXPECTED_FLEET_GPU_VARIABLE_VALUES);
  });

  it("vigil_model_queue_depth follows a TensorRT-LLM model's waiting requests while Triton's pending count reads 0", async () => {
    const series = async (q: string) => Object.fromEntries((await stack.query(q)).map((s) => [s.metric.model!, Number(s.value[1])]));
    await expect
      .poll(() => series('vigil_model_queue_depth{server="triton"}'), { timeout: 15_000, interval: 250 })
      .toEqual({
        ensemble: 0,
        postprocessing: 0,
        preprocessing: 0,
        resnet50: 3,
        tensorrt_llm: 6,
      });
    expect(await series('vigil_model_requests_running{server="triton"}')).toEqual({ tensorrt_llm: 8 });
    expect(await series('vigil_model_up{server="triton"} == 1')).toEqual({ ensemble: 1, postprocessing: 1, preprocessing: 1, resnet50: 1, tensorrt_llm: 1 });

    // The backlog grows inside the batcher; Triton's own gauge for the model stays at 0.
    expect(TRITON_FIXTURE).toContain('nv_inference_pending_request_count{model="tensorrt_llm",version="1"} 0');
    tritonText = TRITON_FIXTURE.replace('request_type="waiting",version="1"} 6', 'request_type="waiting",version="1"} 23');
    expect(tritonText).not.toBe(TRITON_FIXTURE);
    await expect
      .poll(() => series('vigil_model_queue_depth{server="triton",model="tensorrt_llm"}'), { timeout: 15_000, interval: 250 })
      .toEqual({ tensorrt_llm: 23 });
  });
});

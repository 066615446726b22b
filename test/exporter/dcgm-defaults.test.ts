/**
 * dcgm-exporter's default counters (etc/default-counters.csv, copied in fixtures/dcgm-exporter)
 * against what this exporter produces: names, TYPE and HELP as dcgm-exporter declares them, and the
 * `label`-type field on every GPU series. The simulated source covers all 26 (vGPU licence on a
 * simulated vGPU guest); the nvidia-smi source cannot give the ones listed in NVIDIA_SMI_CANNOT.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedSource } from '../../exporters/gpu/sources/simulated/simulated-source.js';
import { NvidiaSmiSource } from '../../exporters/gpu/sources/nvidia-smi/nvidia-smi-source.js';
import { DEFAULT_COUNTERS as DEFAULTS, H100_LOAD_CAPTURE, dcgmCoverage as coverage, replayQueryGpu as replay } from '../support/dcgm-coverage.js';
import { makeExporter, seriesValue } from './helpers.js';

const H100_LOAD = H100_LOAD_CAPTURE;

/** What the nvidia-smi source cannot give, and why (documented in README.md). */
const NVIDIA_SMI_CANNOT = [
  'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', // no energy counter in --query-gpu
  'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', // no replay counter in --query-gpu
  'DCGM_FI_DEV_XID_ERRORS', // nvidia-smi does not report XID events
  'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', // NVLink counters only in `nvidia-smi nvlink`, not --query-gpu
  'DCGM_FI_DEV_VGPU_LICENSE_STATUS', // a bare-metal capture; vGPU licence is not a --query-gpu field
  'DCGM_FI_PROF_GR_ENGINE_ACTIVE', // profiling metrics need GPM (NVML) or DCGM
  'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
  'DCGM_FI_PROF_DRAM_ACTIVE',
  'DCGM_FI_PROF_PCIE_TX_BYTES',
  'DCGM_FI_PROF_PCIE_RX_BYTES',
];

describe("dcgm-exporter's default counters", () => {
  it('are the 26 enabled lines of default-counters.csv', () => {
    expect(DEFAULTS).toHaveLength(26);
    expect(DEFAULTS.filter((c) => c.type === 'label').map((c) => c.name)).toEqual(['DCGM_FI_DRIVER_VERSION']);
  });

  it('are all covered by the simulated source on a vGPU guest, with dcgm-exporter types and help', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 2, vgpu: true }));
    await exporter.sampleOnce();
    const { covered, missing } = coverage(exporter.exposition.body.toString());
    expect(missing).toEqual({});
    expect(covered).toHaveLength(26);
  });

  it('leave the vGPU licence out on bare metal (25 of 26), and everything else in', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 2 }));
    await exporter.sampleOnce();
    expect(coverage(exporter.exposition.body.toString()).missing).toEqual({ DCGM_FI_DEV_VGPU_LICENSE_STATUS: 'no series' });
  });

  it('are covered by the nvidia-smi source except the ones it cannot read (16 of 26 on a real H100 capture)', async () => {
    const exporter = makeExporter(new NvidiaSmiSource({}, replay(H100_LOAD)));
    expect((await exporter.sampleOnce()).collected).toBe(true);
    const { covered, missing } = coverage(exporter.exposition.body.toString());
    expect(Object.keys(missing).sort()).toEqual([...NVIDIA_SMI_CANNOT].sort());
    expect(Object.values(missing).every((why) => why === 'no series')).toBe(true);
    expect(covered).toHaveLength(26 - NVIDIA_SMI_CANNOT.length);
  });

  it('lose only the driver-version label with driverVersionLabel: false', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 1, vgpu: true }), { driverVersionLabel: false });
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(text).not.toContain('DCGM_FI_DRIVER_VERSION');
    const gpuSeries = text.split('\n').filter((l) => /^\w+\{gpu="/.test(l)).length;
    expect(gpuSeries).toBeGreaterThan(40);
    expect(coverage(text).missing).toEqual({ DCGM_FI_DRIVER_VERSION: `label missing on ${gpuSeries} of ${gpuSeries} GPU series` });
  });
});

describe('DCGM_FI_DEV_XID_ERRORS', () => {
  it('is 0 with err_code 0 and err_msg "No Error" on every GPU before its first XID, then the last XID with its message', async () => {
    let faults = {};
    const exporter = makeExporter(new SimulatedSource({ gpus: 3, faults: () => faults }));
    await exporter.sampleOnce();
    let text = exporter.exposition.body.toString();
    for (const gpu of ['0', '1', '2']) expect(seriesValue(text, 'DCGM_FI_DEV_XID_ERRORS', { gpu, err_code: '0', err_msg: 'No Error' })).toBe(0);
    expect(text.match(/^DCGM_FI_DEV_XID_ERRORS\{/gm)).toHaveLength(3);
    faults = { xidStorm: [{ gpu: 1, xid: 48, perCycle: 1 }] };
    await exporter.sampleOnce();
    faults = { xidStorm: [{ gpu: 1, xid: 999, perCycle: 1 }] };
    await exporter.sampleOnce();
    text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_XID_ERRORS', { gpu: '1', err_code: '999', err_msg: 'Unknown Error' })).toBe(999);
    expect(seriesValue(text, 'DCGM_FI_DEV_XID_ERRORS', { gpu: '0', err_code: '0' })).toBe(0);
    // One series per GPU, in GPU order, with the dcgm labels and the driver version.
    const lines = text.split('\n').filter((l) => l.startsWith('DCGM_FI_DEV_XID_ERRORS{'));
    expect(lines.map((l) => /gpu="(\d+)"/.exec(l)![1])).toEqual(['0', '1', '2']);
    expect(lines[1]).toContain('Hostname="node-a",err_code="999",err_msg="Unknown Error",DCGM_FI_DRIVER_VERSION="590.48.01"}');
    faults = { xidStorm: [{ gpu: 2, xid: 79, perCycle: 1 }] };
    await exporter.sampleOnce();
    text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_XID_ERRORS', { gpu: '2', err_code: '79', err_msg: 'GPU has fallen off the bus' })).toBe(79);
  });

  it('keeps XID series and their driver-version label while collections fail', async () => {
    let faults: object = { xidStorm: [{ gpu: 0, xid: 48, perCycle: 1 }] };
    const exporter = makeExporter(new SimulatedSource({ gpus: 2, faults: () => faults }));
    await exporter.sampleOnce();
    faults = { throw: true };
    expect((await exporter.sampleOnce()).collected).toBe(false);
    const text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_XID_ERRORS', { gpu: '0', err_msg: 'Double Bit ECC Error', DCGM_FI_DRIVER_VERSION: '590.48.01' })).toBe(48);
    // GPU 1 had no XID: nothing is known about it while collections fail.
    expect(seriesValue(text, 'DCGM_FI_DEV_XID_ERRORS', { gpu: '1' })).toBeUndefined();
  });

  it('is not exported by a source that does not watch XIDs (nvidia-smi): 0 would claim there was none', async () => {
    const exporter = makeExporter(new NvidiaSmiSource({}, replay(H100_LOAD)));
    await exporter.sampleOnce();
    expect(exporter.exposition.body.toString()).not.toContain('DCGM_FI_DEV_XID_ERRORS{');
  });
});

describe('the simulated source with GPM, NVLink and vGPU faults', () => {
  it('produces plausible profiling values and drops the series a fault makes unsupported', async () => {
    let faults: object = {};
    const exporter = makeExporter(new SimulatedSource({ gpus: 4, vgpu: true, faults: () => faults }));
    await exporter.sampleOnce();
    let text = exporter.exposition.body.toString();
    for (const gpu of ['0', '1', '2', '3']) {
      for (const name of ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_PROF_SM_ACTIVE', 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'DCGM_FI_PROF_DRAM_ACTIVE']) {
        const v = seriesValue(text, name, { gpu });
        expect(v, `${name} gpu ${gpu}`).toBeGreaterThanOrEqual(0);
        expect(v, `${name} gpu ${gpu}`).toBeLessThanOrEqual(1);
      }
      expect(seriesValue(text, 'DCGM_FI_PROF_PCIE_RX_BYTES', { gpu })).toBeGreaterThan(1e7);
    }
    // GPU 0 runs a steady training job, GPU 3 idles.
    expect(seriesValue(text, 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', { gpu: '0' })).toBeGreaterThan(0.8);
    expect(seriesValue(text, 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', { gpu: '3' })).toBeLessThan(0.05);
    expect(seriesValue(text, 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', { gpu: '0' })).toBeLessThan(seriesValue(text, 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', { gpu: '0' })!);
    expect(seriesValue(text, 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', { gpu: '0' })).toBeGreaterThan(0);
    expect(seriesValue(text, 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', { gpu: '2' })).toBe(1);

    faults = { gpmUnsupported: [1], nvlinkDown: [2], vgpuUnlicensed: [3] };
    await exporter.sampleOnce();
    text = exporter.exposition.body.toString();
    expect(text.match(/^DCGM_FI_PROF_[A-Z_]+\{gpu="1"/gm)).toBeNull();
    expect(seriesValue(text, 'DCGM_FI_PROF_SM_ACTIVE', { gpu: '0' })).toBeTypeOf('number');
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_TEMP', { gpu: '1' })).toBeTypeOf('number');
    expect(seriesValue(text, 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', { gpu: '2' })).toBeUndefined();
    expect(seriesValue(text, 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', { gpu: '1' })).toBeTypeOf('number');
    expect(seriesValue(text, 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', { gpu: '3' })).toBe(0);
    expect(seriesValue(text, 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', { gpu: '2' })).toBe(1);
  });

  it('has no NVLink on a PCIe board and no vGPU licence without --sim-vgpu', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 1, model: 'NVIDIA L40S' }));
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(text).not.toContain('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL{');
    expect(text).not.toContain('DCGM_FI_DEV_VGPU_LICENSE_STATUS{');
  });
});

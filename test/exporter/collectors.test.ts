import { describe, expect, it } from 'vitest';
import { SimulatedSource } from '../../exporters/gpu/sources/simulated/simulated-source.js';
import { EXPORTER_METRICS, EXPORTER_METRIC_NAMES } from '../../exporters/gpu/metric-catalog.js';
import { renderFamilies } from '../../exporters/gpu/exposition.js';
import { collectModels } from '../../exporters/gpu/collectors/models.js';
import { sanitizeSnapshot } from '../../exporters/gpu/sanitize-snapshot.js';
import { makeExporter, seriesValue } from './helpers.js';

describe('GPU collectors', () => {
  it('label every GPU series with the dcgm-exporter label set, driver version included', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 2, now: () => 1_700_000_000_000 }));
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(text).toContain(
      'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-5a1e0000-0000-4000-8000-000000000000",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="node-a",DCGM_FI_DRIVER_VERSION="590.48.01"}',
    );
    expect(text).toContain('# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter');
    expect(text).toContain('# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).');
    expect(seriesValue(text, 'DCGM_FI_DEV_POWER_MGMT_LIMIT', { gpu: '1' })).toBe(700);
    expect(seriesValue(text, 'vigil_gpu_info', { gpu: '0', driver_version: '590.48.01', cuda_version: '13.1' })).toBe(1);
  });

  it('leave utilization absent on MIG GPUs and export MIG memory with GPU_I_PROFILE and GPU_I_ID', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 2, migGpus: 1 }));
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_UTIL', { gpu: '0' })).toBeUndefined();
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_UTIL', { gpu: '1' })).toBeTypeOf('number');
    expect(seriesValue(text, 'DCGM_FI_DEV_FB_TOTAL', { gpu: '0', GPU_I_PROFILE: '1g.10gb', GPU_I_ID: '8' })).toBe(9856);
    expect(text.match(/^vigil_gpu_mig_info\{/gm)).toHaveLength(4);
  });

  it('simulate a MIG GPU with mixed profiles, per-instance activity, and a whole-GPU framebuffer equal to its instances', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 2, migGpus: 1 }));
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    const instances = [...text.matchAll(/^vigil_gpu_mig_info\{[^}]*gpu="0"[^}]*GPU_I_PROFILE="([^"]+)",GPU_I_ID="(\d+)"/gm)].map((m) => `${m[2]}:${m[1]}`);
    expect(instances).toEqual(['2:3g.40gb', '3:2g.20gb', '7:1g.10gb', '8:1g.10gb']);
    const instanceUsed = ['2', '3', '7', '8'].map((id) => seriesValue(text, 'DCGM_FI_DEV_FB_USED', { gpu: '0', GPU_I_ID: id })!);
    const whole = [...text.matchAll(/^DCGM_FI_DEV_FB_USED\{(?![^}]*GPU_I_ID)[^}]*gpu="0"[^}]*\} (\S+)$/gm)].map((m) => Number(m[1]));
    expect(whole).toEqual([instanceUsed.reduce((a, b) => a + b, 0)]);
    for (const id of ['2', '3', '7', '8']) {
      const v = seriesValue(text, 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', { gpu: '0', GPU_I_ID: id });
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // The GPU without MIG has whole-GPU activity (simulated GPM) and no instance rows.
    const gpu1 = [...text.matchAll(/^DCGM_FI_PROF_GR_ENGINE_ACTIVE\{([^}]*gpu="1"[^}]*)\} (\S+)$/gm)];
    expect(gpu1).toHaveLength(1);
    expect(gpu1[0]![1]).not.toContain('GPU_I_ID');
    expect(Number(gpu1[0]![2])).toBeGreaterThanOrEqual(0);
    expect(Number(gpu1[0]![2])).toBeLessThanOrEqual(1);
  });

  it('keep one row per MIG GPU instance and drop activity readings outside 0-1', () => {
    const device = { index: 0, uuid: 'GPU-a', pciBusId: '', name: 'H100', fields: {} };
    const mig = [
      { gpuInstanceId: 2, profile: '3g.40gb', fbUsed: 10, activity: { grEngineActive: 0.5, pipeTensorActive: 1.5, dramActive: Number.NaN } },
      { gpuInstanceId: 2, profile: '3g.40gb', fbUsed: 10 },
      { gpuInstanceId: 9, profile: '1g.10gb', activity: { grEngineActive: -0.1 } },
    ];
    const { snapshot, dropped } = sanitizeSnapshot({ devices: [{ ...device, mig }], lost: [], xidEvents: [] });
    expect(snapshot.devices[0]!.mig).toEqual([
      { gpuInstanceId: 2, profile: '3g.40gb', fbUsed: 10, activity: { grEngineActive: 0.5 } },
      { gpuInstanceId: 9, profile: '1g.10gb' },
    ]);
    // The duplicate GPU instance and the three readings outside 0-1.
    expect(dropped).toBe(4);
  });

  it('drop the series of a destroyed MIG instance and keep its siblings', async () => {
    let gone: { gpu: number; gpuInstanceId: number }[] = [];
    const exporter = makeExporter(new SimulatedSource({ gpus: 2, migGpus: 2, faults: () => ({ migInstancesGone: gone }) }));
    gone = [{ gpu: 1, gpuInstanceId: 3 }];
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_FB_USED', { gpu: '1', GPU_I_ID: '3' })).toBeUndefined();
    expect(seriesValue(text, 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', { gpu: '1', GPU_I_ID: '3' })).toBeUndefined();
    expect(seriesValue(text, 'DCGM_FI_DEV_FB_USED', { gpu: '0', GPU_I_ID: '3' })).toBeTypeOf('number');
    expect(text.match(/^vigil_gpu_mig_info\{[^}]*gpu="1"/gm)).toHaveLength(3);
    gone = [];
    await exporter.sampleOnce();
    expect(seriesValue(exporter.exposition.body.toString(), 'DCGM_FI_DEV_FB_USED', { gpu: '1', GPU_I_ID: '3' })).toBeTypeOf('number');
  });

  it('only produce metric names listed in EXPORTER_METRICS', async () => {
    const exporter = makeExporter(
      new SimulatedSource({ gpus: 3, migGpus: 1, processes: true, faults: () => ({ lostGpus: [2], xidStorm: [{ gpu: 1, xid: 48 }] }) }),
    );
    exporter.attachModels({ statuses: () => [{ server: 's', model: 'm', up: true, queueDepth: 3, running: 1 }] });
    await exporter.sampleOnce();
    const names = new Set(
      exporter.exposition.body
        .toString()
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0]!),
    );
    for (const n of names) expect(EXPORTER_METRIC_NAMES.has(n), n).toBe(true);
    expect(names.size).toBeGreaterThan(40);
    expect(EXPORTER_METRICS.every((m) => m.help.length > 0 && (m.type === 'gauge' || m.type === 'counter'))).toBe(true);
  });

  it('export a lost GPU as vigil_gpu_lost and drop its readings, and count an XID storm', async () => {
    let faults = {};
    const exporter = makeExporter(new SimulatedSource({ gpus: 4, faults: () => faults }));
    await exporter.sampleOnce();
    faults = { lostGpus: [3], xidStorm: [{ gpu: 1, xid: 48, perCycle: 25 }] };
    await exporter.sampleOnce();
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_TEMP', { gpu: '3' })).toBeUndefined();
    expect(seriesValue(text, 'vigil_gpu_lost', { gpu: '3', reason: 'GPU_IS_LOST' })).toBe(1);
    expect(seriesValue(text, 'vigil_gpu_xid_errors_total', { gpu: '3', xid: '79' })).toBe(1);
    expect(seriesValue(text, 'vigil_gpu_xid_errors_total', { gpu: '1', xid: '48' })).toBe(50);
    expect(seriesValue(text, 'DCGM_EXP_XID_ERRORS_COUNT', { gpu: '1', xid: '48', window_size_in_ms: '300000' })).toBe(50);
    expect(seriesValue(text, 'DCGM_FI_DEV_XID_ERRORS', { gpu: '1', err_code: '48' })).toBe(48);
    expect(seriesValue(text, 'vigil_gpu_count')).toBe(3);
  });

  it('accumulate injected ECC errors as counters', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 1, faults: () => ({ ecc: [{ gpu: 0, corrected: 10, uncorrected: 2 }] }) }));
    await exporter.sampleOnce();
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', { gpu: '0' })).toBe(20);
    expect(seriesValue(text, 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', { gpu: '0' })).toBe(4);
    expect(seriesValue(text, 'DCGM_FI_DEV_ROW_REMAP_PENDING', { gpu: '0' })).toBe(1);
  });

  it('escape label values and report down models without queue series', () => {
    const text = renderFamilies(collectModels([{ server: 'a"b', model: 'x\\y\nz', up: false, queueDepth: 4 }]));
    expect(text).toContain('vigil_model_up{model="x\\\\y\\nz",server="a\\"b"} 0');
    expect(text).not.toContain('vigil_model_queue_depth{');
  });

  it('cap the number of series and count what was dropped', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 8 }), { maxSeries: 50 });
    await exporter.sampleOnce();
    expect(exporter.exposition.series).toBe(50);
    expect(seriesValue(exporter.exposition.body.toString(), 'vigil_exporter_series_dropped_total')).toBeGreaterThan(100);
  });

  it('produce the same readings for the same number of cycles', async () => {
    const a = new SimulatedSource({ gpus: 4, migGpus: 1, now: () => 0 });
    const b = new SimulatedSource({ gpus: 4, migGpus: 1, now: () => 0 });
    const ac = new AbortController();
    for (let i = 0; i < 5; i++) expect(await a.collect(ac.signal)).toEqual(await b.collect(ac.signal));
  });
});

import { describe, expect, it } from 'vitest';
import { SimulatedSource } from '../../exporters/gpu/sources/simulated/simulated-source.js';
import type { SimFaults } from '../../exporters/gpu/sources/simulated/faults.js';
import { makeExporter, seriesValue } from './helpers.js';

describe('the exporter under source faults', () => {
  it('keeps serving, counts a throwing source as error and recovers when it stops throwing', async () => {
    let faults: SimFaults = { throw: true };
    const exporter = makeExporter(new SimulatedSource({ gpus: 2, faults: () => faults }));
    await exporter.sampleOnce();
    let text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'vigil_exporter_collect_success')).toBe(0);
    expect(seriesValue(text, 'vigil_exporter_collect_failures_total', { reason: 'error' })).toBe(1);
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_TEMP')).toBeUndefined();
    faults = {};
    await exporter.sampleOnce();
    text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'vigil_exporter_collect_success')).toBe(1);
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_TEMP', { gpu: '1' })).toBeTypeOf('number');
    expect(seriesValue(text, 'vigil_exporter_last_collect_success_timestamp_seconds')).toBeGreaterThan(1_600_000_000);
  });

  it('times out a hanging driver call, reports busy while it stays stuck, and recovers when it returns', async () => {
    let faults: SimFaults = { hang: true };
    const exporter = makeExporter(new SimulatedSource({ gpus: 1, faults: () => faults }), { collectTimeoutMs: 100 });
    await exporter.sampleOnce();
    await exporter.sampleOnce();
    let text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'vigil_exporter_collect_failures_total', { reason: 'timeout' })).toBe(1);
    expect(seriesValue(text, 'vigil_exporter_collect_failures_total', { reason: 'busy' })).toBe(1);
    faults = {};
    await new Promise((r) => setTimeout(r, 150));
    await exporter.sampleOnce();
    text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'vigil_exporter_collect_success')).toBe(1);
    await exporter.stop();
  });

  it('fails a collection that returns garbage as invalid', async () => {
    const exporter = makeExporter(new SimulatedSource({ gpus: 1, faults: () => ({ garbage: true }) }));
    await exporter.sampleOnce();
    expect(seriesValue(exporter.exposition.body.toString(), 'vigil_exporter_collect_failures_total', { reason: 'invalid' })).toBe(1);
  });

  it('drops garbage values one by one and keeps the good ones', async () => {
    const source = {
      name: 'bad',
      close: async () => {},
      collect: () =>
        Promise.resolve({
          devices: [
            {
              index: 0,
              uuid: 'GPU-a',
              pciBusId: 'x',
              name: 'n',
              fields: { gpuUtil: 4294967295, gpuTemp: 40, powerUsage: NaN, fbUsed: -5, bogus: 1, fbTotal: 100 },
            },
            { index: 'one', uuid: 'GPU-b' },
            null,
          ],
        } as never),
    };
    const exporter = makeExporter(source);
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'vigil_exporter_collect_success')).toBe(1);
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_TEMP', { gpu: '0' })).toBe(40);
    expect(seriesValue(text, 'DCGM_FI_DEV_FB_TOTAL', { gpu: '0' })).toBe(100);
    for (const name of ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_FB_USED']) expect(seriesValue(text, name)).toBeUndefined();
    expect(seriesValue(text, 'vigil_exporter_series_dropped_total')).toBe(6);
  });
});

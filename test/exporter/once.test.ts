import { describe, expect, it } from 'vitest';
import { collectOnce } from '../../exporters/gpu/service.js';
import { SimulatedSource } from '../../exporters/gpu/sources/simulated/simulated-source.js';
import { SourceError, type GpuSource } from '../../exporters/gpu/types.js';
import { silentLogger } from './helpers.js';

describe('collectOnce (vigil exporter --once)', () => {
  it('reports a working collection as collected, with the exposition', async () => {
    const r = await collectOnce({ source: new SimulatedSource({ gpus: 1 }), intervalMs: 1000, hostname: 'h', logger: silentLogger });
    expect(r.collected).toBe(true);
    expect(r.exposition).toMatch(/^vigil_exporter_collect_success 1$/m);
  });

  it('reports a failed collection from the sample result, not from the text', async () => {
    let closed = false;
    const broken: GpuSource = {
      name: 'broken',
      collect: async () => Promise.reject(new SourceError('driver gone', 'driver')),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    const r = await collectOnce({ source: broken, intervalMs: 1000, hostname: 'h', logger: silentLogger });
    expect(r.collected).toBe(false);
    expect(r.exposition).toMatch(/^vigil_exporter_collect_success 0$/m);
    expect(closed).toBe(true);
  });
});

/**
 * GPM (DCGM_FI_PROF_*), NVLink throughput and the vGPU licence through a fake of the koffi-bound
 * NVML table, like nvml.test.ts: the fake writes the C structs into the Buffers as NVML would. No
 * Hopper GPU was available: these tests pin the protocol (support query, two samples, metrics get
 * struct layout, units), not the driver's numbers.
 */
import { describe, expect, it } from 'vitest';
import { NVML, type NvmlApi } from '../../exporters/gpu/sources/nvml/nvml-api.js';
import { NvmlSession } from '../../exporters/gpu/sources/nvml/nvml-session.js';
import { GPM_METRIC, GPM_METRIC_SIZE, GPM_METRICS_GET_SIZE, GPM_METRICS_OFFSET } from '../../exporters/gpu/sources/nvml/nvml-gpm.js';
import { GRID_LICENSABLE_FEATURES_SIZE } from '../../exporters/gpu/sources/nvml/nvml-structs.js';

const MIB = 2 ** 20;

interface GpmFakeOptions {
  /** Devices whose GPM query says isSupportedDevice = 0. */
  unsupported?: number[];
  /** Return code of nvmlGpmQueryDeviceSupport (default SUCCESS). */
  supportRc?: number;
  /** Leave the GPM symbols out (a driver before GPM). */
  noGpm?: boolean;
  /** GPM percent / MiB/s readings by metric id (the fake answers these for any interval). */
  values?: Record<number, number>;
  /** Per-metric nvmlReturn by metric id. */
  metricRc?: Record<number, number>;
}

/** Two GPUs with GPM, field values (NVLink) and virtualization mode, writing structs like NVML. */
function fakeGpmNvml(o: GpmFakeOptions = {}) {
  const state = {
    now: 1_700_000_000_000,
    live: new Set<bigint>(),
    allocs: 0,
    frees: 0,
    queries: 0,
    shutdowns: 0,
    /** Sample handle → [device, sequence] of the reading it holds. */
    readings: new Map<bigint, [number, number]>(),
    seq: 0,
    sampleGetRc: NVML.SUCCESS as number,
    metricsGetRc: NVML.SUCCESS as number,
    metricsGetThrows: false,
    /** [sample1, sample2, numMetrics, version] of each nvmlGpmMetricsGet call. */
    gets: [] as [bigint, bigint, number, number][],
    nvlinkKib: [0, 0],
    nvlinkLinks: [18, 0],
    virtMode: [0, 2],
    licensed: true,
  };
  const values: Record<number, number> = {
    [GPM_METRIC.GRAPHICS_UTIL]: 87.5,
    [GPM_METRIC.SM_UTIL]: 80,
    [GPM_METRIC.ANY_TENSOR_UTIL]: 42.25,
    [GPM_METRIC.DRAM_BW_UTIL]: 30,
    [GPM_METRIC.PCIE_TX_PER_SEC]: 100,
    [GPM_METRIC.PCIE_RX_PER_SEC]: 250.5,
    ...o.values,
  };
  const dev = (h: bigint) => Number(h - 0x1000n);
  const writeStr = (b: Buffer, s: string) => b.write(`${s}\0`, 0, 'utf8');
  const api: Partial<NvmlApi> = {
    nvmlInit_v2: () => 0,
    nvmlShutdown: () => (state.shutdowns++, 0),
    nvmlSystemGetDriverVersion: (b) => (writeStr(b, '590.48.01'), 0),
    nvmlDeviceGetCount_v2: (b) => (b.writeUInt32LE(2, 0), 0),
    nvmlDeviceGetHandleByIndex_v2: (i, b) => (b.writeBigUInt64LE(0x1000n + BigInt(i), 0), 0),
    nvmlDeviceGetUUID: (h, b) => (writeStr(b, `GPU-${dev(h)}`), 0),
    nvmlDeviceGetIndex: (h, b) => (b.writeUInt32LE(dev(h), 0), 0),
    nvmlDeviceGetTemperature: (_h, _s, b) => (b.writeUInt32LE(59, 0), 0),
    nvmlDeviceGetFieldValues: (h, count, b) => {
      for (let i = 0; i < count; i++) {
        const off = i * 40;
        const id = b.readUInt32LE(off);
        const scope = b.readUInt32LE(off + 4);
        const links = state.nvlinkLinks[dev(h)]!;
        const write = (v: number) => (b.writeUInt32LE(3, off + 24), b.writeUInt32LE(0, off + 28), b.writeBigUInt64LE(BigInt(v), off + 32));
        if (id === 91) write(links);
        else if ((id === 138 || id === 139) && scope === 0xffffffff && links > 0) write(state.nvlinkKib[dev(h)]! / 2);
        else b.writeUInt32LE(NVML.ERROR_NOT_SUPPORTED, off + 28);
      }
      return 0;
    },
    nvmlDeviceGetVirtualizationMode: (h, b) => (b.writeUInt32LE(state.virtMode[dev(h)]!, 0), 0),
    nvmlDeviceGetGridLicensableFeatures_v4: (_h, b) => {
      expect(b.length).toBeGreaterThanOrEqual(GRID_LICENSABLE_FEATURES_SIZE);
      b.writeInt32LE(1, 0);
      b.writeUInt32LE(2, 4);
      b.writeUInt32LE(1, 8); // feature 0: vGPU, not licensed
      b.writeUInt32LE(0, 12);
      b.writeUInt32LE(2, 8 + 284); // feature 1: vWS
      b.writeUInt32LE(state.licensed ? 1 : 0, 8 + 284 + 4);
      return 0;
    },
  };
  if (!o.noGpm) {
    Object.assign(api, {
      nvmlGpmQueryDeviceSupport: (h: bigint, b: Buffer) => {
        state.queries++;
        expect(b.readUInt32LE(0)).toBe(1);
        if ((o.supportRc ?? 0) !== 0) return o.supportRc!;
        b.writeUInt32LE((o.unsupported ?? []).includes(dev(h)) ? 0 : 1, 4);
        return 0;
      },
      nvmlGpmSampleAlloc: (b: Buffer) => {
        const handle = 0x9000n + BigInt(++state.allocs);
        state.live.add(handle);
        b.writeBigUInt64LE(handle, 0);
        return 0;
      },
      nvmlGpmSampleFree: (s: bigint) => (state.live.delete(s) ? (state.frees++, 0) : NVML.ERROR_INVALID_ARGUMENT),
      nvmlGpmSampleGet: (h: bigint, s: bigint) => {
        if (!state.live.has(s)) return NVML.ERROR_INVALID_ARGUMENT;
        if (state.sampleGetRc !== 0) return state.sampleGetRc;
        state.readings.set(s, [dev(h), ++state.seq]);
        return 0;
      },
      nvmlGpmMetricsGet: (b: Buffer) => {
        if (state.metricsGetThrows) throw new Error('koffi: bad call');
        expect(b.length).toBeGreaterThanOrEqual(GPM_METRICS_GET_SIZE);
        const s1 = b.readBigUInt64LE(8);
        const s2 = b.readBigUInt64LE(16);
        const n = b.readUInt32LE(4);
        state.gets.push([s1, s2, n, b.readUInt32LE(0)]);
        if (state.metricsGetRc !== 0) return state.metricsGetRc;
        const r1 = state.readings.get(s1);
        const r2 = state.readings.get(s2);
        // Both samples of one device, the first one older: what NVML requires.
        if (!r1 || !r2 || r1[0] !== r2[0] || r1[1] >= r2[1]) return NVML.ERROR_INVALID_ARGUMENT;
        for (let i = 0; i < n; i++) {
          const off = GPM_METRICS_OFFSET + i * GPM_METRIC_SIZE;
          const id = b.readUInt32LE(off);
          const rc = o.metricRc?.[id] ?? (id in values ? 0 : NVML.ERROR_NOT_SUPPORTED);
          b.writeUInt32LE(rc, off + 4);
          if (rc === 0) b.writeDoubleLE(values[id]!, off + 8);
        }
        return 0;
      },
    });
  }
  const session = new NvmlSession(api, { now: () => state.now });
  const collect = (advanceMs = 1000) => {
    state.now += advanceMs;
    return session.collect();
  };
  return { api, state, session, collect };
}

const PROF_KEYS = ['profGrEngineActive', 'profSmActive', 'profPipeTensorActive', 'profDramActive', 'profPcieTxBytes', 'profPcieRxBytes'];
const profOf = (fields: object) => Object.fromEntries(Object.entries(fields).filter(([k]) => PROF_KEYS.includes(k)));

describe('profiling metrics from NVML GPM', () => {
  it('seed on the first collection, then report dcgm units: ratios 0-1 and bytes/s', () => {
    const { collect, state } = fakeGpmNvml();
    expect(profOf(collect().devices[0]!.fields)).toEqual({});
    const d = collect().devices[0]!;
    expect(profOf(d.fields)).toEqual({
      profGrEngineActive: 0.875,
      profSmActive: 0.8,
      profPipeTensorActive: 0.4225,
      profDramActive: 0.3,
      profPcieTxBytes: 100 * MIB,
      profPcieRxBytes: 250.5 * MIB,
    });
    expect(d.fields.gpuTemp).toBe(59);
    // Version 1, six metrics, first sample older than the second.
    expect(state.gets.at(-1)!.slice(2)).toEqual([6, 1]);
  });

  it('keep two sample handles per GPU across collections, alternating them, and free them on shutdown', () => {
    const { collect, state, session } = fakeGpmNvml();
    for (let i = 0; i < 5; i++) collect();
    expect(state.allocs).toBe(4); // 2 GPUs × 2 samples, allocated once
    expect(state.live.size).toBe(4);
    const dev0 = state.gets.filter(([s1]) => state.readings.get(s1)?.[0] === 0);
    expect(dev0).toHaveLength(4);
    for (let i = 1; i < dev0.length; i++) expect(dev0[i]![0]).toBe(dev0[i - 1]![1]); // the previous "after" is the next "before"
    session.shutdown();
    expect(state.live.size).toBe(0);
    expect(state.frees).toBe(4);
    expect(state.shutdowns).toBe(1);
    expect(session.gpm.sampling).toBe(0);
    // A new session seeds again before reporting.
    expect(profOf(collect().devices[0]!.fields)).toEqual({});
    expect(profOf(collect().devices[0]!.fields)).toHaveProperty('profGrEngineActive', 0.875);
  });

  it('ask each GPU once whether it supports GPM and leave unsupported GPUs without PROF series', () => {
    const { collect, state } = fakeGpmNvml({ unsupported: [1] });
    collect();
    const snap = collect();
    collect();
    expect(state.queries).toBe(2);
    expect(profOf(snap.devices[1]!.fields)).toEqual({});
    expect(snap.devices[1]!.fields.gpuTemp).toBe(59);
    expect(state.allocs).toBe(2); // only GPU 0 got samples
    expect(profOf(snap.devices[0]!.fields)).not.toEqual({});
  });

  it('leave PROF fields absent when the query says NOT_SUPPORTED or the library has no GPM', () => {
    for (const fake of [fakeGpmNvml({ supportRc: NVML.ERROR_NOT_SUPPORTED }), fakeGpmNvml({ noGpm: true })]) {
      fake.collect();
      const snap = fake.collect();
      for (const d of snap.devices) {
        expect(profOf(d.fields)).toEqual({});
        expect(d.fields.gpuTemp).toBe(59);
      }
      expect(fake.state.allocs).toBe(0);
    }
  });

  it('clamp a ratio over 100 % to 1 and drop a metric whose own return code is an error', () => {
    const { collect } = fakeGpmNvml({ values: { [GPM_METRIC.GRAPHICS_UTIL]: 100.4 }, metricRc: { [GPM_METRIC.DRAM_BW_UTIL]: NVML.ERROR_NOT_SUPPORTED } });
    collect();
    const f = collect().devices[0]!.fields;
    expect(f.profGrEngineActive).toBe(1);
    expect(f.profDramActive).toBeUndefined();
    expect('profDramActive' in f).toBe(false);
    expect(f.profSmActive).toBe(0.8);
  });

  it('survive failing GPM calls: the other fields stay, the sample pair reseeds', () => {
    const { collect, state } = fakeGpmNvml();
    collect();
    state.sampleGetRc = NVML.ERROR_UNKNOWN;
    let f = collect().devices[0]!.fields;
    expect(profOf(f)).toEqual({});
    expect(f.gpuTemp).toBe(59);
    state.sampleGetRc = NVML.SUCCESS;
    expect(profOf(collect().devices[0]!.fields)).toEqual({}); // seeds after the failed sample
    expect(profOf(collect().devices[0]!.fields)).toHaveProperty('profSmActive', 0.8);

    state.metricsGetRc = NVML.ERROR_INVALID_ARGUMENT;
    f = collect().devices[0]!.fields;
    expect(profOf(f)).toEqual({});
    expect(f.gpuTemp).toBe(59);
    state.metricsGetRc = NVML.SUCCESS;
    expect(profOf(collect().devices[0]!.fields)).toHaveProperty('profSmActive', 0.8);

    // A binding that throws: GPM of that GPU is dropped (its handles freed), the collection goes on.
    state.metricsGetThrows = true;
    const snap = collect();
    expect(snap.devices.map((d) => d.fields.gpuTemp)).toEqual([59, 59]);
    expect(profOf(snap.devices[0]!.fields)).toEqual({});
    expect(state.live.size).toBe(0);
    state.metricsGetThrows = false;
    collect();
    expect(profOf(collect().devices[0]!.fields)).toHaveProperty('profSmActive', 0.8);
  });

  it('reseed after a long gap and keep the older baseline when samples come less than 100 ms apart', () => {
    const { collect, state } = fakeGpmNvml();
    collect();
    expect(profOf(collect().devices[0]!.fields)).not.toEqual({});
    expect(profOf(collect(11 * 60_000).devices[0]!.fields)).toEqual({});
    const before = state.gets.length;
    expect(profOf(collect(50).devices[0]!.fields)).toEqual({});
    expect(state.gets.length).toBe(before);
    expect(profOf(collect(1000).devices[0]!.fields)).toHaveProperty('profGrEngineActive', 0.875);
  });
});

describe('NVLink throughput and vGPU licence from NVML', () => {
  it('report NVLink TX+RX as KiB/s between collections, absent on the first one and on boards without links', () => {
    const { collect, state } = fakeGpmNvml();
    state.nvlinkKib = [1_000_000, 0];
    const first = collect();
    expect(first.devices[0]!.fields.nvlinkBandwidthTotal).toBeUndefined();
    state.nvlinkKib = [1_000_000 + 4_000_000, 0];
    const second = collect(2000);
    expect(second.devices[0]!.fields.nvlinkBandwidthTotal).toBe(2_000_000);
    expect('nvlinkBandwidthTotal' in second.devices[1]!.fields).toBe(false);
    // A counter that went backwards (driver reload) reseeds instead of exporting a negative rate.
    state.nvlinkKib = [10, 0];
    expect(collect().devices[0]!.fields.nvlinkBandwidthTotal).toBeUndefined();
  });

  it('report the vGPU licence on vGPU guests only: 1 when a feature is licensed, 0 when none is', () => {
    const { collect, state } = fakeGpmNvml();
    let snap = collect();
    expect('vgpuLicenseStatus' in snap.devices[0]!.fields).toBe(false);
    expect(snap.devices[1]!.fields.vgpuLicenseStatus).toBe(1);
    state.licensed = false;
    snap = collect();
    expect(snap.devices[1]!.fields.vgpuLicenseStatus).toBe(0);
  });
});

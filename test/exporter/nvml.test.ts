import { describe, expect, it } from 'vitest';
import { NVML, type NvmlApi } from '../../exporters/gpu/sources/nvml/nvml-api.js';
import { NvmlSession } from '../../exporters/gpu/sources/nvml/nvml-session.js';
import { XidWatcher } from '../../exporters/gpu/sources/nvml/nvml-events.js';
import { MEMORY_V2_VERSION } from '../../exporters/gpu/sources/nvml/nvml-structs.js';
import { makeExporter, seriesValue } from './helpers.js';

const MIB = 2n ** 20n;

/** A fake of the koffi-bound table: two GPUs, writing C structs into the Buffers like NVML does. */
function fakeNvml(over: Partial<Record<keyof NvmlApi, unknown>> = {}) {
  const state = { inits: 0, shutdowns: 0, lost: new Set<number>(), driverGone: false, memoryV2Versions: [] as number[] };
  const dev = (h: bigint) => Number(h - 0x1000n);
  const writeStr = (b: Buffer, s: string) => b.write(`${s}\0`, 0, 'utf8');
  const guard = (h: bigint, fn: () => number) => (state.driverGone ? NVML.ERROR_DRIVER_NOT_LOADED : state.lost.has(dev(h)) ? NVML.ERROR_GPU_IS_LOST : fn());
  const api: Partial<NvmlApi> = {
    nvmlInit_v2: () => (state.inits++, state.driverGone ? NVML.ERROR_DRIVER_NOT_LOADED : 0),
    nvmlShutdown: () => (state.shutdowns++, 0),
    nvmlSystemGetDriverVersion: (b) => (writeStr(b, '590.48.01'), 0),
    nvmlSystemGetCudaDriverVersion_v2: (b) => (b.writeInt32LE(13010, 0), 0),
    nvmlDeviceGetCount_v2: (b) => (state.driverGone ? NVML.ERROR_DRIVER_NOT_LOADED : (b.writeUInt32LE(2, 0), 0)),
    nvmlDeviceGetHandleByIndex_v2: (i, b) => (b.writeBigUInt64LE(0x1000n + BigInt(i), 0), 0),
    nvmlDeviceGetUUID: (h, b) => guard(h, () => (writeStr(b, `GPU-${dev(h)}`), 0)),
    nvmlDeviceGetName: (h, b) => guard(h, () => (writeStr(b, 'NVIDIA H100 80GB HBM3'), 0)),
    nvmlDeviceGetIndex: (h, b) => guard(h, () => (b.writeUInt32LE(dev(h), 0), 0)),
    nvmlDeviceGetPciInfo_v3: (h, b) => guard(h, () => (writeStr(b.subarray(36), `00000000:${dev(h) + 10}:00.0`), 0)),
    nvmlDeviceGetUtilizationRates: (h, b) => guard(h, () => (b.writeUInt32LE(87, 0), b.writeUInt32LE(23, 4), 0)),
    nvmlDeviceGetMemoryInfo_v2: (h, b) =>
      guard(h, () => {
        state.memoryV2Versions.push(b.readUInt32LE(0));
        b.writeBigUInt64LE(81559n * MIB, 8);
        b.writeBigUInt64LE(479n * MIB, 16);
        b.writeBigUInt64LE(61263n * MIB, 24);
        b.writeBigUInt64LE(19818n * MIB, 32);
        return 0;
      }),
    nvmlDeviceGetTemperature: (h, _s, b) => guard(h, () => (b.writeUInt32LE(59, 0), 0)),
    nvmlDeviceGetPowerUsage: (h, b) => guard(h, () => (b.writeUInt32LE(631950, 0), 0)),
    nvmlDeviceGetEnforcedPowerLimit: (h, b) => guard(h, () => (b.writeUInt32LE(700000, 0), 0)),
    nvmlDeviceGetTotalEnergyConsumption: (h, b) => guard(h, () => (b.writeBigUInt64LE(123456789012n, 0), 0)),
    nvmlDeviceGetFanSpeed: () => NVML.ERROR_NOT_SUPPORTED,
    nvmlDeviceGetTotalEccErrors: (h, type, counter, b) => guard(h, () => (b.writeBigUInt64LE(BigInt(type * 10 + counter), 0), 0)),
    nvmlDeviceGetCurrentClocksEventReasons: (h, b) => guard(h, () => (b.writeBigUInt64LE(0x44n, 0), 0)),
    nvmlDeviceGetMigMode: (h, cur) => guard(h, () => (cur.writeUInt32LE(dev(h) === 1 ? 1 : 0, 0), 0)),
    nvmlDeviceGetMaxMigDeviceCount: (_h, b) => (b.writeUInt32LE(3, 0), 0),
    nvmlDeviceGetMigDeviceHandleByIndex: (_h, k, b) => (k === 1 ? NVML.ERROR_NOT_FOUND : (b.writeBigUInt64LE(0x2000n + BigInt(k), 0), 0)),
    nvmlDeviceGetGpuInstanceId: (h, b) => (b.writeUInt32LE(Number(h - 0x2000n) + 5, 0), 0),
    nvmlDeviceGetAttributes_v2: (_h, b) => (b.writeUInt32LE(1, 24), b.writeBigUInt64LE(9856n, 32), 0),
    ...(over as Partial<NvmlApi>),
  };
  return { api, state };
}

describe('the NVML adapter', () => {
  it('decodes structs into dcgm units: MiB, W, mJ, and sets the memory v2 version word', () => {
    const { api, state } = fakeNvml();
    const snap = new NvmlSession(api).collect();
    expect(snap.driverVersion).toBe('590.48.01');
    expect(snap.cudaVersion).toBe('13.1');
    const d = snap.devices[0]!;
    expect(d).toMatchObject({ index: 0, uuid: 'GPU-0', pciBusId: '00000000:10:00.0', name: 'NVIDIA H100 80GB HBM3', migEnabled: false });
    expect(d.fields).toEqual({
      gpuUtil: 87,
      memCopyUtil: 23,
      fbTotal: 81559,
      fbReserved: 479,
      fbFree: 61263,
      fbUsed: 19818,
      gpuTemp: 59,
      powerUsage: 631.95,
      powerLimit: 700,
      totalEnergy: 123456789012,
      eccSbeVolatile: 0,
      eccDbeVolatile: 10,
      eccSbeAggregate: 1,
      eccDbeAggregate: 11,
      clocksEventReasons: 0x44,
    });
    expect(state.memoryV2Versions[0]).toBe(MEMORY_V2_VERSION);
  });

  it('leaves NOT_SUPPORTED fields and symbols the library lacks absent, never 0', () => {
    const { api } = fakeNvml({ nvmlDeviceGetPowerUsage: undefined, nvmlDeviceGetUtilizationRates: () => NVML.ERROR_NOT_SUPPORTED });
    const d = new NvmlSession(api).collect().devices[0]!;
    expect(d.fields.fanSpeed).toBeUndefined();
    expect(d.fields.powerUsage).toBeUndefined();
    expect(d.fields.gpuUtil).toBeUndefined();
    expect('gpuUtil' in d.fields).toBe(false);
  });

  it('falls back to nvmlDeviceGetMemoryInfo (v1) when v2 is not exported', () => {
    const { api } = fakeNvml({
      nvmlDeviceGetMemoryInfo_v2: undefined,
      nvmlDeviceGetMemoryInfo: (_h: bigint, b: Buffer) => (
        b.writeBigUInt64LE(1024n * MIB, 0),
        b.writeBigUInt64LE(1000n * MIB, 8),
        b.writeBigUInt64LE(24n * MIB, 16),
        0
      ),
    });
    expect(new NvmlSession(api).collect().devices[0]!.fields).toMatchObject({ fbTotal: 1024, fbFree: 1000, fbUsed: 24 });
  });

  it('enumerates MIG devices, skipping empty slots, with a derived profile name', () => {
    const { api } = fakeNvml();
    const d = new NvmlSession(api).collect().devices[1]!;
    expect(d.migEnabled).toBe(true);
    expect(d.mig?.map((m) => [m.gpuInstanceId, m.profile])).toEqual([
      [5, '1g.10gb'],
      [7, '1g.10gb'],
    ]);
  });

  it('reads each MIG GPU instance once, with its own memory (v2, or v1 where v2 is not supported), and no utilization on the MIG GPU', async () => {
    // GPU 1 runs MIG: slots 0 and 2 are compute instances of GPU instance 2 (1c.3g.40gb each), slot 3 is GI 9 (1g.10gb).
    const gi: Record<number, number> = { 0: 2, 2: 2, 3: 9 };
    const mem: Record<number, [bigint, bigint]> = { 2: [40320n, 12288n], 9: [9856n, 4123n] };
    const slot = (h: bigint) => Number(h - 0x2000n);
    const { api } = fakeNvml({
      nvmlDeviceGetMaxMigDeviceCount: (_h: bigint, b: Buffer) => (b.writeUInt32LE(7, 0), 0),
      nvmlDeviceGetMigDeviceHandleByIndex: (_h: bigint, k: number, b: Buffer) =>
        gi[k] === undefined ? NVML.ERROR_NOT_FOUND : (b.writeBigUInt64LE(0x2000n + BigInt(k), 0), 0),
      nvmlDeviceGetGpuInstanceId: (h: bigint, b: Buffer) => (b.writeUInt32LE(gi[slot(h)]!, 0), 0),
      nvmlDeviceGetAttributes_v2: (h: bigint, b: Buffer) => {
        const big = gi[slot(h)] === 2;
        b.writeUInt32LE(big ? 3 : 1, 24);
        b.writeBigUInt64LE(big ? 40320n : 9856n, 32);
        return 0;
      },
      nvmlDeviceGetUtilizationRates: (h: bigint, b: Buffer) => (h === 0x1001n ? NVML.ERROR_NOT_SUPPORTED : (b.writeUInt32LE(87, 0), b.writeUInt32LE(23, 4), 0)),
      nvmlDeviceGetMemoryInfo_v2: (h: bigint, b: Buffer) => {
        if (h >= 0x2000n) return NVML.ERROR_NOT_SUPPORTED;
        b.writeBigUInt64LE(81559n * MIB, 8);
        b.writeBigUInt64LE(479n * MIB, 16);
        b.writeBigUInt64LE(61263n * MIB, 24);
        b.writeBigUInt64LE(19818n * MIB, 32);
        return 0;
      },
      nvmlDeviceGetMemoryInfo: (h: bigint, b: Buffer) => {
        const [total, used] = mem[gi[slot(h)]!]!;
        b.writeBigUInt64LE(total * MIB, 0);
        b.writeBigUInt64LE((total - used) * MIB, 8);
        b.writeBigUInt64LE(used * MIB, 16);
        return 0;
      },
    });
    const d = new NvmlSession(api).collect().devices[1]!;
    expect(d.mig).toEqual([
      { gpuInstanceId: 2, profile: '3g.40gb', uuid: 'GPU-4096', fbTotal: 40320, fbUsed: 12288, fbFree: 28032 },
      { gpuInstanceId: 9, profile: '1g.10gb', uuid: 'GPU-4099', fbTotal: 9856, fbUsed: 4123, fbFree: 5733 },
    ]);
    const exporter = makeExporter({ name: 'fake', collect: () => Promise.resolve(new NvmlSession(api).collect()), close: () => Promise.resolve() });
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_UTIL', { gpu: '1' })).toBeUndefined();
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_UTIL', { gpu: '0' })).toBe(87);
    expect(seriesValue(text, 'DCGM_FI_DEV_FB_USED', { gpu: '1', GPU_I_ID: '2', GPU_I_PROFILE: '3g.40gb' })).toBe(12288);
    expect(text.match(/^DCGM_FI_DEV_FB_USED\{[^}]*gpu="1"/gm)).toHaveLength(3);
    // No activity reading without a profiling source: absent, not 0.
    expect(text).not.toMatch(/^DCGM_FI_PROF_GR_ENGINE_ACTIVE\{/m);
  });

  it('reports a GPU that is lost, keeps the others, and re-initialises next cycle', () => {
    const { api, state } = fakeNvml();
    const session = new NvmlSession(api);
    session.collect();
    state.lost.add(1);
    const snap = session.collect();
    expect(snap.devices.map((d) => d.index)).toEqual([0]);
    expect(snap.lost).toEqual([{ index: 1, uuid: 'GPU-1', pciBusId: '00000000:11:00.0', name: 'NVIDIA H100 80GB HBM3', reason: 'GPU_IS_LOST' }]);
    expect(state.shutdowns).toBe(1);
    state.lost.clear();
    const back = session.collect();
    expect(state.inits).toBe(2);
    expect(back.devices.map((d) => d.index)).toEqual([0, 1]);
    expect(back.lost).toEqual([]);
  });

  it('fails the collection as driver when the driver goes away, shuts down, and recovers', () => {
    const { api, state } = fakeNvml();
    const session = new NvmlSession(api);
    session.collect();
    state.driverGone = true;
    expect(() => session.collect()).toThrow(expect.objectContaining({ reason: 'driver' }));
    expect(state.shutdowns).toBe(1);
    expect(() => session.collect()).toThrow(/DRIVER_NOT_LOADED/);
    state.driverGone = false;
    expect(session.collect().devices).toHaveLength(2);
    expect(session.inits).toBe(2);
  });

  it('decodes per-process memory after the size probe', () => {
    const { api } = fakeNvml({
      nvmlDeviceGetComputeRunningProcesses_v3: (_h: bigint, count: Buffer, infos: Buffer) => {
        if (infos.length === 0) return (count.writeUInt32LE(1, 0), NVML.ERROR_INSUFFICIENT_SIZE);
        count.writeUInt32LE(1, 0);
        infos.writeUInt32LE(4242, 0);
        infos.writeBigUInt64LE(2566n * MIB, 8);
        return 0;
      },
      nvmlSystemGetProcessName: (_pid: number, b: Buffer) => (b.write('/root/tools/memhog\0'), 0),
    });
    expect(new NvmlSession(api, { processes: true }).collect().devices[0]!.processes).toEqual([{ pid: 4242, name: 'memhog', usedMemory: 2566 }]);
  });
});

describe('the NVML XID watcher', () => {
  it('registers XID events and decodes nvmlEventData_t', () => {
    const registered: bigint[] = [];
    const { api } = fakeNvml({
      nvmlEventSetCreate: (b: Buffer) => (b.writeBigUInt64LE(0x9000n, 0), 0),
      nvmlDeviceRegisterEvents: (h: bigint) => (registered.push(h), 0),
      nvmlEventSetWait_v2: (_set: bigint, data: Buffer) => {
        data.writeBigUInt64LE(0x1001n, 0);
        data.writeBigUInt64LE(0x8n, 8);
        data.writeBigUInt64LE(79n, 16);
        return 0;
      },
    });
    const watcher = new XidWatcher(api, () => 1000);
    expect(watcher.poll(10)).toEqual([{ gpu: 1, xid: 79, at: 1000 }]);
    expect(registered).toEqual([0x1000n, 0x1001n]);
  });

  it('backs off and starts over after the event set fails', () => {
    let now = 0;
    let creates = 0;
    const { api } = fakeNvml({
      nvmlEventSetCreate: (b: Buffer) => (creates++, b.writeBigUInt64LE(0x9000n, 0), 0),
      nvmlDeviceRegisterEvents: () => 0,
      nvmlEventSetFree: () => 0,
      nvmlEventSetWait_v2: () => NVML.ERROR_GPU_IS_LOST,
    });
    const watcher = new XidWatcher(api, () => now);
    expect(watcher.poll(10)).toEqual([]);
    expect(watcher.poll(10)).toEqual([]);
    expect(creates).toBe(1);
    now = 1500;
    watcher.poll(10);
    expect(creates).toBe(2);
  });
});

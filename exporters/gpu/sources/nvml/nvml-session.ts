import type { GpuDeviceSample, GpuFields, GpuSnapshot, LostGpu, MigSample, ProcessSample } from '../../types.js';
import { SourceError } from '../../types.js';
import { DEVICE_LOST, NVML, RETURN_NAMES, SESSION_LIFECYCLE, type Handle, type NvmlApi, type NvmlSymbol } from './nvml-api.js';
import * as S from './nvml-structs.js';
import { GpmSampler, type NvmlCall } from './nvml-gpm.js';

/** A lost device inside one collection; caught per device. */
class DeviceLost extends Error {
  constructor(readonly code: number) {
    super(RETURN_NAMES[code] ?? String(code));
  }
}

/** The session is dead (driver unloaded, library/kernel mismatch, not initialised). */
class SessionLost extends Error {
  constructor(readonly code: number) {
    super(RETURN_NAMES[code] ?? String(code));
  }
}

export interface SessionOptions {
  /** Read per-process memory (default false). */
  readonly processes?: boolean;
  /** Called before every NVML call (the worker's watchdog counts them). */
  readonly onCall?: (symbol: NvmlSymbol) => void;
  readonly now?: () => number;
  /** Read DCGM_FI_PROF_* through GPM where the GPU supports it (default true). */
  readonly gpm?: boolean;
  /** A GPM or NVLink baseline older than this is not used: seed again (default 10 min). */
  readonly reseedAfterMs?: number;
}

/**
 * NvmlSession reads every GPU through an NVML function table. NOT_SUPPORTED (and every other
 * per-field error) leaves that field absent; GPU_IS_LOST / GPU_NOT_FOUND mark the device lost and
 * restart the session on the next cycle; UNINITIALIZED / DRIVER_NOT_LOADED / LIB_RM_VERSION_MISMATCH
 * fail the collection and restart the session on the next cycle.
 */
export class NvmlSession {
  private initialised = false;
  private readonly known = new Map<number, Omit<LostGpu, 'reason'>>();
  private readonly lostReason = new Map<number, string>();
  /** Times the session was (re)initialised; tests and logs read it. */
  inits = 0;
  /** GPM sample handles per GPU, alive across collections, freed before nvmlShutdown. */
  readonly gpm: GpmSampler;
  /** Previous cumulative NVLink data counter (KiB) per GPU, for the throughput dcgm reports. */
  private readonly nvlinkPrev = new Map<string, { kib: number; at: number }>();
  /** Time of the current collection, ms. */
  private cycleAt = 0;
  private readonly caller: NvmlCall = (name, invoke) => this.call(name, invoke);

  constructor(
    private readonly api: Partial<NvmlApi>,
    private readonly options: SessionOptions = {},
  ) {
    this.gpm = new GpmSampler({ reseedAfterMs: options.reseedAfterMs ?? 600_000 });
  }

  /** Reads one snapshot; throws SourceError('driver') when the driver is unusable. */
  collect(): GpuSnapshot {
    try {
      if (!this.initialised) this.init();
      return this.read();
    } catch (err) {
      if (err instanceof SessionLost) {
        this.shutdown();
        throw new SourceError(`NVML: ${err.message}`, 'driver');
      }
      throw err;
    }
  }

  /** nvmlShutdown if initialised; the next collect() initialises again. */
  shutdown(): void {
    if (!this.initialised) return;
    this.initialised = false;
    this.gpm.freeAll(this.caller);
    this.nvlinkPrev.clear();
    this.call('nvmlShutdown', (f) => f());
  }

  private init(): void {
    const rc = this.call('nvmlInit_v2', (f) => f());
    if (rc !== NVML.SUCCESS) throw new SessionLost(rc ?? NVML.ERROR_FUNCTION_NOT_FOUND);
    this.initialised = true;
    this.inits++;
  }

  /** Calls an optional symbol; undefined when it is not exported. Lifecycle codes throw. */
  private call<K extends NvmlSymbol>(name: K, invoke: (f: NvmlApi[K]) => number): number | undefined {
    const f = this.api[name];
    if (typeof f !== 'function') return undefined;
    this.options.onCall?.(name);
    const rc = invoke(f as NvmlApi[K]);
    if (name !== 'nvmlInit_v2' && name !== 'nvmlShutdown' && SESSION_LIFECYCLE.has(rc)) throw new SessionLost(rc);
    return rc;
  }

  /** Calls a per-device getter: value on success, undefined when absent; a lost device throws. */
  private get<K extends NvmlSymbol>(name: K, invoke: (f: NvmlApi[K]) => number, read: () => number | undefined): number | undefined {
    const rc = this.call(name, invoke);
    if (rc === undefined) return undefined;
    if (DEVICE_LOST.has(rc)) throw new DeviceLost(rc);
    return rc === NVML.SUCCESS ? read() : undefined;
  }

  private str<K extends NvmlSymbol>(name: K, invoke: (f: NvmlApi[K], buf: Buffer) => number, size = 96): string | undefined {
    const buf = Buffer.alloc(size);
    const rc = this.call(name, (f) => invoke(f, buf));
    if (rc !== undefined && DEVICE_LOST.has(rc)) throw new DeviceLost(rc);
    return rc === NVML.SUCCESS ? S.cString(buf) : undefined;
  }

  private read(): GpuSnapshot {
    const countBuf = Buffer.alloc(4);
    const rc = this.call('nvmlDeviceGetCount_v2', (f) => f(countBuf));
    if (rc !== NVML.SUCCESS) throw new SourceError(`nvmlDeviceGetCount_v2: ${RETURN_NAMES[rc ?? 13] ?? rc}`, 'driver');
    const count = countBuf.readUInt32LE(0);
    this.cycleAt = (this.options.now ?? Date.now)();
    const driverVersion = this.str('nvmlSystemGetDriverVersion', (f, b) => f(b, 80), 80);
    const cudaBuf = Buffer.alloc(4);
    const cudaRc = this.call('nvmlSystemGetCudaDriverVersion_v2', (f) => f(cudaBuf));
    const cuda = cudaRc === NVML.SUCCESS ? cudaBuf.readInt32LE(0) : undefined;
    const devices: GpuDeviceSample[] = [];
    const lost: LostGpu[] = [];
    let restart = false;
    for (let i = 0; i < count; i++) {
      const hb = Buffer.alloc(8);
      const hrc = this.call('nvmlDeviceGetHandleByIndex_v2', (f) => f(i, hb));
      if (hrc !== NVML.SUCCESS) {
        if (hrc !== undefined && DEVICE_LOST.has(hrc)) {
          this.lostReason.set(i, RETURN_NAMES[hrc] ?? String(hrc));
          restart = true;
        }
        continue;
      }
      try {
        devices.push(this.readDevice(i, hb.readBigUInt64LE(0)));
        this.lostReason.delete(i);
      } catch (err) {
        if (!(err instanceof DeviceLost)) throw err;
        this.lostReason.set(i, err.message);
        restart = true;
      }
    }
    const seen = new Set(devices.map((d) => d.index));
    for (const [index, id] of this.known) if (!seen.has(index)) lost.push({ ...id, reason: this.lostReason.get(index) ?? 'NOT_VISIBLE' });
    for (const d of devices) this.known.set(d.index, { index: d.index, uuid: d.uuid, pciBusId: d.pciBusId, name: d.name });
    // A lost GPU leaves stale handles behind: start a fresh session next cycle.
    if (restart) this.shutdown();
    return {
      ...(driverVersion ? { driverVersion } : {}),
      ...(cuda !== undefined ? { cudaVersion: `${Math.floor(cuda / 1000)}.${Math.floor((cuda % 1000) / 10)}` } : {}),
      devices,
      lost,
      xidEvents: [],
    };
  }

  private readDevice(position: number, h: Handle): GpuDeviceSample {
    const b4 = () => Buffer.alloc(4);
    const u32 = <K extends NvmlSymbol>(name: K, invoke: (f: NvmlApi[K], b: Buffer) => number) => {
      const b = b4();
      return this.get(
        name,
        (f) => invoke(f, b),
        () => b.readUInt32LE(0),
      );
    };
    const u64 = <K extends NvmlSymbol>(name: K, invoke: (f: NvmlApi[K], b: Buffer) => number) => {
      const b = Buffer.alloc(8);
      return this.get(
        name,
        (f) => invoke(f, b),
        () => S.u64(b),
      );
    };
    const uuid = this.str('nvmlDeviceGetUUID', (f, b) => f(h, b, 96));
    if (uuid === undefined) throw new DeviceLost(NVML.ERROR_GPU_NOT_FOUND);
    const index = u32('nvmlDeviceGetIndex', (f, b) => f(h, b)) ?? position;
    const minor = u32('nvmlDeviceGetMinorNumber', (f, b) => f(h, b));
    const name = this.str('nvmlDeviceGetName', (f, b) => f(h, b, 96)) ?? '';
    const serial = this.str('nvmlDeviceGetSerial', (f, b) => f(h, b, 30), 30);
    const vbios = this.str('nvmlDeviceGetVbiosVersion', (f, b) => f(h, b, 32), 32);
    const pciBuf = Buffer.alloc(S.PCI_INFO_SIZE);
    const pci = this.get(
      'nvmlDeviceGetPciInfo_v3',
      (f) => f(h, pciBuf),
      () => 1,
    )
      ? S.decodePciInfo(pciBuf)
      : undefined;
    const ccMajor = b4();
    const ccMinor = b4();
    const cc = this.get(
      'nvmlDeviceGetCudaComputeCapability',
      (f) => f(h, ccMajor, ccMinor),
      () => 1,
    )
      ? `${ccMajor.readInt32LE(0)}.${ccMinor.readInt32LE(0)}`
      : undefined;

    const fields: GpuFields = {};
    const set = (k: keyof GpuFields, v: number | undefined) => {
      if (v !== undefined) fields[k] = v;
    };
    const utilBuf = Buffer.alloc(S.UTILIZATION_SIZE);
    if (
      this.get(
        'nvmlDeviceGetUtilizationRates',
        (f) => f(h, utilBuf),
        () => 1,
      )
    ) {
      const u = S.decodeUtilization(utilBuf);
      set('gpuUtil', u.gpu);
      set('memCopyUtil', u.memory);
    }
    const period = b4();
    set(
      'encUtil',
      u32('nvmlDeviceGetEncoderUtilization', (f, b) => f(h, b, period)),
    );
    set(
      'decUtil',
      u32('nvmlDeviceGetDecoderUtilization', (f, b) => f(h, b, period)),
    );
    // Memory: v2 (has `reserved`) where exported and supported, else v1.
    const m2 = S.memoryV2Buffer();
    if (
      this.get(
        'nvmlDeviceGetMemoryInfo_v2',
        (f) => f(h, m2),
        () => 1,
      )
    ) {
      const m = S.decodeMemoryV2(m2);
      set('fbTotal', m.total);
      set('fbReserved', m.reserved);
      set('fbFree', m.free);
      set('fbUsed', m.used);
    } else {
      const m1 = Buffer.alloc(S.MEMORY_V1_SIZE);
      if (
        this.get(
          'nvmlDeviceGetMemoryInfo',
          (f) => f(h, m1),
          () => 1,
        )
      ) {
        const m = S.decodeMemoryV1(m1);
        set('fbTotal', m.total);
        set('fbFree', m.free);
        set('fbUsed', m.used);
      }
    }
    set(
      'gpuTemp',
      u32('nvmlDeviceGetTemperature', (f, b) => f(h, 0, b)),
    );
    const fv = S.fieldValuesBuffer([S.FI_DEV_MEMORY_TEMP]);
    if (
      this.get(
        'nvmlDeviceGetFieldValues',
        (f) => f(h, 1, fv),
        () => 1,
      )
    )
      set('memoryTemp', S.decodeFieldValue(fv, 0));
    const mw = u32('nvmlDeviceGetPowerUsage', (f, b) => f(h, b));
    set('powerUsage', mw === undefined ? undefined : mw / 1000);
    const limit = u32('nvmlDeviceGetEnforcedPowerLimit', (f, b) => f(h, b));
    set('powerLimit', limit === undefined ? undefined : limit / 1000);
    set(
      'totalEnergy',
      u64('nvmlDeviceGetTotalEnergyConsumption', (f, b) => f(h, b)),
    );
    set(
      'smClock',
      u32('nvmlDeviceGetClockInfo', (f, b) => f(h, 1, b)),
    );
    set(
      'memClock',
      u32('nvmlDeviceGetClockInfo', (f, b) => f(h, 2, b)),
    );
    set(
      'fanSpeed',
      u32('nvmlDeviceGetFanSpeed', (f, b) => f(h, b)),
    );
    const ps = u32('nvmlDeviceGetPerformanceState', (f, b) => f(h, b));
    set('pstate', ps !== undefined && ps <= 15 ? ps : undefined);
    set(
      'eccSbeVolatile',
      u64('nvmlDeviceGetTotalEccErrors', (f, b) => f(h, 0, 0, b)),
    );
    set(
      'eccDbeVolatile',
      u64('nvmlDeviceGetTotalEccErrors', (f, b) => f(h, 1, 0, b)),
    );
    set(
      'eccSbeAggregate',
      u64('nvmlDeviceGetTotalEccErrors', (f, b) => f(h, 0, 1, b)),
    );
    set(
      'eccDbeAggregate',
      u64('nvmlDeviceGetTotalEccErrors', (f, b) => f(h, 1, 1, b)),
    );
    const [corr, unc, pend, fail] = [b4(), b4(), b4(), b4()];
    if (
      this.get(
        'nvmlDeviceGetRemappedRows',
        (f) => f(h, corr, unc, pend, fail),
        () => 1,
      )
    ) {
      set('correctableRemappedRows', corr.readUInt32LE(0));
      set('uncorrectableRemappedRows', unc.readUInt32LE(0));
      set('rowRemapPending', pend.readUInt32LE(0) ? 1 : 0);
      set('rowRemapFailure', fail.readUInt32LE(0) ? 1 : 0);
    }
    set(
      'clocksEventReasons',
      this.api.nvmlDeviceGetCurrentClocksEventReasons
        ? u64('nvmlDeviceGetCurrentClocksEventReasons', (f, b) => f(h, b))
        : u64('nvmlDeviceGetCurrentClocksThrottleReasons', (f, b) => f(h, b)),
    );
    for (const [key, policy] of [
      ['powerViolation', 0],
      ['thermalViolation', 1],
    ] as const) {
      const vb = Buffer.alloc(S.VIOLATION_TIME_SIZE);
      set(
        key,
        this.get(
          'nvmlDeviceGetViolationStatus',
          (f) => f(h, policy, vb),
          () => S.decodeViolationTime(vb),
        ),
      );
    }
    set(
      'pcieReplay',
      u32('nvmlDeviceGetPcieReplayCounter', (f, b) => f(h, b)),
    );
    set(
      'pcieLinkGen',
      u32('nvmlDeviceGetCurrPcieLinkGeneration', (f, b) => f(h, b)),
    );
    set(
      'pcieLinkWidth',
      u32('nvmlDeviceGetCurrPcieLinkWidth', (f, b) => f(h, b)),
    );

    this.readDcgmExtras(h, uuid, set);

    const migCur = b4();
    const migPend = b4();
    const migEnabled = this.get(
      'nvmlDeviceGetMigMode',
      (f) => f(h, migCur, migPend),
      () => migCur.readUInt32LE(0),
    );
    const mig = migEnabled === 1 ? this.readMig(h) : [];
    const processes = this.options.processes ? this.readProcesses(h) : undefined;
    return {
      index,
      uuid,
      pciBusId: pci?.busId ?? '',
      name,
      ...(minor !== undefined ? { minor } : {}),
      ...(vbios ? { vbiosVersion: vbios } : {}),
      ...(serial ? { serial } : {}),
      ...(cc ? { computeCap: cc } : {}),
      ...(migEnabled !== undefined ? { migEnabled: migEnabled === 1 } : {}),
      fields,
      ...(mig.length > 0 ? { mig } : {}),
      ...(processes ? { processes } : {}),
    };
  }

  /** GPM profiling fields, NVLink throughput and the vGPU licence: each absent where unsupported. */
  private readDcgmExtras(h: Handle, uuid: string, set: (k: keyof GpuFields, v: number | undefined) => void): void {
    if (this.options.gpm !== false) {
      let prof: Partial<GpuFields> = {};
      try {
        prof = this.gpm.read(this.caller, h, uuid, this.cycleAt);
      } catch (err) {
        // A dead session or a lost GPU is handled as everywhere else; any other failure costs only GPM.
        if (err instanceof SessionLost || err instanceof DeviceLost) throw err;
        this.gpm.forget(this.caller, uuid);
      }
      for (const [k, v] of Object.entries(prof) as [keyof GpuFields, number][]) set(k, v);
    }
    // NVLink: cumulative data KiB over all links (TX + RX); dcgm reports the rate between readings.
    const nv = S.fieldValuesBuffer([S.FI_DEV_NVLINK_LINK_COUNT, S.FI_DEV_NVLINK_THROUGHPUT_DATA_TX, S.FI_DEV_NVLINK_THROUGHPUT_DATA_RX]);
    nv.writeUInt32LE(S.SCOPE_ALL_LINKS, S.FIELD_VALUE_SIZE + 4);
    nv.writeUInt32LE(S.SCOPE_ALL_LINKS, 2 * S.FIELD_VALUE_SIZE + 4);
    if (
      this.get(
        'nvmlDeviceGetFieldValues',
        (f) => f(h, 3, nv),
        () => 1,
      )
    ) {
      const links = S.decodeFieldValue(nv, 0);
      const tx = S.decodeFieldValue(nv, 1);
      const rx = S.decodeFieldValue(nv, 2);
      if (links !== undefined && links > 0 && tx !== undefined && rx !== undefined) set('nvlinkBandwidthTotal', this.nvlinkRate(uuid, tx + rx));
    }
    const mode = Buffer.alloc(4);
    const vgpu = this.get(
      'nvmlDeviceGetVirtualizationMode',
      (f) => f(h, mode),
      () => mode.readUInt32LE(0),
    );
    if (vgpu === S.VIRTUALIZATION_MODE_VGPU) {
      const lic = Buffer.alloc(S.GRID_LICENSABLE_FEATURES_SIZE);
      if (
        this.get(
          'nvmlDeviceGetGridLicensableFeatures_v4',
          (f) => f(h, lic),
          () => 1,
        )
      )
        set('vgpuLicenseStatus', S.decodeGridLicense(lic));
    }
  }

  /** KiB/s since the previous reading of this GPU; undefined on the first one, after a reset or a long gap. */
  private nvlinkRate(uuid: string, kib: number): number | undefined {
    const prev = this.nvlinkPrev.get(uuid);
    const at = this.cycleAt;
    this.nvlinkPrev.set(uuid, { kib, at });
    if (!prev || kib < prev.kib || at <= prev.at || at - prev.at > (this.options.reseedAfterMs ?? 600_000)) return undefined;
    return (kib - prev.kib) / ((at - prev.at) / 1000);
  }

  private readMig(h: Handle): MigSample[] {
    const maxBuf = Buffer.alloc(4);
    if (
      !this.get(
        'nvmlDeviceGetMaxMigDeviceCount',
        (f) => f(h, maxBuf),
        () => 1,
      )
    )
      return [];
    const out: MigSample[] = [];
    for (let k = 0; k < Math.min(maxBuf.readUInt32LE(0), 16); k++) {
      const mb = Buffer.alloc(8);
      // Empty slots answer NOT_FOUND / INVALID_ARGUMENT: skip them.
      if (
        !this.get(
          'nvmlDeviceGetMigDeviceHandleByIndex',
          (f) => f(h, k, mb),
          () => 1,
        )
      )
        continue;
      const mh = mb.readBigUInt64LE(0);
      const gi = Buffer.alloc(4);
      const gpuInstanceId = this.get(
        'nvmlDeviceGetGpuInstanceId',
        (f) => f(mh, gi),
        () => gi.readUInt32LE(0),
      );
      // A MIG device is a compute instance; compute instances of one GPU instance share its
      // memory, so the first one stands for the GPU instance (no duplicate GPU_I_ID rows).
      if (gpuInstanceId === undefined || out.some((x) => x.gpuInstanceId === gpuInstanceId)) continue;
      const attrs = Buffer.alloc(S.DEVICE_ATTRIBUTES_SIZE);
      const profile = this.get(
        'nvmlDeviceGetAttributes_v2',
        (f) => f(mh, attrs),
        () => 1,
      )
        ? S.migProfileName(attrs)
        : 'unknown';
      const uuid = this.str('nvmlDeviceGetUUID', (f, b) => f(mh, b, 96));
      const mem = this.migMemory(mh);
      out.push({
        gpuInstanceId,
        profile,
        ...(uuid ? { uuid } : {}),
        ...(mem ? { fbTotal: mem.total, fbUsed: mem.used, fbFree: mem.free, ...(mem.reserved !== undefined ? { fbReserved: mem.reserved } : {}) } : {}),
      });
    }
    return out;
  }

  /** One MIG device's memory, MiB: v2 (with `reserved`) where supported, else v1. */
  private migMemory(mh: Handle): { total: number; used: number; free: number; reserved?: number } | undefined {
    const m2 = S.memoryV2Buffer();
    if (
      this.get(
        'nvmlDeviceGetMemoryInfo_v2',
        (f) => f(mh, m2),
        () => 1,
      )
    )
      return S.decodeMemoryV2(m2);
    const m1 = Buffer.alloc(S.MEMORY_V1_SIZE);
    return this.get(
      'nvmlDeviceGetMemoryInfo',
      (f) => f(mh, m1),
      () => 1,
    )
      ? S.decodeMemoryV1(m1)
      : undefined;
  }

  private readProcesses(h: Handle): ProcessSample[] | undefined {
    const countBuf = Buffer.alloc(4);
    const first = this.call('nvmlDeviceGetComputeRunningProcesses_v3', (f) => f(h, countBuf, Buffer.alloc(0)));
    if (first === undefined) return undefined;
    if (DEVICE_LOST.has(first)) throw new DeviceLost(first);
    if (first === NVML.SUCCESS) return [];
    if (first !== NVML.ERROR_INSUFFICIENT_SIZE) return undefined;
    // Headroom: processes may start between the two calls, and some 535 drivers wrote a wider element.
    const n = Math.min(countBuf.readUInt32LE(0) + 8, 256);
    countBuf.writeUInt32LE(n, 0);
    const infos = Buffer.alloc(n * 32);
    const rc = this.call('nvmlDeviceGetComputeRunningProcesses_v3', (f) => f(h, countBuf, infos));
    if (rc !== NVML.SUCCESS) return undefined;
    return S.decodeProcessInfos(infos, countBuf.readUInt32LE(0)).map((p) => {
      const nb = Buffer.alloc(256);
      const nrc = this.call('nvmlSystemGetProcessName', (f) => f(p.pid, nb, 256));
      return {
        pid: p.pid,
        name: nrc === NVML.SUCCESS ? (S.cString(nb).split('/').pop() ?? '') : '',
        ...(p.usedMiB !== undefined ? { usedMemory: p.usedMiB } : {}),
      };
    });
  }
}

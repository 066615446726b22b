import type { GpuDeviceSample, GpuSnapshot, GpuSource, LostGpu, MigSample, XidEvent } from '../../types.js';
import { SourceError } from '../../types.js';
import type { FaultsProvider } from './faults.js';
import { DEFAULT_MIG_PROFILES, simulateMigInstances } from './mig-layout.js';

/** Shape of the simulated node. */
export interface SimulatedOptions {
  /** Number of GPUs (default 4). */
  readonly gpus?: number;
  /** How many of them (the first ones) run MIG (default 0). */
  readonly migGpus?: number;
  /** GPU-instance profiles of each MIG GPU (default 3g.40gb, 2g.20gb, 1g.10gb, 1g.10gb). */
  readonly migProfiles?: readonly string[];
  /** Marketing name (default `NVIDIA H100 80GB HBM3`). */
  readonly model?: string;
  /** Sampling interval the energy counter integrates over, ms (default 5000). */
  readonly intervalMs?: number;
  /** Report per-process memory (default false). */
  readonly processes?: boolean;
  /** The GPUs are vGPU guests: DCGM_FI_DEV_VGPU_LICENSE_STATUS is reported (default false). */
  readonly vgpu?: boolean;
  /** Current faults (default none). */
  readonly faults?: FaultsProvider;
  /** Wall clock for XID timestamps (default Date.now). */
  readonly now?: () => number;
}

const FB_TOTAL_MIB = 81559;
const POWER_LIMIT_W = 700;

/** Load pattern of GPU i: busy fraction 0..1 at tick t. */
export function loadAt(index: number, tick: number): number {
  switch (index % 4) {
    case 0: // steady training job
      return 0.9 + 0.05 * Math.sin(tick / 3);
    case 1: // diurnal inference traffic, one "day" per 60 cycles
      return 0.5 + 0.45 * Math.sin((2 * Math.PI * tick) / 60);
    case 2: // bursty batch job: 10 cycles on, 10 off
      return Math.floor(tick / 10) % 2 === 0 ? 0.98 : 0.02;
    default: // allocated but idle
      return 0.01;
  }
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const ratio = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;

/** Plausible GPM readings of a GPU that is busy `load` of the time (a bf16 training/inference mix). */
function profiling(load: number) {
  return {
    profGrEngineActive: ratio(load * 0.98),
    profSmActive: ratio(load * 0.9),
    profPipeTensorActive: ratio(load * 0.55),
    profDramActive: ratio(load * 0.45),
    profPcieTxBytes: Math.round(50_000_000 + load * 500_000_000),
    profPcieRxBytes: Math.round(80_000_000 + load * 2_000_000_000),
  };
}

/**
 * SimulatedSource is a deterministic node of GPUs: the same options and number of collect() calls
 * give the same readings. Faults (lost GPU, XID storm, hang, throw, garbage, ECC) come from a
 * provider that may change at runtime.
 */
export class SimulatedSource implements GpuSource {
  readonly name = 'simulated';
  readonly watchesXid = true;
  private tick = 0;
  private readonly energy: number[];
  private readonly ecc: { sbe: number; dbe: number }[];
  private readonly lostSeen = new Set<number>();
  private closed = false;

  constructor(private readonly options: SimulatedOptions = {}) {
    const n = options.gpus ?? 4;
    this.energy = Array.from({ length: n }, (_, i) => 1_000_000_000 + i * 12_345_678);
    this.ecc = Array.from({ length: n }, () => ({ sbe: 0, dbe: 0 }));
  }

  async collect(signal: AbortSignal): Promise<GpuSnapshot> {
    const faults = this.options.faults?.() ?? {};
    if (faults.hang) {
      // A wedged driver call: ignores the abort signal, returns only when the fault is cleared.
      while (!this.closed && this.options.faults?.().hang) await new Promise((r) => setTimeout(r, 50));
      void signal;
    }
    if (faults.throw) throw new SourceError('simulated driver error', 'error');
    if (faults.garbage) return { devices: 'garbage', lost: 42 } as unknown as GpuSnapshot;
    const tick = this.tick++;
    const now = (this.options.now ?? Date.now)();
    const intervalS = (this.options.intervalMs ?? 5000) / 1000;
    const n = this.options.gpus ?? 4;
    const migGpus = this.options.migGpus ?? 0;
    const lostSet = new Set(faults.lostGpus ?? []);
    const noGpm = new Set(faults.gpmUnsupported ?? []);
    const noNvlink = new Set(faults.nvlinkDown ?? []);
    const unlicensed = new Set(faults.vgpuUnlicensed ?? []);
    // PCIe-only boards have no NVLink; the default H100 80GB HBM3 is an SXM board with NVLink.
    const nvlinkBoard = !/PCIe|L40|L4\b|RTX|A10\b/i.test(this.options.model ?? '');
    const devices: GpuDeviceSample[] = [];
    const lost: LostGpu[] = [];
    const xidEvents: XidEvent[] = [];
    for (let i = 0; i < n; i++) {
      const identity = {
        index: i,
        uuid: `GPU-5a1e0000-0000-4000-8000-${hex(i, 12)}`,
        pciBusId: `00000000:${hex(0x18 + i * 0x10, 2).toUpperCase()}:00.0`,
        name: this.options.model ?? 'NVIDIA H100 80GB HBM3',
      };
      for (const e of faults.ecc ?? []) {
        if (e.gpu !== i) continue;
        this.ecc[i]!.sbe += e.corrected ?? 0;
        this.ecc[i]!.dbe += e.uncorrected ?? 0;
      }
      if (lostSet.has(i)) {
        lost.push({ ...identity, reason: 'GPU_IS_LOST' });
        if (!this.lostSeen.has(i)) xidEvents.push({ gpu: i, xid: 79, at: now });
        this.lostSeen.add(i);
        continue;
      }
      this.lostSeen.delete(i);
      const mig = i < migGpus;
      const load = Math.min(1, Math.max(0, loadAt(i, tick)));
      const power = Math.round((70 + load * 560 + (i % 3) * 7) * 100) / 100;
      this.energy[i]! += Math.round(power * intervalS * 1000);
      const gone = new Set((faults.migInstancesGone ?? []).filter((g) => g.gpu === i).map((g) => g.gpuInstanceId));
      const migs: MigSample[] = mig ? simulateMigInstances(i, this.options.migProfiles ?? DEFAULT_MIG_PROFILES, (k) => loadAt(i + k, tick), gone) : [];
      // A MIG GPU's own framebuffer is the sum of its instances' (what NVML reports with privileges).
      const used = mig ? migs.reduce((a, g) => a + (g.fbUsed ?? 0), 0) : Math.round(800 + load * 60000);
      const reserved = 479;
      const temp = Math.round(32 + load * 40 + (i % 2) * 3);
      const throttling = load > 0.95 ? 0x4 : load < 0.05 ? 0x1 : 0;
      devices.push({
        ...identity,
        minor: i,
        vbiosVersion: '96.00.A5.00.01',
        serial: `165232${hex(i, 7)}`,
        computeCap: '9.0',
        migEnabled: mig,
        fields: {
          // Utilization counters are not supported on MIG-enabled GPUs (absent, like NVML).
          ...(mig ? {} : { gpuUtil: Math.round(load * 100), memCopyUtil: Math.round(load * 35), encUtil: 0, decUtil: 0 }),
          fbTotal: FB_TOTAL_MIB,
          fbReserved: reserved,
          fbUsed: used,
          fbFree: FB_TOTAL_MIB - used - reserved,
          gpuTemp: temp,
          memoryTemp: temp - 5,
          powerUsage: power,
          powerLimit: POWER_LIMIT_W,
          totalEnergy: this.energy[i]!,
          smClock: load > 0.05 ? 1980 : 345,
          memClock: 2619,
          pstate: load > 0.05 ? 0 : 8,
          pcieReplay: 0,
          pcieLinkGen: 5,
          pcieLinkWidth: 16,
          eccSbeVolatile: this.ecc[i]!.sbe,
          eccDbeVolatile: this.ecc[i]!.dbe,
          eccSbeAggregate: this.ecc[i]!.sbe,
          eccDbeAggregate: this.ecc[i]!.dbe,
          correctableRemappedRows: Math.floor(this.ecc[i]!.sbe / 1000),
          uncorrectableRemappedRows: this.ecc[i]!.dbe > 0 ? 1 : 0,
          rowRemapFailure: 0,
          rowRemapPending: this.ecc[i]!.dbe > 0 ? 1 : 0,
          clocksEventReasons: throttling,
          powerViolation: 0,
          thermalViolation: 0,
          ...(noGpm.has(i) ? {} : profiling(load)),
          ...(nvlinkBoard && !noNvlink.has(i) ? { nvlinkBandwidthTotal: Math.round(load * 300_000_000) } : {}),
          ...(this.options.vgpu ? { vgpuLicenseStatus: unlicensed.has(i) ? 0 : 1 } : {}),
        },
        ...(migs.length > 0 ? { mig: migs } : {}),
        ...(this.options.processes ? { processes: load > 0.05 ? [{ pid: 10_000 + i, name: 'python3', usedMemory: used - 500 }] : [] } : {}),
      });
    }
    for (const s of faults.xidStorm ?? []) {
      if (s.gpu >= n) continue;
      for (let k = 0; k < (s.perCycle ?? 10); k++) xidEvents.push({ gpu: s.gpu, xid: s.xid, at: now });
    }
    return { driverVersion: '590.48.01', cudaVersion: '13.1', devices, lost, xidEvents };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

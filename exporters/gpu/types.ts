/**
 * The plain data a GPU source produces once per sampling cycle. Collectors read only this; a field
 * that is absent (undefined) is not supported or not readable and its series is not exported.
 */

/** Per-device numeric fields, in the units of the dcgm-exporter metric they feed. */
export interface GpuFields {
  /** GPU utilization, percent 0-100. */
  gpuUtil?: number;
  /** Memory-copy (memory controller) utilization, percent 0-100. */
  memCopyUtil?: number;
  /** Encoder / decoder utilization, percent 0-100. */
  encUtil?: number;
  decUtil?: number;
  /** Framebuffer memory, MiB. */
  fbTotal?: number;
  fbFree?: number;
  fbUsed?: number;
  fbReserved?: number;
  /** Temperatures, degrees C. */
  gpuTemp?: number;
  memoryTemp?: number;
  /** Power draw and enforced limit, W. */
  powerUsage?: number;
  powerLimit?: number;
  /** Total energy since driver load, mJ (counter). */
  totalEnergy?: number;
  /** Clocks, MHz. */
  smClock?: number;
  memClock?: number;
  /** Fan speed, percent of max (may exceed 100). */
  fanSpeed?: number;
  /** Performance state 0-15. */
  pstate?: number;
  /** PCIe replay counter (counter). */
  pcieReplay?: number;
  /** PCIe link generation and width. */
  pcieLinkGen?: number;
  pcieLinkWidth?: number;
  /** ECC error totals (counters): single-bit = corrected, double-bit = uncorrected. */
  eccSbeVolatile?: number;
  eccDbeVolatile?: number;
  eccSbeAggregate?: number;
  eccDbeAggregate?: number;
  /** Row remapping (counters / 0-1 gauge). */
  correctableRemappedRows?: number;
  uncorrectableRemappedRows?: number;
  rowRemapFailure?: number;
  rowRemapPending?: number;
  /** Bitmask of current clock-event (throttle) reasons; decoded by the collector. */
  clocksEventReasons?: number;
  /** Cumulative throttle durations, ns (counters). */
  powerViolation?: number;
  thermalViolation?: number;
  /** Profiling (DCGM_FI_PROF_*) from NVML GPM over the last sample interval: ratios 0-1. */
  profGrEngineActive?: number;
  profSmActive?: number;
  profPipeTensorActive?: number;
  profDramActive?: number;
  /** PCIe traffic over the last sample interval, bytes/s (TX = device to host). */
  profPcieTxBytes?: number;
  profPcieRxBytes?: number;
  /** NVLink data throughput, all links, TX + RX, KiB/s over the last sample interval. */
  nvlinkBandwidthTotal?: number;
  /** vGPU guest licence: 1 licensed, 0 not (absent on bare metal and passthrough). */
  vgpuLicenseStatus?: number;
}

/** One MIG device (GPU instance) of a MIG-enabled GPU. */
export interface MigSample {
  /** NVML GPU-instance id (`GPU_I_ID`). */
  readonly gpuInstanceId: number;
  /** Profile name such as `1g.10gb` (`GPU_I_PROFILE`). */
  readonly profile: string;
  readonly uuid?: string;
  /** Framebuffer of this instance, MiB. */
  readonly fbTotal?: number;
  readonly fbUsed?: number;
  readonly fbFree?: number;
  readonly fbReserved?: number;
  /**
   * Activity of this instance (ratios 0-1, like dcgm's DCGM_FI_PROF_* fields). The classic
   * utilization counters are N/A under MIG; only a profiling source (NVML GPM per GPU instance)
   * can fill this. Absent: no per-instance activity series.
   */
  readonly activity?: MigActivity;
}

/** Per-MIG-instance profiling readings, ratios 0-1 (hook for the GPM reader). */
export interface MigActivity {
  /** DCGM_FI_PROF_GR_ENGINE_ACTIVE: share of time the graphics/compute engine was busy. */
  readonly grEngineActive?: number;
  /** DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: share of cycles any tensor pipe was busy. */
  readonly pipeTensorActive?: number;
  /** DCGM_FI_PROF_DRAM_ACTIVE: share of cycles the memory interface was busy. */
  readonly dramActive?: number;
}

/** One process using a GPU (opt-in, per-process memory). */
export interface ProcessSample {
  readonly pid: number;
  readonly name: string;
  /** MiB. */
  readonly usedMemory?: number;
}

/** Identity and readings of one GPU. */
export interface GpuDeviceSample {
  readonly index: number;
  readonly uuid: string;
  /** `00000000:3B:00.0` */
  readonly pciBusId: string;
  /** Marketing name, e.g. `NVIDIA H100 80GB HBM3`. */
  readonly name: string;
  /** `/dev/nvidia<minor>`; defaults to the index. */
  readonly minor?: number;
  readonly vbiosVersion?: string;
  readonly serial?: string;
  readonly computeCap?: string;
  readonly migEnabled?: boolean;
  readonly fields: GpuFields;
  readonly mig?: readonly MigSample[];
  readonly processes?: readonly ProcessSample[];
}

/** An XID error seen since the previous cycle. */
export interface XidEvent {
  /** Device index. */
  readonly gpu: number;
  readonly xid: number;
  /** Milliseconds since epoch. */
  readonly at: number;
}

/** A GPU that was present earlier and is now gone (fallen off the bus, lost, not found). */
export interface LostGpu {
  readonly index: number;
  readonly uuid: string;
  readonly pciBusId: string;
  readonly name: string;
  /** Why, e.g. `GPU_IS_LOST`. */
  readonly reason: string;
}

/** Everything one sampling cycle read. */
export interface GpuSnapshot {
  readonly driverVersion?: string;
  readonly cudaVersion?: string;
  readonly devices: readonly GpuDeviceSample[];
  readonly lost: readonly LostGpu[];
  readonly xidEvents: readonly XidEvent[];
}

/** Why a collection failed, for `vigil_exporter_collect_failures_total{reason}`. */
export type FailureReason = 'timeout' | 'error' | 'invalid' | 'driver' | 'busy';

/** A collection failure with a reason the self-health metrics can count. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly reason: FailureReason,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/** GpuSource reads every GPU on the node once per call; implementations: nvml, nvidia-smi, simulated. */
export interface GpuSource {
  readonly name: string;
  /** Reads one snapshot. May throw (a SourceError carries the failure reason) or never settle. */
  collect(signal: AbortSignal): Promise<GpuSnapshot>;
  /** The source sees XID events (DCGM_FI_DEV_XID_ERRORS reads 0 before the first one); false or absent: unknown, not exported. */
  readonly watchesXid?: boolean;
  /** XID events that arrived outside a collection (NVML event set); drained once per cycle. */
  drainXidEvents?(): XidEvent[];
  /** Releases threads, handles, children. */
  close(): Promise<void>;
}

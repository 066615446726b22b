/**
 * DCGM's profiling fields (DCGM_FI_PROF_*) from NVML's GPM API, without a DCGM host engine.
 *
 * GPM reports a metric over the interval between two samples of the device. Each supported GPU
 * keeps two sample buffers alive across collections: a collection fills the buffer not holding the
 * previous reading, computes the metrics against the previous one and the two swap roles. The first
 * collection of a GPU (and the first after a long gap or a failed sample) only seeds.
 *
 * Conversions follow dcgm: GPM's utilisations are percent 0-100 → ratios 0-1; its PCIe throughputs
 * are MiB/s → bytes/s. Written against the NVML header (nvml.h, API 13) and tested with a fake
 * library only: no Hopper GPU was available to check the values against dcgm (see BENCHMARKS.md).
 */
import type { GpuFields } from '../../types.js';
import { NVML, type Handle, type NvmlApi, type NvmlSymbol } from './nvml-api.js';

/** Calls an NVML symbol through the session (with its lifecycle handling); undefined when the library lacks it. */
export type NvmlCall = <K extends NvmlSymbol>(name: K, invoke: (f: NvmlApi[K]) => number) => number | undefined;

/** nvmlGpmMetricId_t values used here. */
export const GPM_METRIC = {
  GRAPHICS_UTIL: 1,
  SM_UTIL: 2,
  ANY_TENSOR_UTIL: 5,
  DRAM_BW_UTIL: 10,
  PCIE_TX_PER_SEC: 20,
  PCIE_RX_PER_SEC: 21,
} as const;

type Unit = 'percent' | 'MiB/s';

/** GPM metric → the GpuFields key of its dcgm field, and GPM's unit. */
const METRICS: readonly (readonly [number, keyof GpuFields, Unit])[] = [
  [GPM_METRIC.GRAPHICS_UTIL, 'profGrEngineActive', 'percent'],
  [GPM_METRIC.SM_UTIL, 'profSmActive', 'percent'],
  [GPM_METRIC.ANY_TENSOR_UTIL, 'profPipeTensorActive', 'percent'],
  [GPM_METRIC.DRAM_BW_UTIL, 'profDramActive', 'percent'],
  [GPM_METRIC.PCIE_TX_PER_SEC, 'profPcieTxBytes', 'MiB/s'],
  [GPM_METRIC.PCIE_RX_PER_SEC, 'profPcieRxBytes', 'MiB/s'],
];

/** nvmlGpmSupport_t: version @0 (NVML_GPM_SUPPORT_VERSION = 1), isSupportedDevice @4. */
export const GPM_SUPPORT_SIZE = 8;
export const GPM_SUPPORT_VERSION = 1;
/** nvmlGpmMetricsGet_t: version @0 (= 1), numMetrics @4, sample1 @8, sample2 @16, metrics[] @24. */
export const GPM_METRICS_GET_VERSION = 1;
export const GPM_METRICS_OFFSET = 24;
/** nvmlGpmMetric_t: metricId @0, nvmlReturn @4, value (double) @8, metricInfo (3 char*) @16. */
export const GPM_METRIC_SIZE = 40;
/**
 * NVML_GPM_METRIC_MAX grew across headers (98 → 210 → 333) while the struct version stayed 1: the
 * buffer is sized for the largest so a driver never writes past it; numMetrics stays small.
 */
export const GPM_METRIC_MAX = 333;
export const GPM_METRICS_GET_SIZE = GPM_METRICS_OFFSET + GPM_METRIC_MAX * GPM_METRIC_SIZE;

/** GPM requires the two samples to be more than 100 ms apart. */
const MIN_INTERVAL_MS = 100;
const MIB = 2 ** 20;

/** A filled nvmlGpmMetricsGet_t asking for `ids` between two samples. */
export function gpmMetricsGetBuffer(sample1: Handle, sample2: Handle, ids: readonly number[]): Buffer {
  const b = Buffer.alloc(GPM_METRICS_GET_SIZE);
  b.writeUInt32LE(GPM_METRICS_GET_VERSION, 0);
  b.writeUInt32LE(ids.length, 4);
  b.writeBigUInt64LE(sample1, 8);
  b.writeBigUInt64LE(sample2, 16);
  ids.forEach((id, i) => b.writeUInt32LE(id, GPM_METRICS_OFFSET + i * GPM_METRIC_SIZE));
  return b;
}

/** Converts a GPM reading to dcgm's unit; undefined for a value no counter could produce. */
export function toDcgmUnit(value: number, unit: Unit): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  // A ratio may overshoot 100 % by sampling jitter; dcgm's ratios stay within 0-1.
  return unit === 'percent' ? Math.min(value, 100) / 100 : value * MIB;
}

interface DeviceSamples {
  readonly samples: readonly [Handle, Handle];
  /** Which of the two holds the previous reading; -1 when there is none (seed next). */
  prev: number;
  /** When the previous reading was taken, ms. */
  prevAt: number;
}

export interface GpmOptions {
  /** A previous sample older than this is not used: seed again (default 10 min). */
  readonly reseedAfterMs?: number;
}

/** GpmSampler holds the GPM sample handles of every GPU of one NVML session. */
export class GpmSampler {
  private readonly support = new Map<string, boolean>();
  private readonly devices = new Map<string, DeviceSamples>();

  constructor(private readonly options: GpmOptions = {}) {}

  /** GPUs with live sample handles (tests read it). */
  get sampling(): number {
    return this.devices.size;
  }

  /**
   * The profiling fields of one GPU over the interval since its previous reading; `{}` when GPM is
   * not supported, on a seeding collection, or when a GPM call fails (the other fields are unaffected).
   */
  read(call: NvmlCall, h: Handle, uuid: string, now: number): Partial<GpuFields> {
    if (!this.supported(call, h, uuid)) return {};
    let st = this.devices.get(uuid);
    if (!st) {
      st = this.alloc(call);
      if (!st) return {};
      this.devices.set(uuid, st);
    }
    const cur = st.prev === 0 ? 1 : 0;
    if (call('nvmlGpmSampleGet', (f) => f(h, st.samples[cur])) !== NVML.SUCCESS) {
      st.prev = -1;
      return {};
    }
    const prev = st.prev;
    const gap = now - st.prevAt;
    // Too soon after the previous reading: keep that one as the baseline.
    if (prev >= 0 && gap >= 0 && gap <= MIN_INTERVAL_MS) return {};
    st.prev = cur;
    st.prevAt = now;
    if (prev < 0 || gap < 0 || gap > (this.options.reseedAfterMs ?? 600_000)) return {};
    const [a, b] = st.samples;
    const buf = gpmMetricsGetBuffer(
      prev === 0 ? a : b,
      cur === 0 ? a : b,
      METRICS.map(([id]) => id),
    );
    if (call('nvmlGpmMetricsGet', (f) => f(buf)) !== NVML.SUCCESS) return {};
    const out: Partial<GpuFields> = {};
    METRICS.forEach(([, key, unit], i) => {
      const o = GPM_METRICS_OFFSET + i * GPM_METRIC_SIZE;
      if (buf.readUInt32LE(o + 4) !== NVML.SUCCESS) return;
      const v = toDcgmUnit(buf.readDoubleLE(o + 8), unit);
      if (v !== undefined) out[key] = v;
    });
    return out;
  }

  /** Frees one GPU's samples (after an unexpected failure); the next read allocates and seeds again. */
  forget(call: NvmlCall, uuid: string): void {
    const st = this.devices.get(uuid);
    this.devices.delete(uuid);
    if (st) for (const s of st.samples) quietly(() => call('nvmlGpmSampleFree', (f) => f(s)));
  }

  /** Frees every sample handle (before nvmlShutdown): handles do not outlive their session. */
  freeAll(call: NvmlCall): void {
    for (const uuid of [...this.devices.keys()]) this.forget(call, uuid);
    this.support.clear();
  }

  private supported(call: NvmlCall, h: Handle, uuid: string): boolean {
    const known = this.support.get(uuid);
    if (known !== undefined) return known;
    const b = Buffer.alloc(GPM_SUPPORT_SIZE);
    b.writeUInt32LE(GPM_SUPPORT_VERSION, 0);
    const rc = call('nvmlGpmQueryDeviceSupport', (f) => f(h, b));
    // A library without GPM, or a GPU that says no: remembered for this session. Other errors: ask again next time.
    if (rc === undefined || rc === NVML.ERROR_NOT_SUPPORTED || rc === NVML.ERROR_FUNCTION_NOT_FOUND) {
      this.support.set(uuid, false);
      return false;
    }
    if (rc !== NVML.SUCCESS) return false;
    const yes = b.readUInt32LE(4) !== 0;
    this.support.set(uuid, yes);
    return yes;
  }

  private alloc(call: NvmlCall): DeviceSamples | undefined {
    const take = (): Handle | undefined => {
      const b = Buffer.alloc(8);
      return call('nvmlGpmSampleAlloc', (f) => f(b)) === NVML.SUCCESS ? b.readBigUInt64LE(0) : undefined;
    };
    const a = take();
    if (a === undefined) return undefined;
    const b = take();
    if (b === undefined) {
      quietly(() => call('nvmlGpmSampleFree', (f) => f(a)));
      return undefined;
    }
    return { samples: [a, b], prev: -1, prevAt: 0 };
  }
}

function quietly(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // Freeing during a dead session: the handle goes with the session.
  }
}

import type { GpuDeviceSample, GpuFields, GpuSnapshot, MigSample } from '../types.js';
import type { Labels, MetricFamily, Sample } from '../exposition.js';
import type { ExporterMetric } from '../metric-catalog.js';
import type { XidTracker } from '../xid-tracker.js';

/** What every GPU collector reads: the last good snapshot (absent after a failed collection). */
export interface CollectInput {
  readonly snapshot: GpuSnapshot | undefined;
  /** Node name for the `Hostname` label. */
  readonly hostname: string;
  /** XID history, kept outside the collection so it survives failed collections. */
  readonly xid: XidTracker;
  /** Wall-clock now, ms; the XID window is relative to it. */
  readonly now: number;
  /** The source watches XIDs: every GPU gets DCGM_FI_DEV_XID_ERRORS, 0 until its first XID. */
  readonly watchesXid?: boolean;
}

/** A collector turns the current state into metric families; pure, no I/O. */
export type Collector = (input: CollectInput) => MetricFamily[];

/** dcgm-exporter's per-GPU labels: gpu, UUID, pci_bus_id, device, modelName, Hostname. */
export function gpuLabels(d: Pick<GpuDeviceSample, 'index' | 'uuid' | 'pciBusId' | 'name' | 'minor'>, hostname: string): Labels {
  return [
    ['gpu', String(d.index)],
    ['UUID', d.uuid],
    ['pci_bus_id', d.pciBusId],
    ['device', `nvidia${d.minor ?? d.index}`],
    ['modelName', d.name],
    ['Hostname', hostname],
  ];
}

/** GPU labels plus the MIG instance's GPU_I_PROFILE and GPU_I_ID. */
export function migLabels(d: GpuDeviceSample, mig: MigSample, hostname: string): Labels {
  return [...gpuLabels(d, hostname), ['GPU_I_PROFILE', mig.profile], ['GPU_I_ID', String(mig.gpuInstanceId)]];
}

/** One family with one sample per device that has `field`; devices without it get no series. */
export function perDevice(metric: ExporterMetric, field: keyof GpuFields, input: CollectInput): MetricFamily {
  const samples: Sample[] = [];
  for (const d of input.snapshot?.devices ?? []) {
    const v = d.fields[field];
    if (v !== undefined) samples.push({ labels: gpuLabels(d, input.hostname), value: v });
  }
  return { metric, samples };
}

import type { GpuDeviceSample, GpuFields, GpuSnapshot, LostGpu, MigSample, ProcessSample, XidEvent } from './types.js';
import { SourceError } from './types.js';

/** Caps that keep the series count bounded whatever a source returns. */
export interface SeriesLimits {
  /** GPUs per node (default 64). */
  readonly maxGpus: number;
  /** MIG instances per GPU (default 16). */
  readonly maxMigPerGpu: number;
  /** Processes per GPU (default 32). */
  readonly maxProcessesPerGpu: number;
  /** XID events per cycle (default 10000). */
  readonly maxXidEvents: number;
}

export const DEFAULT_LIMITS: SeriesLimits = { maxGpus: 64, maxMigPerGpu: 16, maxProcessesPerGpu: 32, maxXidEvents: 10_000 };

/** Fields that may be any finite number (everything else must also be >= 0). */
const SIGNED_FIELDS: ReadonlySet<keyof GpuFields> = new Set(['gpuTemp', 'memoryTemp']);
/** Upper bounds that catch sentinels (0xFFFFFFFF, DCGM blanks) leaking through as values. */
const MAX_VALUE: Partial<Record<keyof GpuFields, number>> = {
  gpuUtil: 100,
  memCopyUtil: 100,
  encUtil: 100,
  decUtil: 100,
  gpuTemp: 300,
  memoryTemp: 300,
  pstate: 15,
  rowRemapFailure: 1,
  rowRemapPending: 1,
  profGrEngineActive: 1,
  profSmActive: 1,
  profPipeTensorActive: 1,
  profDramActive: 1,
  vgpuLicenseStatus: 1,
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 256): string | undefined => (typeof v === 'string' ? v.slice(0, max) : undefined);

/**
 * Checks what a source returned and keeps only well-formed parts: a non-object or a device list
 * that is not a list is `invalid` (the collection fails); a bad field or row is dropped and
 * counted, so one garbage value never takes the other series down.
 */
export function sanitizeSnapshot(raw: unknown, limits: SeriesLimits = DEFAULT_LIMITS): { snapshot: GpuSnapshot; dropped: number } {
  if (!isObj(raw) || !Array.isArray(raw.devices)) throw new SourceError('source returned no device list', 'invalid');
  let dropped = 0;
  const devices: GpuDeviceSample[] = [];
  const seen = new Set<number>();
  for (const d of raw.devices as unknown[]) {
    const dev = sanitizeDevice(d, limits);
    if (!dev || seen.has(dev.device.index)) {
      dropped++;
      continue;
    }
    if (devices.length >= limits.maxGpus) {
      dropped++;
      continue;
    }
    seen.add(dev.device.index);
    dropped += dev.dropped;
    devices.push(dev.device);
  }
  const lost: LostGpu[] = [];
  for (const l of Array.isArray(raw.lost) ? (raw.lost as unknown[]) : []) {
    if (isObj(l) && Number.isInteger(l.index) && (l.index as number) >= 0 && !seen.has(l.index as number) && lost.length < limits.maxGpus) {
      lost.push({
        index: l.index as number,
        uuid: str(l.uuid) ?? '',
        pciBusId: str(l.pciBusId) ?? '',
        name: str(l.name) ?? '',
        reason: str(l.reason, 64) ?? 'unknown',
      });
    } else dropped++;
  }
  const xidEvents: XidEvent[] = [];
  for (const e of Array.isArray(raw.xidEvents) ? (raw.xidEvents as unknown[]) : []) {
    if (
      isObj(e) &&
      Number.isInteger(e.gpu) &&
      Number.isInteger(e.xid) &&
      (e.xid as number) >= 0 &&
      typeof e.at === 'number' &&
      Number.isFinite(e.at) &&
      xidEvents.length < limits.maxXidEvents
    ) {
      xidEvents.push({ gpu: e.gpu as number, xid: e.xid as number, at: e.at });
    } else dropped++;
  }
  const snapshot: GpuSnapshot = {
    ...(str(raw.driverVersion, 64) !== undefined ? { driverVersion: str(raw.driverVersion, 64)! } : {}),
    ...(str(raw.cudaVersion, 64) !== undefined ? { cudaVersion: str(raw.cudaVersion, 64)! } : {}),
    devices: devices.sort((a, b) => a.index - b.index),
    lost,
    xidEvents,
  };
  return { snapshot, dropped };
}

function sanitizeDevice(d: unknown, limits: SeriesLimits): { device: GpuDeviceSample; dropped: number } | undefined {
  if (!isObj(d) || !Number.isInteger(d.index) || (d.index as number) < 0 || (d.index as number) > 1023) return undefined;
  const uuid = str(d.uuid);
  if (uuid === undefined) return undefined;
  let dropped = 0;
  const fields: GpuFields = {};
  if (isObj(d.fields)) {
    for (const [k, v] of Object.entries(d.fields)) {
      const key = k as keyof GpuFields;
      if (!FIELD_KEYS.has(key)) {
        dropped++;
        continue;
      }
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || (!SIGNED_FIELDS.has(key) && v < 0) || v > (MAX_VALUE[key] ?? Number.MAX_SAFE_INTEGER * 1024)) {
        dropped++;
        continue;
      }
      fields[key] = v;
    }
  }
  const mig: MigSample[] = [];
  for (const g of Array.isArray(d.mig) ? (d.mig as unknown[]) : []) {
    // One row per GPU instance: a second compute instance of the same GI would duplicate series.
    if (
      !isObj(g) ||
      !Number.isInteger(g.gpuInstanceId) ||
      typeof g.profile !== 'string' ||
      mig.length >= limits.maxMigPerGpu ||
      mig.some((x) => x.gpuInstanceId === g.gpuInstanceId)
    ) {
      dropped++;
      continue;
    }
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
    // An activity reading outside 0-1 is invalid: counted as dropped, like an invalid field.
    const ratio = (v: unknown) => {
      if (typeof v === 'number' && v >= 0 && v <= 1) return v;
      if (v !== undefined) dropped++;
      return undefined;
    };
    const a = isObj(g.activity) ? g.activity : {};
    const activity = {
      ...opt('grEngineActive', ratio(a.grEngineActive)),
      ...opt('pipeTensorActive', ratio(a.pipeTensorActive)),
      ...opt('dramActive', ratio(a.dramActive)),
    };
    mig.push({
      gpuInstanceId: g.gpuInstanceId as number,
      profile: g.profile.slice(0, 64),
      ...(str(g.uuid) ? { uuid: str(g.uuid)! } : {}),
      ...opt('fbTotal', num(g.fbTotal)),
      ...opt('fbUsed', num(g.fbUsed)),
      ...opt('fbFree', num(g.fbFree)),
      ...opt('fbReserved', num(g.fbReserved)),
      ...(Object.keys(activity).length > 0 ? { activity } : {}),
    });
  }
  let processes: ProcessSample[] | undefined;
  if (Array.isArray(d.processes)) {
    processes = [];
    for (const p of d.processes as unknown[]) {
      if (!isObj(p) || !Number.isInteger(p.pid) || processes.length >= limits.maxProcessesPerGpu) {
        dropped++;
        continue;
      }
      const mem = typeof p.usedMemory === 'number' && Number.isFinite(p.usedMemory) && p.usedMemory >= 0 ? p.usedMemory : undefined;
      processes.push({ pid: p.pid as number, name: str(p.name, 128) ?? '', ...opt('usedMemory', mem) });
    }
  }
  const device: GpuDeviceSample = {
    index: d.index as number,
    uuid,
    pciBusId: str(d.pciBusId, 64) ?? '',
    name: str(d.name, 128) ?? '',
    ...(Number.isInteger(d.minor) ? { minor: d.minor as number } : {}),
    ...opt('vbiosVersion', str(d.vbiosVersion, 64)),
    ...opt('serial', str(d.serial, 64)),
    ...opt('computeCap', str(d.computeCap, 16)),
    ...(typeof d.migEnabled === 'boolean' ? { migEnabled: d.migEnabled } : {}),
    fields,
    ...(mig.length > 0 ? { mig } : {}),
    ...(processes ? { processes } : {}),
  };
  return { device, dropped };
}

function opt<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return v === undefined ? {} : ({ [key]: v } as { [P in K]?: V });
}

const FIELD_KEYS: ReadonlySet<keyof GpuFields> = new Set<keyof GpuFields>([
  'gpuUtil',
  'memCopyUtil',
  'encUtil',
  'decUtil',
  'fbTotal',
  'fbFree',
  'fbUsed',
  'fbReserved',
  'gpuTemp',
  'memoryTemp',
  'powerUsage',
  'powerLimit',
  'totalEnergy',
  'smClock',
  'memClock',
  'fanSpeed',
  'pstate',
  'pcieReplay',
  'pcieLinkGen',
  'pcieLinkWidth',
  'eccSbeVolatile',
  'eccDbeVolatile',
  'eccSbeAggregate',
  'eccDbeAggregate',
  'correctableRemappedRows',
  'uncorrectableRemappedRows',
  'rowRemapFailure',
  'rowRemapPending',
  'clocksEventReasons',
  'powerViolation',
  'thermalViolation',
  'profGrEngineActive',
  'profSmActive',
  'profPipeTensorActive',
  'profDramActive',
  'profPcieTxBytes',
  'profPcieRxBytes',
  'nvlinkBandwidthTotal',
  'vgpuLicenseStatus',
]);

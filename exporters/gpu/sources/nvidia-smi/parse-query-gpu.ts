import type { GpuDeviceSample, GpuFields } from '../../types.js';

type Conv = 'num' | 'pstate' | 'bool' | 'hex' | 'us-to-ns';

/** `--query-gpu` field → GpuFields key and conversion (units match the dcgm metric). */
export const FIELD_MAP: Readonly<Record<string, readonly [keyof GpuFields, Conv]>> = {
  'utilization.gpu': ['gpuUtil', 'num'],
  'utilization.memory': ['memCopyUtil', 'num'],
  'utilization.encoder': ['encUtil', 'num'],
  'utilization.decoder': ['decUtil', 'num'],
  'memory.total': ['fbTotal', 'num'],
  'memory.free': ['fbFree', 'num'],
  'memory.used': ['fbUsed', 'num'],
  'memory.reserved': ['fbReserved', 'num'],
  'temperature.gpu': ['gpuTemp', 'num'],
  'temperature.memory': ['memoryTemp', 'num'],
  'power.draw': ['powerUsage', 'num'],
  'enforced.power.limit': ['powerLimit', 'num'],
  'clocks.current.sm': ['smClock', 'num'],
  'clocks.current.memory': ['memClock', 'num'],
  'fan.speed': ['fanSpeed', 'num'],
  pstate: ['pstate', 'pstate'],
  'pcie.link.gen.current': ['pcieLinkGen', 'num'],
  'pcie.link.width.current': ['pcieLinkWidth', 'num'],
  'ecc.errors.corrected.volatile.total': ['eccSbeVolatile', 'num'],
  'ecc.errors.uncorrected.volatile.total': ['eccDbeVolatile', 'num'],
  'ecc.errors.corrected.aggregate.total': ['eccSbeAggregate', 'num'],
  'ecc.errors.uncorrected.aggregate.total': ['eccDbeAggregate', 'num'],
  'remapped_rows.correctable': ['correctableRemappedRows', 'num'],
  'remapped_rows.uncorrectable': ['uncorrectableRemappedRows', 'num'],
  'remapped_rows.failure': ['rowRemapFailure', 'bool'],
  'remapped_rows.pending': ['rowRemapPending', 'bool'],
  'clocks_event_reasons.active': ['clocksEventReasons', 'hex'],
  'clocks_event_reasons_counters.sw_power_cap': ['powerViolation', 'us-to-ns'],
};

/** Identity fields (strings). */
export const IDENTITY_FIELDS = ['index', 'uuid', 'pci.bus_id', 'name', 'serial', 'vbios_version', 'driver_version', 'compute_cap', 'mig.mode.current'] as const;

/** Thermal throttle counters (µs), summed into thermalViolation (ns). */
export const THERMAL_COUNTER_FIELDS = ['clocks_event_reasons_counters.sw_thermal_slowdown', 'clocks_event_reasons_counters.hw_thermal_slowdown'] as const;

/** The field list the source queries, identity first. */
export const QUERY_FIELDS: readonly string[] = [...IDENTITY_FIELDS, ...Object.keys(FIELD_MAP), ...THERMAL_COUNTER_FIELDS];

/** One parsed `--query-gpu` output. */
export interface ParsedQueryGpu {
  readonly devices: GpuDeviceSample[];
  readonly driverVersion?: string;
  /** Rows that could not be read (wrong column count, no index/uuid). */
  readonly badRows: number;
}

/** True for cells nvidia-smi prints when a value is not available: empty, N/A, or any `[...]` note. */
export function isAbsentCell(cell: string): boolean {
  const c = cell.trim();
  return c === '' || /^n\/a$/i.test(c) || /^\[.*\]$/.test(c) || /^(Unknown Error|Not Supported)$/i.test(c);
}

const UNIT_SUFFIX = / ?(MiB|GiB|KiB|W|MHz|%|us|ms|C|s)$/;

/** Parses one cell for `conv`; undefined when absent, malformed or not finite. */
export function parseCell(cell: string, conv: Conv): number | undefined {
  if (isAbsentCell(cell)) return undefined;
  const c = cell.trim();
  switch (conv) {
    case 'pstate': {
      const m = /^P(\d{1,2})$/.exec(c);
      return m ? Number(m[1]) : undefined;
    }
    case 'bool':
      if (/^(yes|enabled|active)$/i.test(c)) return 1;
      if (/^(no|disabled|not active)$/i.test(c)) return 0;
      return undefined;
    case 'hex': {
      if (!/^0x[0-9a-fA-F]{1,16}$/.test(c)) return undefined;
      return Number(BigInt(c));
    }
    case 'num':
    case 'us-to-ns': {
      const bare = c.replace(UNIT_SUFFIX, '');
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(bare)) return undefined;
      const v = Number(bare) * (conv === 'us-to-ns' ? 1000 : 1);
      return Number.isFinite(v) ? v : undefined;
    }
  }
}

/** `memory.used [MiB]` → `memory.used`. */
export function headerField(h: string): string {
  return h.trim().replace(/ \[[^\]]*\]$/, '');
}

/** Splits a CSV row the way nvidia-smi writes it: `, ` between cells, no quoting. */
export function splitRow(line: string): string[] {
  return line.split(',').map((c) => c.trim());
}

/**
 * Parses `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]` output. With `fields` the
 * output has no header and columns are those fields; otherwise the first line is the header (units
 * in brackets are stripped). Cells with units (`433.78 W`) and without are both read. Never throws.
 */
export function parseQueryGpu(text: string, fields?: readonly string[]): ParsedQueryGpu {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  let header: string[];
  if (fields) header = [...fields];
  else {
    const first = lines.shift();
    if (first === undefined) return { devices: [], badRows: 0 };
    header = splitRow(first).map(headerField);
  }
  const devices: GpuDeviceSample[] = [];
  let badRows = 0;
  let driverVersion: string | undefined;
  for (const line of lines) {
    const cells = splitRow(line);
    // A value with a comma would shift every column after it: refuse the row rather than guess.
    if (cells.length !== header.length) {
      badRows++;
      continue;
    }
    const row = new Map<string, string>();
    header.forEach((h, i) => row.set(h, cells[i]!));
    const text = (k: string) => {
      const v = row.get(k);
      return v === undefined || isAbsentCell(v) ? undefined : v;
    };
    const indexText = text('index');
    const uuid = text('uuid');
    if (indexText === undefined || !/^\d{1,4}$/.test(indexText) || uuid === undefined) {
      badRows++;
      continue;
    }
    const fieldsOut: GpuFields = {};
    for (const [name, [key, conv]] of Object.entries(FIELD_MAP)) {
      const cell = row.get(name);
      if (cell === undefined) continue;
      const v = parseCell(cell, conv);
      if (v !== undefined) fieldsOut[key] = v;
    }
    const thermal = THERMAL_COUNTER_FIELDS.map((k) => parseCell(row.get(k) ?? '', 'us-to-ns'));
    if (thermal.some((v) => v !== undefined)) fieldsOut.thermalViolation = thermal.reduce<number>((a, v) => a + (v ?? 0), 0);
    const migMode = text('mig.mode.current');
    driverVersion ??= text('driver_version');
    const vbios = text('vbios_version');
    const serial = text('serial');
    const cc = text('compute_cap');
    devices.push({
      index: Number(indexText),
      uuid,
      pciBusId: text('pci.bus_id') ?? '',
      name: text('name') ?? '',
      ...(vbios ? { vbiosVersion: vbios } : {}),
      ...(serial ? { serial } : {}),
      ...(cc ? { computeCap: cc } : {}),
      ...(migMode ? { migEnabled: /^enabled$/i.test(migMode) } : {}),
      fields: fieldsOut,
    });
  }
  return { devices, badRows, ...(driverVersion ? { driverVersion } : {}) };
}

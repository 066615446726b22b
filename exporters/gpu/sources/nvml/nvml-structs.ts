/** Struct layouts of the NVML header on x86-64 / aarch64 Linux (offsets in bytes). */

/** `nvmlMemory_v2` version word: sizeof(nvmlMemory_v2_t) | 2 << 24. */
export const MEMORY_V2_VERSION = 0x02000028;
export const MEMORY_V2_SIZE = 40;
export const MEMORY_V1_SIZE = 24;
export const PCI_INFO_SIZE = 68;
export const UTILIZATION_SIZE = 8;
export const EVENT_DATA_SIZE = 32;
export const PROCESS_INFO_SIZE = 24;
export const FIELD_VALUE_SIZE = 40;
export const VIOLATION_TIME_SIZE = 16;
export const DEVICE_ATTRIBUTES_SIZE = 40;

const MIB = 2 ** 20;

/** NUL-terminated C string from a buffer. */
export function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

/** u64 as a JS number (exact below 2^53, which covers every counter NVML returns in practice). */
export function u64(buf: Buffer, offset = 0): number {
  return Number(buf.readBigUInt64LE(offset));
}

/** nvmlMemory_v2_t → MiB: total @8, reserved @16, free @24, used @32. */
export function decodeMemoryV2(buf: Buffer): { total: number; reserved: number; free: number; used: number } {
  return { total: u64(buf, 8) / MIB, reserved: u64(buf, 16) / MIB, free: u64(buf, 24) / MIB, used: u64(buf, 32) / MIB };
}

/** nvmlMemory_t → MiB: total @0, free @8, used @16 (used includes reserved). */
export function decodeMemoryV1(buf: Buffer): { total: number; free: number; used: number } {
  return { total: u64(buf, 0) / MIB, free: u64(buf, 8) / MIB, used: u64(buf, 16) / MIB };
}

/** A zeroed nvmlMemory_v2_t with its version word set, ready to pass in. */
export function memoryV2Buffer(): Buffer {
  const b = Buffer.alloc(MEMORY_V2_SIZE);
  b.writeUInt32LE(MEMORY_V2_VERSION, 0);
  return b;
}

/** nvmlUtilization_t: gpu @0, memory @4 (percent). */
export function decodeUtilization(buf: Buffer): { gpu: number; memory: number } {
  return { gpu: buf.readUInt32LE(0), memory: buf.readUInt32LE(4) };
}

/** nvmlPciInfo_t (v3): busId char[32] @36 (the legacy 16-byte id is at @0). */
export function decodePciInfo(buf: Buffer): { busId: string; pciDeviceId: number } {
  return { busId: cString(buf.subarray(36, 68)) || cString(buf.subarray(0, 16)), pciDeviceId: buf.readUInt32LE(28) };
}

/** nvmlEventData_t: device @0 (pointer), eventType @8, eventData @16 (the XID), GI @24, CI @28. */
export function decodeEventData(buf: Buffer): { device: bigint; eventType: bigint; eventData: number } {
  return { device: buf.readBigUInt64LE(0), eventType: buf.readBigUInt64LE(8), eventData: u64(buf, 16) };
}

/** nvmlProcessInfo_t (v2, used by the _v3 calls): pid @0, usedGpuMemory @8 (bytes, ~0 = not available). */
export function decodeProcessInfos(buf: Buffer, count: number): { pid: number; usedMiB: number | undefined }[] {
  const out = [];
  for (let i = 0; i < count && (i + 1) * PROCESS_INFO_SIZE <= buf.length; i++) {
    const o = i * PROCESS_INFO_SIZE;
    const mem = buf.readBigUInt64LE(o + 8);
    out.push({ pid: buf.readUInt32LE(o), usedMiB: mem === 0xffffffffffffffffn ? undefined : Number(mem) / MIB });
  }
  return out;
}

/** nvmlViolationTime_t: referenceTime @0 (µs), violationTime @8 (ns). */
export function decodeViolationTime(buf: Buffer): number {
  return u64(buf, 8);
}

/** nvmlDeviceAttributes_t: gpuInstanceSliceCount @24, memorySizeMB @32 → a profile name like `1g.10gb`. */
export function migProfileName(buf: Buffer): string {
  const slices = buf.readUInt32LE(24);
  const memMb = u64(buf, 32);
  return `${slices}g.${Math.ceil(memMb / 1024)}gb`;
}

/** One nvmlFieldValue_t request (fieldId @0, scopeId @4). */
export function fieldValuesBuffer(fieldIds: readonly number[]): Buffer {
  const b = Buffer.alloc(FIELD_VALUE_SIZE * fieldIds.length);
  fieldIds.forEach((id, i) => b.writeUInt32LE(id, i * FIELD_VALUE_SIZE));
  return b;
}

/** Reads value i of a field-values answer: nvmlReturn @28, valueType @24, value union @32. */
export function decodeFieldValue(buf: Buffer, i: number): number | undefined {
  const o = i * FIELD_VALUE_SIZE;
  if (buf.readUInt32LE(o + 28) !== 0) return undefined;
  switch (buf.readUInt32LE(o + 24)) {
    case 0:
      return buf.readDoubleLE(o + 32);
    case 1:
      return buf.readUInt32LE(o + 32);
    case 2:
    case 3:
      return u64(buf, o + 32);
    case 4:
      return Number(buf.readBigInt64LE(o + 32));
    case 5:
      return buf.readInt32LE(o + 32);
    case 6:
      return buf.readUInt16LE(o + 32);
    default:
      return undefined;
  }
}

/** NVML_FI_DEV_MEMORY_TEMP */
export const FI_DEV_MEMORY_TEMP = 82;

/** NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX / _RX: cumulative KiB, scope = link or UINT_MAX for all links. */
export const FI_DEV_NVLINK_THROUGHPUT_DATA_TX = 138;
/** NVML_FI_DEV_NVLINK_LINK_COUNT: 0 (or not supported) on boards without NVLink. */
export const FI_DEV_NVLINK_LINK_COUNT = 91;
export const FI_DEV_NVLINK_THROUGHPUT_DATA_RX = 139;
export const SCOPE_ALL_LINKS = 0xffffffff;

/** nvmlGpuVirtualizationMode_t: a vGPU guest. */
export const VIRTUALIZATION_MODE_VGPU = 2;

/**
 * nvmlGridLicensableFeatures_t (the _v4 call): isGridLicenseSupported @0, licensableFeaturesCount @4,
 * then 3 features of 284 bytes (featureCode @0, featureState @4, licenseInfo[128], productName[128],
 * featureEnabled, licenseExpiry of 16 bytes).
 */
export const GRID_LICENSABLE_FEATURES_SIZE = 8 + 3 * 284;

/** 1 when any licensable feature is licensed (featureState non-zero), 0 when none is, undefined when licensing is unsupported. */
export function decodeGridLicense(buf: Buffer): number | undefined {
  if (buf.readInt32LE(0) === 0) return undefined;
  const count = Math.min(buf.readUInt32LE(4), 3);
  for (let i = 0; i < count; i++) if (buf.readUInt32LE(8 + i * 284 + 4) !== 0) return 1;
  return 0;
}

/**
 * The NVML functions the adapter calls, as koffi binds them: handles are 64-bit integers (ABI-equal
 * to the C pointer on x86-64 and aarch64), every out-parameter and struct is a Buffer the adapter
 * decodes itself, every function returns an nvmlReturn_t. Tests pass a fake of this table.
 */
export type Handle = bigint;

export interface NvmlApi {
  nvmlInit_v2(): number;
  nvmlShutdown(): number;
  nvmlSystemGetDriverVersion(out: Buffer, length: number): number;
  nvmlSystemGetCudaDriverVersion_v2(out: Buffer): number;
  nvmlDeviceGetCount_v2(out: Buffer): number;
  nvmlDeviceGetHandleByIndex_v2(index: number, out: Buffer): number;
  nvmlDeviceGetName(device: Handle, out: Buffer, length: number): number;
  nvmlDeviceGetUUID(device: Handle, out: Buffer, length: number): number;
  nvmlDeviceGetSerial(device: Handle, out: Buffer, length: number): number;
  nvmlDeviceGetVbiosVersion(device: Handle, out: Buffer, length: number): number;
  nvmlDeviceGetIndex(device: Handle, out: Buffer): number;
  nvmlDeviceGetMinorNumber(device: Handle, out: Buffer): number;
  nvmlDeviceGetPciInfo_v3(device: Handle, out: Buffer): number;
  nvmlDeviceGetCudaComputeCapability(device: Handle, major: Buffer, minor: Buffer): number;
  nvmlDeviceGetUtilizationRates(device: Handle, out: Buffer): number;
  nvmlDeviceGetEncoderUtilization(device: Handle, util: Buffer, periodUs: Buffer): number;
  nvmlDeviceGetDecoderUtilization(device: Handle, util: Buffer, periodUs: Buffer): number;
  nvmlDeviceGetMemoryInfo(device: Handle, out: Buffer): number;
  nvmlDeviceGetMemoryInfo_v2(device: Handle, out: Buffer): number;
  nvmlDeviceGetTemperature(device: Handle, sensor: number, out: Buffer): number;
  nvmlDeviceGetFieldValues(device: Handle, count: number, values: Buffer): number;
  nvmlDeviceGetPowerUsage(device: Handle, out: Buffer): number;
  nvmlDeviceGetEnforcedPowerLimit(device: Handle, out: Buffer): number;
  nvmlDeviceGetTotalEnergyConsumption(device: Handle, out: Buffer): number;
  nvmlDeviceGetClockInfo(device: Handle, type: number, out: Buffer): number;
  nvmlDeviceGetFanSpeed(device: Handle, out: Buffer): number;
  nvmlDeviceGetPerformanceState(device: Handle, out: Buffer): number;
  nvmlDeviceGetTotalEccErrors(device: Handle, errorType: number, counterType: number, out: Buffer): number;
  nvmlDeviceGetRemappedRows(device: Handle, corr: Buffer, unc: Buffer, pending: Buffer, failure: Buffer): number;
  nvmlDeviceGetCurrentClocksEventReasons(device: Handle, out: Buffer): number;
  nvmlDeviceGetCurrentClocksThrottleReasons(device: Handle, out: Buffer): number;
  nvmlDeviceGetViolationStatus(device: Handle, policy: number, out: Buffer): number;
  nvmlDeviceGetPcieReplayCounter(device: Handle, out: Buffer): number;
  nvmlDeviceGetCurrPcieLinkGeneration(device: Handle, out: Buffer): number;
  nvmlDeviceGetCurrPcieLinkWidth(device: Handle, out: Buffer): number;
  nvmlDeviceGetMigMode(device: Handle, current: Buffer, pending: Buffer): number;
  nvmlDeviceGetMaxMigDeviceCount(device: Handle, out: Buffer): number;
  nvmlDeviceGetMigDeviceHandleByIndex(device: Handle, index: number, out: Buffer): number;
  nvmlDeviceGetGpuInstanceId(device: Handle, out: Buffer): number;
  nvmlDeviceGetAttributes_v2(device: Handle, out: Buffer): number;
  nvmlDeviceGetComputeRunningProcesses_v3(device: Handle, count: Buffer, infos: Buffer): number;
  nvmlSystemGetProcessName(pid: number, out: Buffer, length: number): number;
  nvmlEventSetCreate(out: Buffer): number;
  nvmlDeviceGetSupportedEventTypes(device: Handle, out: Buffer): number;
  nvmlDeviceRegisterEvents(device: Handle, types: bigint, set: Handle): number;
  nvmlEventSetWait_v2(set: Handle, data: Buffer, timeoutMs: number): number;
  nvmlEventSetFree(set: Handle): number;
  // GPM (Hopper and newer): DCGM_FI_PROF_* without a DCGM host engine. Samples are opaque handles.
  nvmlGpmQueryDeviceSupport(device: Handle, out: Buffer): number;
  nvmlGpmSampleAlloc(out: Buffer): number;
  nvmlGpmSampleFree(sample: Handle): number;
  nvmlGpmSampleGet(device: Handle, sample: Handle): number;
  nvmlGpmMetricsGet(metricsGet: Buffer): number;
  nvmlDeviceGetVirtualizationMode(device: Handle, out: Buffer): number;
  nvmlDeviceGetGridLicensableFeatures_v4(device: Handle, out: Buffer): number;
}

export type NvmlSymbol = keyof NvmlApi;

/** koffi prototypes; `void *` parameters take Buffers, handles travel as uint64. */
export const NVML_PROTOTYPES: Readonly<Record<NvmlSymbol, string>> = {
  nvmlInit_v2: 'int nvmlInit_v2()',
  nvmlShutdown: 'int nvmlShutdown()',
  nvmlSystemGetDriverVersion: 'int nvmlSystemGetDriverVersion(void *out, uint32 length)',
  nvmlSystemGetCudaDriverVersion_v2: 'int nvmlSystemGetCudaDriverVersion_v2(void *out)',
  nvmlDeviceGetCount_v2: 'int nvmlDeviceGetCount_v2(void *out)',
  nvmlDeviceGetHandleByIndex_v2: 'int nvmlDeviceGetHandleByIndex_v2(uint32 index, void *out)',
  nvmlDeviceGetName: 'int nvmlDeviceGetName(uint64 dev, void *out, uint32 length)',
  nvmlDeviceGetUUID: 'int nvmlDeviceGetUUID(uint64 dev, void *out, uint32 length)',
  nvmlDeviceGetSerial: 'int nvmlDeviceGetSerial(uint64 dev, void *out, uint32 length)',
  nvmlDeviceGetVbiosVersion: 'int nvmlDeviceGetVbiosVersion(uint64 dev, void *out, uint32 length)',
  nvmlDeviceGetIndex: 'int nvmlDeviceGetIndex(uint64 dev, void *out)',
  nvmlDeviceGetMinorNumber: 'int nvmlDeviceGetMinorNumber(uint64 dev, void *out)',
  nvmlDeviceGetPciInfo_v3: 'int nvmlDeviceGetPciInfo_v3(uint64 dev, void *out)',
  nvmlDeviceGetCudaComputeCapability: 'int nvmlDeviceGetCudaComputeCapability(uint64 dev, void *major, void *minor)',
  nvmlDeviceGetUtilizationRates: 'int nvmlDeviceGetUtilizationRates(uint64 dev, void *out)',
  nvmlDeviceGetEncoderUtilization: 'int nvmlDeviceGetEncoderUtilization(uint64 dev, void *util, void *period)',
  nvmlDeviceGetDecoderUtilization: 'int nvmlDeviceGetDecoderUtilization(uint64 dev, void *util, void *period)',
  nvmlDeviceGetMemoryInfo: 'int nvmlDeviceGetMemoryInfo(uint64 dev, void *out)',
  nvmlDeviceGetMemoryInfo_v2: 'int nvmlDeviceGetMemoryInfo_v2(uint64 dev, void *out)',
  nvmlDeviceGetTemperature: 'int nvmlDeviceGetTemperature(uint64 dev, uint32 sensor, void *out)',
  nvmlDeviceGetFieldValues: 'int nvmlDeviceGetFieldValues(uint64 dev, int count, void *values)',
  nvmlDeviceGetPowerUsage: 'int nvmlDeviceGetPowerUsage(uint64 dev, void *out)',
  nvmlDeviceGetEnforcedPowerLimit: 'int nvmlDeviceGetEnforcedPowerLimit(uint64 dev, void *out)',
  nvmlDeviceGetTotalEnergyConsumption: 'int nvmlDeviceGetTotalEnergyConsumption(uint64 dev, void *out)',
  nvmlDeviceGetClockInfo: 'int nvmlDeviceGetClockInfo(uint64 dev, uint32 type, void *out)',
  nvmlDeviceGetFanSpeed: 'int nvmlDeviceGetFanSpeed(uint64 dev, void *out)',
  nvmlDeviceGetPerformanceState: 'int nvmlDeviceGetPerformanceState(uint64 dev, void *out)',
  nvmlDeviceGetTotalEccErrors: 'int nvmlDeviceGetTotalEccErrors(uint64 dev, uint32 errorType, uint32 counterType, void *out)',
  nvmlDeviceGetRemappedRows: 'int nvmlDeviceGetRemappedRows(uint64 dev, void *corr, void *unc, void *pending, void *failure)',
  nvmlDeviceGetCurrentClocksEventReasons: 'int nvmlDeviceGetCurrentClocksEventReasons(uint64 dev, void *out)',
  nvmlDeviceGetCurrentClocksThrottleReasons: 'int nvmlDeviceGetCurrentClocksThrottleReasons(uint64 dev, void *out)',
  nvmlDeviceGetViolationStatus: 'int nvmlDeviceGetViolationStatus(uint64 dev, uint32 policy, void *out)',
  nvmlDeviceGetPcieReplayCounter: 'int nvmlDeviceGetPcieReplayCounter(uint64 dev, void *out)',
  nvmlDeviceGetCurrPcieLinkGeneration: 'int nvmlDeviceGetCurrPcieLinkGeneration(uint64 dev, void *out)',
  nvmlDeviceGetCurrPcieLinkWidth: 'int nvmlDeviceGetCurrPcieLinkWidth(uint64 dev, void *out)',
  nvmlDeviceGetMigMode: 'int nvmlDeviceGetMigMode(uint64 dev, void *current, void *pending)',
  nvmlDeviceGetMaxMigDeviceCount: 'int nvmlDeviceGetMaxMigDeviceCount(uint64 dev, void *out)',
  nvmlDeviceGetMigDeviceHandleByIndex: 'int nvmlDeviceGetMigDeviceHandleByIndex(uint64 dev, uint32 index, void *out)',
  nvmlDeviceGetGpuInstanceId: 'int nvmlDeviceGetGpuInstanceId(uint64 dev, void *out)',
  nvmlDeviceGetAttributes_v2: 'int nvmlDeviceGetAttributes_v2(uint64 dev, void *out)',
  nvmlDeviceGetComputeRunningProcesses_v3: 'int nvmlDeviceGetComputeRunningProcesses_v3(uint64 dev, void *count, void *infos)',
  nvmlSystemGetProcessName: 'int nvmlSystemGetProcessName(uint32 pid, void *out, uint32 length)',
  nvmlEventSetCreate: 'int nvmlEventSetCreate(void *out)',
  nvmlDeviceGetSupportedEventTypes: 'int nvmlDeviceGetSupportedEventTypes(uint64 dev, void *out)',
  nvmlDeviceRegisterEvents: 'int nvmlDeviceRegisterEvents(uint64 dev, uint64 types, uint64 set)',
  nvmlEventSetWait_v2: 'int nvmlEventSetWait_v2(uint64 set, void *data, uint32 timeoutMs)',
  nvmlEventSetFree: 'int nvmlEventSetFree(uint64 set)',
  nvmlGpmQueryDeviceSupport: 'int nvmlGpmQueryDeviceSupport(uint64 dev, void *out)',
  nvmlGpmSampleAlloc: 'int nvmlGpmSampleAlloc(void *out)',
  nvmlGpmSampleFree: 'int nvmlGpmSampleFree(uint64 sample)',
  nvmlGpmSampleGet: 'int nvmlGpmSampleGet(uint64 dev, uint64 sample)',
  nvmlGpmMetricsGet: 'int nvmlGpmMetricsGet(void *metricsGet)',
  nvmlDeviceGetVirtualizationMode: 'int nvmlDeviceGetVirtualizationMode(uint64 dev, void *out)',
  nvmlDeviceGetGridLicensableFeatures_v4: 'int nvmlDeviceGetGridLicensableFeatures_v4(uint64 dev, void *out)',
};

/** Symbols without which nothing works; the rest are optional and resolved one by one. */
export const REQUIRED_SYMBOLS: readonly NvmlSymbol[] = [
  'nvmlInit_v2',
  'nvmlShutdown',
  'nvmlDeviceGetCount_v2',
  'nvmlDeviceGetHandleByIndex_v2',
  'nvmlDeviceGetUUID',
];

/** nvmlReturn_t values the adapter distinguishes. */
export const NVML = {
  SUCCESS: 0,
  ERROR_UNINITIALIZED: 1,
  ERROR_INVALID_ARGUMENT: 2,
  ERROR_NOT_SUPPORTED: 3,
  ERROR_NO_PERMISSION: 4,
  ERROR_NOT_FOUND: 6,
  ERROR_INSUFFICIENT_SIZE: 7,
  ERROR_DRIVER_NOT_LOADED: 9,
  ERROR_TIMEOUT: 10,
  ERROR_FUNCTION_NOT_FOUND: 13,
  ERROR_GPU_IS_LOST: 15,
  ERROR_LIB_RM_VERSION_MISMATCH: 18,
  ERROR_GPU_NOT_FOUND: 28,
  ERROR_UNKNOWN: 999,
} as const;

/** Names for logs and `vigil_gpu_lost{reason}`. */
export const RETURN_NAMES: Readonly<Record<number, string>> = {
  0: 'SUCCESS',
  1: 'UNINITIALIZED',
  2: 'INVALID_ARGUMENT',
  3: 'NOT_SUPPORTED',
  4: 'NO_PERMISSION',
  5: 'ALREADY_INITIALIZED',
  6: 'NOT_FOUND',
  7: 'INSUFFICIENT_SIZE',
  8: 'INSUFFICIENT_POWER',
  9: 'DRIVER_NOT_LOADED',
  10: 'TIMEOUT',
  11: 'IRQ_ISSUE',
  12: 'LIBRARY_NOT_FOUND',
  13: 'FUNCTION_NOT_FOUND',
  14: 'CORRUPTED_INFOROM',
  15: 'GPU_IS_LOST',
  16: 'RESET_REQUIRED',
  17: 'OPERATING_SYSTEM',
  18: 'LIB_RM_VERSION_MISMATCH',
  19: 'IN_USE',
  20: 'MEMORY',
  21: 'NO_DATA',
  22: 'VGPU_ECC_NOT_SUPPORTED',
  23: 'INSUFFICIENT_RESOURCES',
  24: 'FREQ_NOT_SUPPORTED',
  25: 'ARGUMENT_VERSION_MISMATCH',
  26: 'DEPRECATED',
  27: 'NOT_READY',
  28: 'GPU_NOT_FOUND',
  29: 'INVALID_STATE',
  999: 'UNKNOWN',
};

/** The whole session is unusable: shut down and initialise again on the next cycle. */
export const SESSION_LIFECYCLE: ReadonlySet<number> = new Set([NVML.ERROR_UNINITIALIZED, NVML.ERROR_DRIVER_NOT_LOADED, NVML.ERROR_LIB_RM_VERSION_MISMATCH]);
/** This GPU is gone (fallen off the bus, removed). */
export const DEVICE_LOST: ReadonlySet<number> = new Set([NVML.ERROR_GPU_IS_LOST, NVML.ERROR_GPU_NOT_FOUND]);

/**
 * Binds every symbol it can from an open koffi library; a missing optional symbol is left out
 * (koffi throws on lookup, calling an absent export would crash).
 */
export function bindNvml(lib: { func(proto: string): unknown }): { api: Partial<NvmlApi>; missing: NvmlSymbol[] } {
  const api: Partial<Record<NvmlSymbol, unknown>> = {};
  const missing: NvmlSymbol[] = [];
  for (const [name, proto] of Object.entries(NVML_PROTOTYPES) as [NvmlSymbol, string][]) {
    try {
      api[name] = lib.func(proto);
    } catch {
      missing.push(name);
    }
  }
  return { api: api as Partial<NvmlApi>, missing };
}

/**
 * Every metric the exporter can produce. GPU metrics keep dcgm-exporter's names, types and help so
 * dashboards and alerts work with either exporter; `vigil_*` metrics are this exporter's own.
 * Other parts of vigil read `EXPORTER_METRICS` to check that dashboards and alerts only use metrics
 * something produces.
 */

/** One metric family the exporter can expose. */
export interface ExporterMetric {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
}

/** Per-GPU identity labels on every GPU series (dcgm-exporter's label set). */
export const GPU_LABELS = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname'] as const;
/** Extra labels on series of a MIG GPU instance. */
export const MIG_LABELS = ['GPU_I_PROFILE', 'GPU_I_ID'] as const;
/** Labels of the model-queue series. */
export const MODEL_LABELS = ['model', 'server'] as const;

const m = (name: string, type: ExporterMetric['type'], help: string): ExporterMetric => ({ name, type, help });

/** GPU metrics in dcgm-exporter's naming. */
export const DCGM_METRICS = {
  gpuUtil: m('DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).'),
  memCopyUtil: m('DCGM_FI_DEV_MEM_COPY_UTIL', 'gauge', 'Memory utilization (in %).'),
  encUtil: m('DCGM_FI_DEV_ENC_UTIL', 'gauge', 'Encoder utilization (in %).'),
  decUtil: m('DCGM_FI_DEV_DEC_UTIL', 'gauge', 'Decoder utilization (in %).'),
  fbTotal: m('DCGM_FI_DEV_FB_TOTAL', 'gauge', 'Framebuffer memory total (in MiB).'),
  fbFree: m('DCGM_FI_DEV_FB_FREE', 'gauge', 'Framebuffer memory free (in MiB).'),
  fbUsed: m('DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).'),
  fbReserved: m('DCGM_FI_DEV_FB_RESERVED', 'gauge', 'Framebuffer memory reserved (in MiB).'),
  gpuTemp: m('DCGM_FI_DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).'),
  memoryTemp: m('DCGM_FI_DEV_MEMORY_TEMP', 'gauge', 'Memory temperature (in C).'),
  powerUsage: m('DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).'),
  powerLimit: m('DCGM_FI_DEV_POWER_MGMT_LIMIT', 'gauge', 'Power management limit (in W).'),
  totalEnergy: m('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'counter', 'Total energy consumption since boot (in mJ).'),
  smClock: m('DCGM_FI_DEV_SM_CLOCK', 'gauge', 'SM clock frequency (in MHz).'),
  memClock: m('DCGM_FI_DEV_MEM_CLOCK', 'gauge', 'Memory clock frequency (in MHz).'),
  fanSpeed: m('DCGM_FI_DEV_FAN_SPEED', 'gauge', 'Fan speed (in %).'),
  pstate: m('DCGM_FI_DEV_PSTATE', 'gauge', 'Performance state (P-State) 0-15. 0=highest.'),
  pcieReplay: m('DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'counter', 'Total number of PCIe retries.'),
  pcieLinkGen: m('DCGM_FI_DEV_PCIE_LINK_GEN', 'gauge', 'PCIe current link generation.'),
  pcieLinkWidth: m('DCGM_FI_DEV_PCIE_LINK_WIDTH', 'gauge', 'PCIe current link width.'),
  eccSbeVolatile: m('DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', 'counter', 'Total number of single-bit volatile ECC errors.'),
  eccDbeVolatile: m('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'counter', 'Total number of double-bit volatile ECC errors.'),
  eccSbeAggregate: m('DCGM_FI_DEV_ECC_SBE_AGG_TOTAL', 'counter', 'Total number of single-bit persistent ECC errors.'),
  eccDbeAggregate: m('DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', 'counter', 'Total number of double-bit persistent ECC errors.'),
  correctableRemappedRows: m('DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'counter', 'Number of remapped rows for correctable errors'),
  uncorrectableRemappedRows: m('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'counter', 'Number of remapped rows for uncorrectable errors'),
  rowRemapFailure: m('DCGM_FI_DEV_ROW_REMAP_FAILURE', 'gauge', 'Whether remapping of rows has failed'),
  rowRemapPending: m('DCGM_FI_DEV_ROW_REMAP_PENDING', 'gauge', 'Whether remapping of rows is pending'),
  clocksEventReasons: m('DCGM_FI_DEV_CLOCKS_EVENT_REASONS', 'gauge', 'Current clock event reasons (bitmask of throttle reasons).'),
  powerViolation: m('DCGM_FI_DEV_POWER_VIOLATION', 'counter', 'Throttling duration due to power constraints (in ns).'),
  thermalViolation: m('DCGM_FI_DEV_THERMAL_VIOLATION', 'counter', 'Throttling duration due to thermal constraints (in ns).'),
  profGrEngineActive: m('DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'gauge', 'Ratio of time the graphics engine is active.'),
  profPipeTensorActive: m('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'gauge', 'Ratio of cycles the tensor (HMMA) pipe is active.'),
  profDramActive: m('DCGM_FI_PROF_DRAM_ACTIVE', 'gauge', 'Ratio of cycles the device memory interface is active sending or receiving data.'),
  xidLast: m('DCGM_FI_DEV_XID_ERRORS', 'gauge', 'Value of the last XID error encountered.'),
  xidWindowCount: m('DCGM_EXP_XID_ERRORS_COUNT', 'counter', 'reported XIDs during last window'),
} as const satisfies Record<string, ExporterMetric>;

/** This exporter's own GPU, model-queue and self-health metrics. */
export const VIGIL_METRICS = {
  gpuInfo: m('vigil_gpu_info', 'gauge', 'Static identity of a GPU (driver, CUDA, VBIOS, serial, compute capability, MIG mode); value 1.'),
  gpuCount: m('vigil_gpu_count', 'gauge', 'Number of GPUs the source could read in the last successful collection.'),
  gpuLost: m('vigil_gpu_lost', 'gauge', 'A GPU seen earlier that the driver no longer reaches (fallen off the bus, lost, not found); value 1.'),
  clockEventActive: m('vigil_gpu_clock_event_active', 'gauge', 'Whether a clock event (throttle) reason is active now (1) or not (0), by reason.'),
  xidTotal: m('vigil_gpu_xid_errors_total', 'counter', 'XID errors seen since the exporter started, by XID code.'),
  xidLastTimestamp: m('vigil_gpu_xid_last_timestamp_seconds', 'gauge', 'Unix time of the last XID error of this code on this GPU.'),
  migInfo: m('vigil_gpu_mig_info', 'gauge', 'A MIG GPU instance of a GPU; value 1.'),
  processMemory: m('vigil_gpu_process_fb_used', 'gauge', 'Framebuffer memory used by one process (in MiB); opt-in.'),
  modelQueueDepth: m('vigil_model_queue_depth', 'gauge', 'Requests waiting in a model server queue, not yet started.'),
  modelRequestsRunning: m('vigil_model_requests_running', 'gauge', 'Requests a model server is executing now.'),
  modelUp: m('vigil_model_up', 'gauge', 'Whether the last scrape of the model server reached it and found the model (1) or not (0).'),
  collectSuccess: m('vigil_exporter_collect_success', 'gauge', 'Whether the last GPU collection succeeded (1) or failed (0).'),
  lastSuccess: m('vigil_exporter_last_collect_success_timestamp_seconds', 'gauge', 'Unix time of the last successful GPU collection.'),
  collectDuration: m('vigil_exporter_collect_duration_seconds', 'gauge', 'Duration of the last GPU collection (in seconds).'),
  collectFailures: m('vigil_exporter_collect_failures_total', 'counter', 'Failed GPU collections, by reason (timeout, error, invalid, driver, busy).'),
  seriesDropped: m('vigil_exporter_series_dropped_total', 'counter', 'Series not exported because a cap was reached or a value was invalid.'),
  modelScrapeFailures: m('vigil_exporter_model_scrape_failures_total', 'counter', 'Failed model-server scrapes, by server and reason.'),
  buildInfo: m('vigil_exporter_build_info', 'gauge', 'Exporter version and source; value 1.'),
} as const satisfies Record<string, ExporterMetric>;

/** Every metric family the exporter can produce, in exposition order. */
export const EXPORTER_METRICS: readonly ExporterMetric[] = [...Object.values(DCGM_METRICS), ...Object.values(VIGIL_METRICS)];

/** Names only, for quick membership checks. */
export const EXPORTER_METRIC_NAMES: ReadonlySet<string> = new Set(EXPORTER_METRICS.map((x) => x.name));

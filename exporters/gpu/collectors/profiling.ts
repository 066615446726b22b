import { DCGM_METRICS } from '../metric-catalog.js';
import { perDevice, type Collector } from './context.js';

/**
 * dcgm's profiling fields (from NVML GPM, no DCGM host engine), NVLink throughput and the vGPU
 * licence. Each is absent on a GPU that cannot report it (no GPM before Hopper, no NVLink on PCIe
 * cards, no licence outside a vGPU guest).
 */
export const collectProfiling: Collector = (input) => [
  perDevice(DCGM_METRICS.profGrEngineActive, 'profGrEngineActive', input),
  perDevice(DCGM_METRICS.profSmActive, 'profSmActive', input),
  perDevice(DCGM_METRICS.profPipeTensorActive, 'profPipeTensorActive', input),
  perDevice(DCGM_METRICS.profDramActive, 'profDramActive', input),
  perDevice(DCGM_METRICS.profPcieTxBytes, 'profPcieTxBytes', input),
  perDevice(DCGM_METRICS.profPcieRxBytes, 'profPcieRxBytes', input),
  perDevice(DCGM_METRICS.nvlinkBandwidthTotal, 'nvlinkBandwidthTotal', input),
  perDevice(DCGM_METRICS.vgpuLicenseStatus, 'vgpuLicenseStatus', input),
];

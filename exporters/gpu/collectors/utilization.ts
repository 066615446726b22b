import { DCGM_METRICS } from '../metric-catalog.js';
import { perDevice, type Collector } from './context.js';

/** GPU, memory-copy, encoder and decoder utilization (absent on MIG-enabled GPUs). */
export const collectUtilization: Collector = (input) => [
  perDevice(DCGM_METRICS.gpuUtil, 'gpuUtil', input),
  perDevice(DCGM_METRICS.memCopyUtil, 'memCopyUtil', input),
  perDevice(DCGM_METRICS.encUtil, 'encUtil', input),
  perDevice(DCGM_METRICS.decUtil, 'decUtil', input),
];

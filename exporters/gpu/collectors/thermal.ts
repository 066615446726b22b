import { DCGM_METRICS } from '../metric-catalog.js';
import { perDevice, type Collector } from './context.js';

/** GPU and memory temperature, fan speed. */
export const collectThermal: Collector = (input) => [
  perDevice(DCGM_METRICS.gpuTemp, 'gpuTemp', input),
  perDevice(DCGM_METRICS.memoryTemp, 'memoryTemp', input),
  perDevice(DCGM_METRICS.fanSpeed, 'fanSpeed', input),
];

import { DCGM_METRICS } from '../metric-catalog.js';
import { perDevice, type Collector } from './context.js';

/** Power draw, enforced limit, energy counter and performance state. */
export const collectPower: Collector = (input) => [
  perDevice(DCGM_METRICS.powerUsage, 'powerUsage', input),
  perDevice(DCGM_METRICS.powerLimit, 'powerLimit', input),
  perDevice(DCGM_METRICS.totalEnergy, 'totalEnergy', input),
  perDevice(DCGM_METRICS.pstate, 'pstate', input),
];

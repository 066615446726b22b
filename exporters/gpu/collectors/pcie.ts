import { DCGM_METRICS } from '../metric-catalog.js';
import { perDevice, type Collector } from './context.js';

/** PCIe replay counter and current link generation/width. */
export const collectPcie: Collector = (input) => [
  perDevice(DCGM_METRICS.pcieReplay, 'pcieReplay', input),
  perDevice(DCGM_METRICS.pcieLinkGen, 'pcieLinkGen', input),
  perDevice(DCGM_METRICS.pcieLinkWidth, 'pcieLinkWidth', input),
];

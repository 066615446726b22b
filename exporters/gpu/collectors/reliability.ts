import { DCGM_METRICS } from '../metric-catalog.js';
import { perDevice, type Collector } from './context.js';

/** ECC error totals and row remapping. */
export const collectReliability: Collector = (input) => [
  perDevice(DCGM_METRICS.eccSbeVolatile, 'eccSbeVolatile', input),
  perDevice(DCGM_METRICS.eccDbeVolatile, 'eccDbeVolatile', input),
  perDevice(DCGM_METRICS.eccSbeAggregate, 'eccSbeAggregate', input),
  perDevice(DCGM_METRICS.eccDbeAggregate, 'eccDbeAggregate', input),
  perDevice(DCGM_METRICS.correctableRemappedRows, 'correctableRemappedRows', input),
  perDevice(DCGM_METRICS.uncorrectableRemappedRows, 'uncorrectableRemappedRows', input),
  perDevice(DCGM_METRICS.rowRemapFailure, 'rowRemapFailure', input),
  perDevice(DCGM_METRICS.rowRemapPending, 'rowRemapPending', input),
];

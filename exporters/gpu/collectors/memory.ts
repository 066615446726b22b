import { DCGM_METRICS } from '../metric-catalog.js';
import type { MetricFamily, Sample } from '../exposition.js';
import { migLabels, perDevice, type Collector } from './context.js';

/**
 * Framebuffer total/free/used/reserved per GPU, and per MIG GPU instance (with GPU_I_PROFILE and
 * GPU_I_ID). A GPU's own rows carry no GPU_I_ID, so `{GPU_I_ID=""}` selects whole GPUs and
 * `{GPU_I_ID!=""}` instances; summing both would count a MIG GPU's memory twice.
 */
export const collectMemory: Collector = (input) => {
  const families: MetricFamily[] = [
    perDevice(DCGM_METRICS.fbTotal, 'fbTotal', input),
    perDevice(DCGM_METRICS.fbFree, 'fbFree', input),
    perDevice(DCGM_METRICS.fbUsed, 'fbUsed', input),
    perDevice(DCGM_METRICS.fbReserved, 'fbReserved', input),
  ];
  const total: Sample[] = [];
  const used: Sample[] = [];
  const free: Sample[] = [];
  const reserved: Sample[] = [];
  for (const d of input.snapshot?.devices ?? []) {
    for (const mig of d.mig ?? []) {
      const labels = migLabels(d, mig, input.hostname);
      if (mig.fbTotal !== undefined) total.push({ labels, value: mig.fbTotal });
      if (mig.fbUsed !== undefined) used.push({ labels, value: mig.fbUsed });
      if (mig.fbFree !== undefined) free.push({ labels, value: mig.fbFree });
      if (mig.fbReserved !== undefined) reserved.push({ labels, value: mig.fbReserved });
    }
  }
  families.push(
    { metric: DCGM_METRICS.fbTotal, samples: total },
    { metric: DCGM_METRICS.fbUsed, samples: used },
    { metric: DCGM_METRICS.fbFree, samples: free },
    { metric: DCGM_METRICS.fbReserved, samples: reserved },
  );
  return families;
};

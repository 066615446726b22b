import { DCGM_METRICS } from '../metric-catalog.js';
import type { MetricFamily, Sample } from '../exposition.js';
import { migLabels, perDevice, type Collector } from './context.js';

/** Framebuffer total/free/used/reserved per GPU, and per MIG instance (with GPU_I_* labels). */
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
  for (const d of input.snapshot?.devices ?? []) {
    for (const mig of d.mig ?? []) {
      const labels = migLabels(d, mig, input.hostname);
      if (mig.fbTotal !== undefined) total.push({ labels, value: mig.fbTotal });
      if (mig.fbUsed !== undefined) used.push({ labels, value: mig.fbUsed });
      if (mig.fbFree !== undefined) free.push({ labels, value: mig.fbFree });
    }
  }
  families.push(
    { metric: DCGM_METRICS.fbTotal, samples: total },
    { metric: DCGM_METRICS.fbUsed, samples: used },
    { metric: DCGM_METRICS.fbFree, samples: free },
  );
  return families;
};

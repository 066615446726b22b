import { VIGIL_METRICS } from '../metric-catalog.js';
import type { Sample } from '../exposition.js';
import { gpuLabels, migLabels, type Collector } from './context.js';

/** One info series per GPU (static identity), per MIG instance, the GPU count and lost GPUs. */
export const collectIdentity: Collector = (input) => {
  const snap = input.snapshot;
  const info: Sample[] = [];
  const mig: Sample[] = [];
  const lost: Sample[] = [];
  for (const d of snap?.devices ?? []) {
    info.push({
      labels: [
        ...gpuLabels(d, input.hostname),
        ['driver_version', snap?.driverVersion ?? ''],
        ['cuda_version', snap?.cudaVersion ?? ''],
        ['vbios_version', d.vbiosVersion ?? ''],
        ['serial', d.serial ?? ''],
        ['compute_cap', d.computeCap ?? ''],
        ['mig_mode', d.migEnabled ? 'enabled' : 'disabled'],
      ],
      value: 1,
    });
    for (const g of d.mig ?? []) mig.push({ labels: [...migLabels(d, g, input.hostname), ['mig_uuid', g.uuid ?? '']], value: 1 });
  }
  for (const l of snap?.lost ?? []) lost.push({ labels: [...gpuLabels(l, input.hostname), ['reason', l.reason]], value: 1 });
  return [
    { metric: VIGIL_METRICS.gpuInfo, samples: info },
    { metric: VIGIL_METRICS.gpuCount, samples: snap ? [{ labels: [['Hostname', input.hostname]], value: snap.devices.length }] : [] },
    { metric: VIGIL_METRICS.gpuLost, samples: lost },
    { metric: VIGIL_METRICS.migInfo, samples: mig },
  ];
};

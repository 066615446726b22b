import { VIGIL_METRICS } from '../metric-catalog.js';
import type { Sample } from '../exposition.js';
import { gpuLabels, type Collector } from './context.js';

/** Per-process framebuffer use (only when the source was asked for processes). */
export const collectProcesses: Collector = (input) => {
  const samples: Sample[] = [];
  for (const d of input.snapshot?.devices ?? []) {
    for (const p of d.processes ?? []) {
      if (p.usedMemory === undefined) continue;
      samples.push({ labels: [...gpuLabels(d, input.hostname), ['pid', String(p.pid)], ['process_name', p.name]], value: p.usedMemory });
    }
  }
  return [{ metric: VIGIL_METRICS.processMemory, samples }];
};

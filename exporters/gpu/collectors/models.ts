import { VIGIL_METRICS } from '../metric-catalog.js';
import type { MetricFamily, Sample } from '../exposition.js';

/** The last scrape result of one model on one model server. */
export interface ModelStatus {
  readonly server: string;
  readonly model: string;
  /** 1 when the server answered and the model's metrics were found. */
  readonly up: boolean;
  readonly queueDepth?: number;
  readonly running?: number;
}

/** vigil_model_queue_depth / _requests_running / _up by model and server. */
export function collectModels(statuses: readonly ModelStatus[]): MetricFamily[] {
  const depth: Sample[] = [];
  const running: Sample[] = [];
  const up: Sample[] = [];
  for (const s of statuses) {
    const labels = [
      ['model', s.model],
      ['server', s.server],
    ] as const;
    up.push({ labels, value: s.up ? 1 : 0 });
    if (!s.up) continue;
    if (s.queueDepth !== undefined) depth.push({ labels, value: s.queueDepth });
    if (s.running !== undefined) running.push({ labels, value: s.running });
  }
  return [
    { metric: VIGIL_METRICS.modelQueueDepth, samples: depth },
    { metric: VIGIL_METRICS.modelRequestsRunning, samples: running },
    { metric: VIGIL_METRICS.modelUp, samples: up },
  ];
}

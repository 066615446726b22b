import { DCGM_METRICS } from '../metric-catalog.js';
import type { MigActivity } from '../types.js';
import type { Sample } from '../exposition.js';
import { migLabels, type Collector } from './context.js';

const ACTIVITY = [
  [DCGM_METRICS.profGrEngineActive, 'grEngineActive'],
  [DCGM_METRICS.profPipeTensorActive, 'pipeTensorActive'],
  [DCGM_METRICS.profDramActive, 'dramActive'],
] as const satisfies readonly (readonly [unknown, keyof MigActivity])[];

/**
 * Activity ratios per MIG GPU instance (GPU_I_ID / GPU_I_PROFILE labels), where the source read
 * them; instances without a reading get no series (never 0). Whole-GPU DCGM_FI_PROF_* rows, when a
 * profiling collector exports them, carry no GPU_I_ID and share these families.
 */
export const collectMigActivity: Collector = (input) =>
  ACTIVITY.map(([metric, key]) => {
    const samples: Sample[] = [];
    for (const d of input.snapshot?.devices ?? []) {
      for (const mig of d.mig ?? []) {
        const v = mig.activity?.[key];
        if (v !== undefined) samples.push({ labels: migLabels(d, mig, input.hostname), value: v });
      }
    }
    return { metric, samples };
  });

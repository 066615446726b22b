import type { ProjectPart } from '../../project/types.js';
import { generateRolloutAnalysis } from './analysis-templates.js';

/** Render part: Argo Rollouts AnalysisTemplates and canary steps from the loaded SLOs (runs after `slos`). */
export const rolloutsPart: ProjectPart = {
  name: 'rollouts',
  async build(ctx) {
    return generateRolloutAnalysis(ctx.slos);
  },
};

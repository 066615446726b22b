import type { Diagnostics } from '../diagnostics.js';
import { slosByService } from '../generate/prometheus/rule-files.js';
import { planShapeProofs } from '../generate/promtool-tests/shape-proofs.js';
import { generateSloTests } from '../generate/promtool-tests/slo-tests.js';
import type { ProjectModel } from '../project/project-model.js';

/** SLO029: an SLO that gets no generated promtool test, or loses one of its scenarios, says why. */
export function checkSloTestsPlanned(model: ProjectModel, diags: Diagnostics): void {
  const provenBy = planShapeProofs(model.slos);
  for (const [service, list] of slosByService(model.slos)) {
    // Planning is cheap and reports every warning; the costly simulation runs only when rendered.
    for (const w of generateSloTests(list, { ruleFile: `../rules/${service}.slo.rules.yaml`, provenBy }).warnings) {
      diags.warning(w.code, w.message, { file: w.slo.source.file, line: w.slo.source.line, column: w.slo.source.column });
    }
  }
}

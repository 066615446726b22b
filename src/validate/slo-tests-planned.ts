import type { Diagnostics } from '../diagnostics.js';
import { slosByService } from '../generate/prometheus/rule-files.js';
import { generateSloTests } from '../generate/promtool-tests/slo-tests.js';
import type { ProjectModel } from '../project/project-model.js';

/** SLO029: an SLO that gets no generated promtool test, or loses one of its scenarios, says why. */
export function checkSloTestsPlanned(model: ProjectModel, diags: Diagnostics): void {
  for (const [service, list] of slosByService(model.slos)) {
    // Planning is cheap and reports every warning; the costly simulation runs only when rendered.
    // Shape proofs change no warning (services with a raw SLO share no proof), so none are planned.
    for (const w of generateSloTests(list, { ruleFile: `../rules/${service}.slo.rules.yaml` }).warnings) {
      diags.warning(w.code, w.message, { file: w.slo.source.file, line: w.slo.source.line, column: w.slo.source.column });
    }
  }
}

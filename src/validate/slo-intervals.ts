import type { Diagnostics } from '../diagnostics.js';
import { formatMinutes } from '../model/duration.js';
import { baseWindowMinutes, intervalKeepsTilesExact } from '../model/slo-math.js';
import type { ProjectModel } from '../project/project-model.js';
import { parseDurationSeconds } from '../runtime/duration.js';

/**
 * CFG007: `slos.evaluationInterval` of vigil.config.yaml must divide the base window of every SLO
 * that takes it (those whose file sets no `evaluationInterval`; SLO030 checks those that do).
 * Reported once at the config key, naming the SLOs it does not fit.
 */
export function checkSloIntervals(model: ProjectModel, diags: Diagnostics): void {
  const { text, at } = model.config.sloEvaluationInterval;
  const seconds = parseDurationSeconds(text) ?? 0;
  const misfits = model.slos.filter((s) => s.evaluationInterval === undefined && !intervalKeepsTilesExact(seconds, s.periodMinutes));
  if (misfits.length === 0) return;
  const bases = [...new Set(misfits.map((s) => formatMinutes(baseWindowMinutes(s.periodMinutes))))];
  const first = misfits[0]!;
  diags.error(
    'CFG007',
    `slos.evaluationInterval ${text} does not divide the base window (${bases.join(', ')}) of ${misfits.length === 1 ? 'SLO' : `${misfits.length} SLOs, e.g.`} ${first.id} (period ${first.period}, ${first.source.file}:${first.source.line}): its windows would not tile exactly`,
    at ?? { file: first.source.file, line: first.source.line, column: first.source.column },
    `use a whole number of seconds that divides ${bases.join(' and ')} (e.g. 30s or 1m), or set evaluationInterval in those SLO files`,
  );
}

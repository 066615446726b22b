import { UserError } from '../../../diagnostics.js';
import { LABEL_REASON, SLI_HEALTH_ALERT_NAME, sliHealthReasons } from '../../../conventions.js';
import { generateSliHealthRules, SLI_HEALTH_SEVERITY } from '../../../generate/prometheus/sli-health.js';
import { humanizeMinutes } from '../../../model/duration.js';
import { budgetConsumedAtFiring, detectionMinutes, resetMinutes } from '../../../model/slo-math.js';
import type { SloModel } from '../../../model/types.js';
import { loadConfig } from '../../../load/load-config.js';
import { loadEnvironment, reportUnknownEnvironment } from '../../../load/load-environment.js';
import { loadSlos } from '../../../load/load-slos.js';
import { Diagnostics } from '../../../diagnostics.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const usage = 'vigil explain SLO_ID [--root DIR] [--env NAME] [--format text|json]';

/** One row of the alert table, as plain data (the JSON form). */
export function explainRows(slo: SloModel) {
  const B = slo.errorBudget;
  return slo.windows.map((w) => ({
    tier: w.tier,
    severity: w.severity,
    longWindow: w.long,
    shortWindow: w.short,
    burnRateFactor: Number(w.factor.toPrecision(6)),
    errorRatioThreshold: Number(w.threshold.toPrecision(6)),
    budgetConsumedAtFiring: Number(budgetConsumedAtFiring(w, slo.periodMinutes).toPrecision(6)),
    detectionMinutes: {
      at100pct: round2(detectionMinutes(w, B, 1)),
      at10pct: round2(detectionMinutes(w, B, 0.1)),
      at2xBurn: round2(detectionMinutes(w, B, Math.min(1, 2 * B))),
    },
    resetMinutesAfter100pct: round2(resetMinutes(w, 1)),
  }));
}

/** What each SLOIndicatorBroken reason checks, in words. */
const SLI_HEALTH_MEANING: Record<string, string> = {
  [sliHealthReasons.noTotalSeries]: "the indicator's total series are absent while the service's targets are up",
  [sliHealthReasons.noThresholdBucket]: 'the histogram has no bucket at the latency threshold (every request would count as slow)',
  [sliHealthReasons.allBad]: 'the error ratio is exactly 1 with traffic while the good series are absent',
};

/** The SLI-health checks the SLO gets (SLOIndicatorBroken rules), as plain data. */
export function explainSliHealth(slo: SloModel) {
  return generateSliHealthRules(slo).map((r) => {
    const reason = r.labels?.[LABEL_REASON] ?? '';
    return { alert: SLI_HEALTH_ALERT_NAME, severity: SLI_HEALTH_SEVERITY, reason, for: r.for ?? '0s', meaning: SLI_HEALTH_MEANING[reason] ?? '' };
  });
}

function round2(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}

/** The alert table as aligned text. */
export function explainText(slo: SloModel): string {
  const rows = explainRows(slo);
  const pct = (x: number) => `${Number((x * 100).toPrecision(4))}%`;
  const head = ['tier', 'severity', 'long', 'short', 'factor', 'threshold', 'budget at firing', 'detect @100%', 'detect @10%', 'detect @2x', 'reset @100%'];
  const body = rows.map((r) => [
    r.tier,
    r.severity,
    r.longWindow,
    r.shortWindow,
    `${Number(r.burnRateFactor.toPrecision(4))}x`,
    pct(r.errorRatioThreshold),
    pct(r.budgetConsumedAtFiring),
    humanizeMinutes(r.detectionMinutes.at100pct ?? Infinity),
    humanizeMinutes(r.detectionMinutes.at10pct ?? Infinity),
    humanizeMinutes(r.detectionMinutes.at2xBurn ?? Infinity),
    humanizeMinutes(r.resetMinutesAfter100pct ?? 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [
    `${slo.id}: ${slo.objectivePercent}% over ${slo.period} (error budget ${pct(slo.errorBudget)}, ${humanizeMinutes(slo.errorBudget * slo.periodMinutes)} of full outage)`,
    `indicator: ${slo.indicator.kind}${slo.groupBy.length ? `, one SLI per ${slo.groupBy.join(', ')}` : ''}; alert ${slo.alertName}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ];
  for (const w of slo.droppedWindows) lines.push(`left out: ${w.tier} ${w.long}/${w.short} (threshold ${pct(w.threshold)} ≥ 100%: could never fire)`);
  if (slo.windows.length === 0) lines.push('(no alert windows: both tiers disabled or none can fire)');
  const health = explainSliHealth(slo);
  lines.push('');
  if (health.length === 0) lines.push(`SLI health: no ${SLI_HEALTH_ALERT_NAME} rule (a raw indicator, or a selector naming no job or namespace)`);
  else {
    lines.push(`SLI health: ${SLI_HEALTH_ALERT_NAME} (${SLI_HEALTH_SEVERITY}, never a page, never a rollback) when`);
    for (const h of health) lines.push(`  reason=${h.reason}, for ${h.for}: ${h.meaning}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `vigil explain SLO_ID`: the SLO's alert windows and what they mean in minutes and budget. */
export const explainCommand: Command = {
  summary: "Print an SLO's alert table: windows, factors, thresholds, budget at firing, detection and reset times.",
  usage,
  examples: ['vigil explain document-processing-errors   # windows, factors, thresholds, detection and reset times'],
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { env: { type: 'string' } }, usage, true);
    if (positionals.length !== 1) throw new UserError(`expected exactly one SLO id\nusage: ${usage}`, EXIT_USAGE);
    const id = positionals[0]!;
    const root = resolveRoot(io.cwd, values.root);
    const diags = new Diagnostics();
    // The SLOs as the environment has them (its overrides applied); an undeclared --env is CFG010.
    const config = await loadConfig(root, diags, values.env);
    const slos = await loadSlos(root, diags, await loadEnvironment(root, values.env, config, diags));
    if (values.env !== undefined && config.environments.length === 0) reportUnknownEnvironment(values.env, config, diags);
    if (diags.hasErrors) {
      reportDiagnostics(io, values.format, diags.sorted());
      return EXIT_INVALID;
    }
    const slo = slos.find((s) => s.id === id);
    if (!slo) {
      const known = slos.map((s) => s.id);
      throw new UserError(`no SLO with id ${JSON.stringify(id)}; known: ${known.length ? known.join(', ') : '(none)'}`, EXIT_INVALID);
    }
    if (values.format === 'json') {
      io.stdout.write(
        `${JSON.stringify({ id: slo.id, objective: slo.objective, period: slo.period, errorBudget: slo.errorBudget, windows: explainRows(slo), dropped: slo.droppedWindows.map((w) => `${w.long}/${w.short}`), sliHealth: explainSliHealth(slo) }, null, 2)}\n`,
      );
    } else {
      io.stdout.write(explainText(slo));
    }
    return EXIT_OK;
  },
};

import { LABEL_LONG_WINDOW, LABEL_SEVERITY, LABEL_SHORT_WINDOW, LABEL_SLO, sloSeries } from '../conventions.js';
import type { InstantSample, PrometheusApi } from '../live/prometheus-api.js';
import { formatMinutes } from '../model/duration.js';
import type { SloModel } from '../model/types.js';
import { mapWithConcurrency } from '../runtime/map-with-concurrency.js';
import { tierSeverities } from './build-report.js';

/** One SLO's state now, as `vigil status` prints it (its `--format json` is a list of these). */
export interface SloNow {
  readonly id: string;
  readonly service: string;
  readonly objectivePercent: number;
  readonly period: string;
  /** Burn rate of each alert window, shortest first; grouped SLOs: the highest member's, named in `worst`. */
  readonly burnRates: readonly { readonly window: string; readonly value: number | null; readonly worst: Readonly<Record<string, string>> | null }[];
  /** Share of the period's error budget left; grouped SLOs: the lowest member's. Null: not recorded. */
  readonly errorBudgetRemaining: number | null;
  readonly budgetWorst: Readonly<Record<string, string>> | null;
  /** Burn-rate alerts firing now. */
  readonly firing: readonly {
    readonly alertname: string;
    readonly tier: 'page' | 'ticket' | 'other';
    readonly severity: string;
    readonly longWindow: string;
    readonly shortWindow: string;
    readonly labels: Readonly<Record<string, string>>;
  }[];
  /** `page`/`ticket`: such an alert fires; `no-data`: nothing recorded for the SLO. */
  readonly state: 'ok' | 'ticket' | 'page' | 'no-data';
}

/**
 * Asks Prometheus for every SLO's recorded burn rates, budget remaining and firing alerts at
 * `timeSeconds`: one instant query per SLO (`{__name__=~"…", slo="id"}`), at most `concurrency` at once.
 */
export async function readStatus(api: PrometheusApi, slos: readonly SloModel[], timeSeconds: number, concurrency: number): Promise<SloNow[]> {
  const names = `slo:burn_rate:rate[0-9a-z]+|${sloSeries.errorBudgetRemaining}|ALERTS`;
  return mapWithConcurrency(slos, concurrency, async (slo) => {
    const samples = await api.query(`{__name__=~${JSON.stringify(names)}, ${LABEL_SLO}=${JSON.stringify(slo.id)}}`, timeSeconds);
    return sloNow(slo, samples);
  });
}

/** The status of one SLO from its samples (pure). */
export function sloNow(slo: SloModel, samples: readonly InstantSample[]): SloNow {
  const member = (m: Readonly<Record<string, string>>) => (slo.groupBy.length ? Object.fromEntries(slo.groupBy.map((g) => [g, m[g] ?? ''])) : null);
  const windows = [...new Set(slo.windows.flatMap((w) => [w.shortMinutes, w.longMinutes]))].sort((a, b) => a - b).map(formatMinutes);
  const burnRates = windows.map((window) => {
    let best: { value: number; worst: Record<string, string> | null } | null = null;
    for (const s of samples) {
      if (s.metric.__name__ !== sloSeries.burnRate(window)) continue;
      const v = Number(s.value[1]);
      if (Number.isFinite(v) && (best === null || v > best.value)) best = { value: v, worst: member(s.metric) };
    }
    return { window, value: best?.value ?? null, worst: best?.worst ?? null };
  });
  let budget: { value: number; worst: Record<string, string> | null } | null = null;
  for (const s of samples) {
    if (s.metric.__name__ !== sloSeries.errorBudgetRemaining) continue;
    const v = Number(s.value[1]);
    if (Number.isFinite(v) && (budget === null || v < budget.value)) budget = { value: v, worst: member(s.metric) };
  }
  const tiers = tierSeverities(slo);
  const firing = samples
    .filter((s) => s.metric.__name__ === 'ALERTS' && s.metric.alertstate === 'firing' && s.metric.alertname === slo.alertName)
    .map((s) => {
      const severity = s.metric[LABEL_SEVERITY] ?? '';
      return {
        alertname: s.metric.alertname!,
        tier: tiers.page.includes(severity) ? ('page' as const) : tiers.ticket.includes(severity) ? ('ticket' as const) : ('other' as const),
        severity,
        longWindow: s.metric[LABEL_LONG_WINDOW] ?? '',
        shortWindow: s.metric[LABEL_SHORT_WINDOW] ?? '',
        labels: member(s.metric) ?? {},
      };
    })
    .sort(
      (a, b) => a.tier.localeCompare(b.tier) || a.longWindow.localeCompare(b.longWindow) || JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)),
    );
  const recorded = burnRates.some((b) => b.value !== null) || budget !== null;
  const state = firing.some((f) => f.tier === 'page') ? 'page' : firing.length ? 'ticket' : recorded ? 'ok' : 'no-data';
  return {
    id: slo.id,
    service: slo.service,
    objectivePercent: slo.objectivePercent,
    period: slo.period,
    burnRates,
    errorBudgetRemaining: budget?.value ?? null,
    budgetWorst: budget?.worst ?? null,
    firing,
    state,
  };
}

/** ANSI colours of the status table (only on a terminal without NO_COLOR). */
const COLOURS = { red: '\u001b[31m', yellow: '\u001b[33m', green: '\u001b[32m', dim: '\u001b[2m', reset: '\u001b[0m' } as const;

/** The status table as aligned text; `colour` adds ANSI colours to the state and budget columns. */
export function formatStatusTable(rows: readonly SloNow[], colour: boolean): string {
  const paint = (text: string, c: keyof typeof COLOURS | undefined) => (colour && c ? `${COLOURS[c]}${text}${COLOURS.reset}` : text);
  const head = ['SLO', 'objective', 'budget left', 'burn rate (window: rate)', 'firing', 'state'];
  const body = rows.map((r) => {
    const budget = r.errorBudgetRemaining === null ? '-' : `${(r.errorBudgetRemaining * 100).toFixed(1)}%`;
    const burns = r.burnRates.map((b) => `${b.window}:${b.value === null ? '-' : `${b.value.toFixed(2)}x`}`).join(' ');
    const firing = r.firing.length
      ? r.firing
          .map((f) => `${f.tier} ${f.longWindow}/${f.shortWindow}${Object.keys(f.labels).length ? ` ${Object.values(f.labels).join(',')}` : ''}`)
          .join('; ')
      : '-';
    const budgetColour = r.errorBudgetRemaining === null ? 'dim' : r.errorBudgetRemaining < 0 ? 'red' : r.errorBudgetRemaining < 0.25 ? 'yellow' : 'green';
    const stateColour = { page: 'red', ticket: 'yellow', ok: 'green', 'no-data': 'dim' } as const;
    return [
      { text: r.id },
      { text: `${r.objectivePercent}% / ${r.period}` },
      { text: budget, colour: budgetColour as keyof typeof COLOURS },
      { text: burns },
      { text: firing },
      { text: r.state, colour: stateColour[r.state] as keyof typeof COLOURS },
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.text.length)));
  const line = (cells: { text: string; colour?: keyof typeof COLOURS }[]) =>
    cells
      .map((c, i) => paint(c.text, c.colour) + ' '.repeat(i === cells.length - 1 ? 0 : widths[i]! - c.text.length))
      .join('  ')
      .trimEnd();
  return `${[line(head.map((text) => ({ text }))), ...body.map(line)].join('\n')}\n`;
}

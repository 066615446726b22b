import { sloDashboardUid, sloSeries } from '../conventions.js';
import { dashboard } from './dashboard.js';
import { row } from './layout.js';
import { stat, table, timeseries } from './panels.js';
import { prom, promInstant } from './queries.js';
import { customVariable, labelVariable } from './variables.js';
import type { DashboardJson } from './types.js';
import { formatMinutes } from '../model/duration.js';
import type { SloModel } from '../model/types.js';
import { recordedWindows } from '../model/slo-math.js';

/**
 * One SLO dashboard per service (pure), at the uid alerts link to (`sloDashboardUrl`). The `slo`
 * variable selects one of the service's SLOs; the groupBy labels of its SLOs become filters.
 * Panels read only vigil's recording rules: objective, SLI over time, error budget remaining, burn
 * rate per alert window pair against its factor, and the SLO's firing alerts.
 */
export function sloDashboards(slos: readonly SloModel[]): DashboardJson[] {
  const byService = new Map<string, SloModel[]>();
  for (const s of slos) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return [...byService.keys()].sort().map((service) => serviceDashboard(service, byService.get(service)!));
}

function serviceDashboard(service: string, slos: readonly SloModel[]): DashboardJson {
  const first = slos[0]!;
  const base = formatMinutes(Math.min(...slos.map((s) => recordedWindows(s)[0]!)));
  const period = first.period;
  const groupBy = [...new Set(slos.flatMap((s) => s.groupBy))].sort();
  const filter = ['slo="$slo"', ...groupBy.map((l) => `${l}=~"$${l}"`)].join(', ');
  const byGroup = groupBy.length > 0 ? groupBy.map((l) => `{{${l}}}`).join(' ') : '';
  const legend = (what: string) => (byGroup ? `${byGroup} ${what}` : what);

  const pairs = new Map<string, { long: string; short: string; factor: number; tier: string }>();
  for (const s of slos)
    for (const w of s.windows) pairs.set(`${w.long}/${w.short}/${w.factor}`, { long: w.long, short: w.short, factor: w.factor, tier: w.tier });

  const burnPanels = [...pairs.values()].map((p) =>
    timeseries(`Burn rate ${p.long} / ${p.short} (${p.tier}, ${round(p.factor)}x)`, {
      description: `Error-budget burn rate over the ${p.long} and ${p.short} windows. The ${p.tier} alert fires when both stay above ${round(p.factor)}x (the dashed line).`,
      unit: 'suffix:x',
      span: 8,
      thresholds: [
        ['green', null],
        ['red', round(p.factor)],
      ],
      thresholdLines: true,
      queries: [prom(`${sloSeries.burnRate(p.long)}{${filter}}`, legend(p.long)), prom(`${sloSeries.burnRate(p.short)}{${filter}}`, legend(p.short))],
    }),
  );

  return dashboard({
    uid: sloDashboardUid(service),
    title: `SLO / ${service}`,
    description: `Service level objectives of ${service}: objective, SLI, error budget and multiwindow burn-rate alerts. Alerts of these SLOs link here with the SLO selected.`,
    tags: ['slo', service],
    from: 'now-7d',
    variables: [
      customVariable(
        'slo',
        slos.map((s) => s.id),
        { title: 'SLO', description: slos.map((s) => `${s.id}: ${s.description}`).join(' · ') },
      ),
      ...groupBy.map((l) =>
        labelVariable(l, { selector: `${sloSeries.errorRatio(base)}{service=${JSON.stringify(service)}}`, description: `SLO grouping label ${l}.` }),
      ),
    ],
    rows: [
      row('Objective and error budget', [
        stat('Objective', {
          description: 'Target share of good events over the SLO period.',
          unit: 'percentunit',
          decimals: 3,
          queries: [promInstant(`max(${sloSeries.objective}{slo="$slo"})`)],
        }),
        stat(`SLI over ${period}`, {
          description: `Share of good events over the whole ${period} period, worst group first.`,
          unit: 'percentunit',
          decimals: 3,
          queries: [promInstant(`min(1 - ${sloSeries.errorRatio(period)}{${filter}})`)],
        }),
        stat('Error budget remaining', {
          description: `Share of the ${period} error budget left (negative: overspent), worst group first.`,
          unit: 'percentunit',
          thresholds: [
            ['red', null],
            ['orange', 0],
            ['green', 0.25],
          ],
          queries: [promInstant(`min(${sloSeries.errorBudgetRemaining}{${filter}})`)],
        }),
        stat('Firing alerts', {
          description: 'Burn-rate alerts of this SLO firing now.',
          unit: 'none',
          thresholds: [
            ['green', null],
            ['red', 1],
          ],
          queries: [promInstant(`count(ALERTS{slo="$slo", alertstate="firing"}) or vector(0)`)],
        }),
      ]),
      row('SLI and budget over time', [
        timeseries('SLI', {
          description: `Share of good events per ${base}, against the objective (dashed line: objective series).`,
          unit: 'percentunit',
          decimals: 3,
          max: 1,
          queries: [prom(`1 - ${sloSeries.errorRatio(base)}{${filter}}`, legend('SLI')), prom(`max(${sloSeries.objective}{slo="$slo"})`, 'objective')],
        }),
        timeseries('Error budget remaining', {
          description: `Share of the ${period} error budget left over time; below zero the SLO is breached.`,
          unit: 'percentunit',
          thresholds: [
            ['red', null],
            ['green', 0],
          ],
          thresholdLines: true,
          queries: [prom(`${sloSeries.errorBudgetRemaining}{${filter}}`, legend('budget left'))],
        }),
      ]),
      row('Burn rate per alert window', burnPanels),
      row('Alerts', [
        table('Firing and pending alerts', {
          description: 'Burn-rate alerts of this SLO, with their windows and severity.',
          unit: 'none',
          height: 6,
          queries: [promInstant(`ALERTS{slo="$slo"}`)],
        }),
      ]),
    ],
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

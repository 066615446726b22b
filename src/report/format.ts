/** How the report's pages write numbers (docs/report.md lists these; tests compare pages to report.json through them). */
import type { SloReport, SloStatus } from './report-model.js';

/** A ratio as a percentage with `digits` decimals: 0.99953 → `99.953 %`. */
export function formatPercent(ratio: number, digits: number): string {
  const v = (ratio * 100).toFixed(digits);
  return `${v === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : v} %`;
}

/** Attainment (3 decimals: a 99.9 % objective needs them), or why there is none. */
export function formatAttainment(r: Pick<SloReport, 'attainment' | 'status'>): string {
  return r.attainment === null ? statusText(r.status).toLowerCase() : formatPercent(r.attainment, 3);
}

/** Error budget remaining (1 decimal; negative when overspent), or why there is none. */
export function formatBudget(r: Pick<SloReport, 'errorBudgetRemaining' | 'status'>): string {
  return r.errorBudgetRemaining === null ? statusText(r.status).toLowerCase() : formatPercent(r.errorBudgetRemaining, 1);
}

export function statusText(s: SloStatus): string {
  return { met: 'Met', 'at-risk': 'At risk', breached: 'Breached', 'no-traffic': 'No traffic', 'no-data': 'No data' }[s];
}

/** Days with at most one decimal: 3 → `3`, 2.5 → `2.5`, 0.04 → `0`. */
function days(seconds: number): string {
  return String(Math.round((seconds / 86_400) * 10) / 10);
}

/** How much of the range has data: `no data`, `full range`, or `data covers 3 of 30 days`. */
export function formatCoverage(c: SloReport['coverage']): string {
  if (c.seconds === 0) return 'no data';
  if (c.seconds >= c.rangeSeconds) return 'full range';
  if (c.rangeSeconds < 2 * 86_400) return `data covers ${formatSeconds(c.seconds)} of ${formatSeconds(c.rangeSeconds)}`;
  return `data covers ${days(c.seconds)} of ${days(c.rangeSeconds)} days`;
}

/** A length of time: `0 min`, `35 min`, `2.5 h`, `3.2 d`. */
export function formatSeconds(s: number): string {
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 8640) / 10} d`;
}

/** A latency in seconds: `1.84 s`, `350 ms`. */
export function formatLatency(seconds: number): string {
  if (seconds === 0) return '0 s';
  return seconds < 1 ? `${Number((seconds * 1000).toPrecision(3))} ms` : `${Number(seconds.toPrecision(3))} s`;
}

/** A UTC instant as `2026-12-06 11:00 UTC`. */
export function formatInstant(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** groupBy labels as `model="llama"`. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}

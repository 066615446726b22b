import type { PrometheusApi } from '../live/prometheus-api.js';
import type { SloModel } from '../model/types.js';
import { mapWithConcurrency } from '../runtime/map-with-concurrency.js';
import { readSloHistory } from './read-slo-history.js';
import { REPORT_FORMAT_VERSION, type Report, type SloReport } from './report-model.js';
import type { ReportRange } from './report-range.js';
import { summarizeSlo } from './summarize-slo.js';

/** Settings of one report run. */
export interface BuildReportOptions {
  readonly range: ReportRange;
  readonly prometheusUrl: string;
  readonly environment?: string | undefined;
  /** SLOs read at once (each reads its series one request after another). */
  readonly concurrency: number;
  /** Called after each SLO is read (progress on stderr). */
  readonly onProgress?: (done: number, total: number, sloId: string) => void;
  readonly generatedBy: string;
}

/** The file name of a service's page. */
export function servicePage(service: string): string {
  return `${service}.html`;
}

/** Severities of an SLO's page and ticket tiers (alerts are told apart by their severity label). */
export function tierSeverities(slo: SloModel): { page: string[]; ticket: string[] } {
  const of = (tier: 'page' | 'ticket') => [...new Set([...slo.windows, ...slo.droppedWindows].filter((w) => w.tier === tier).map((w) => w.severity))];
  return { page: of('page'), ticket: of('ticket') };
}

/** Reads every SLO's history (bounded concurrency) and summarizes it into the report. */
export async function buildReport(api: PrometheusApi, slos: readonly SloModel[], options: BuildReportOptions): Promise<Report> {
  let done = 0;
  const reports: SloReport[] = await mapWithConcurrency(slos, options.concurrency, async (slo) => {
    const history = await readSloHistory(api, slo, options.range);
    const r = summarizeSlo(slo, history, options.range, tierSeverities(slo));
    options.onProgress?.(++done, slos.length, slo.id);
    return r;
  });
  const services = [...new Set(slos.map((s) => s.service))].sort();
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    generatedBy: options.generatedBy,
    prometheusUrl: options.prometheusUrl,
    environment: options.environment ?? null,
    fromSeconds: options.range.fromSeconds,
    toSeconds: options.range.toSeconds,
    services: services.map((name) => ({ name, page: servicePage(name), slos: reports.filter((r) => r.service === name) })),
    requests: api.requests,
  };
}

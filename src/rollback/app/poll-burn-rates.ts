import { createHash } from 'node:crypto';
import {
  LABEL_LONG_WINDOW,
  LABEL_SEVERITY,
  LABEL_SHORT_WINDOW,
  LABEL_SLO,
  DEFAULT_PAGE_SEVERITY,
  DEFAULT_SLO_ALERT_NAME,
  sloSeries,
} from '../../conventions.js';
import { breachCondition, breaches } from '../../model/burn-rate-breach.js';
import type { AlertView, TriggerMetrics } from '../ports.js';

/** One instant-vector sample; `value` may be NaN (Prometheus sends "NaN"). */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** PrometheusQuery runs one instant query (`/api/v1/query`). */
export interface PrometheusQuery {
  query(expr: string, signal?: AbortSignal): Promise<Sample[]>;
}

/** One burn-rate condition to evaluate, as in the SLO's page alert. */
export interface BurnRateCheck {
  readonly slo: string;
  readonly long: string;
  readonly short: string;
  readonly burnRateFactor: number;
  readonly severity?: string;
  readonly alertname?: string;
}

/** Result of one check for one series (one SLO, or one groupBy value of it). */
export interface PollFinding {
  readonly check: BurnRateCheck;
  readonly labels: Readonly<Record<string, string>>;
  /** `no-data`: a window is empty or NaN, which never counts as a breach. */
  readonly result: 'breach' | 'ok' | 'no-data';
}

/** The PromQL of a check's window: the recorded burn-rate series of that SLO. */
export function burnRateQuery(slo: string, window: string): string {
  return `${sloSeries.burnRate(window)}{${LABEL_SLO}=${JSON.stringify(slo)}}`;
}

/**
 * Evaluates a multiwindow burn-rate check against Prometheus: a series breaches only when both
 * its long and short window burn rates are numbers above the factor, by the model's breach test
 * (factor rounded as in the alert rule, strict `>`). Series missing from one window, and NaN/Inf
 * values, are "no data", never a breach.
 */
export async function evaluateBurnRateCheck(check: BurnRateCheck, prom: PrometheusQuery, signal?: AbortSignal): Promise<PollFinding[]> {
  const condition = breachCondition({ long: check.long, short: check.short, factor: check.burnRateFactor });
  const [long, short] = await Promise.all([
    prom.query(burnRateQuery(check.slo, condition.long), signal),
    prom.query(burnRateQuery(check.slo, condition.short), signal),
  ]);
  const shortBy = new Map(short.map((s) => [labelKey(s.labels), s.value]));
  const findings: PollFinding[] = long.map((l) => {
    const s = shortBy.get(labelKey(l.labels));
    const usable = Number.isFinite(l.value) && s !== undefined && Number.isFinite(s);
    const result = !usable ? 'no-data' : breaches(condition, l.value, s) ? 'breach' : 'ok';
    return { check, labels: withoutName(l.labels), result };
  });
  if (findings.length === 0) return [{ check, labels: { [LABEL_SLO]: check.slo }, result: 'no-data' }];
  return findings;
}

/**
 * Turns poll findings into alerts for the trigger, keeping an incident's start time while it
 * lasts so repeated polls are the same alert instance (deduplicated), and resolving it when the
 * series is fine again. No data leaves an open incident open: it neither fires nor resolves.
 */
export class BurnRatePoller {
  private readonly open = new Map<string, { startsAt: string; labels: Record<string, string> }>();

  constructor(
    private readonly checks: readonly BurnRateCheck[],
    private readonly prom: PrometheusQuery,
    private readonly metrics: Pick<TriggerMetrics, 'pollResult'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** One poll round: the alerts to hand to the trigger (firing and resolved). */
  async poll(signal?: AbortSignal): Promise<AlertView[]> {
    const alerts: AlertView[] = [];
    for (const check of this.checks) {
      let findings: PollFinding[];
      try {
        findings = await evaluateBurnRateCheck(check, this.prom, signal);
      } catch {
        this.metrics.pollResult('error');
        continue;
      }
      for (const f of findings) {
        this.metrics.pollResult(f.result);
        const labels: Record<string, string> = {
          ...f.labels,
          alertname: check.alertname ?? DEFAULT_SLO_ALERT_NAME,
          [LABEL_SEVERITY]: check.severity ?? DEFAULT_PAGE_SEVERITY,
          [LABEL_LONG_WINDOW]: check.long,
          [LABEL_SHORT_WINDOW]: check.short,
        };
        const fingerprint = `poll-${createHash('sha256').update(labelKey(labels)).digest('hex').slice(0, 16)}`;
        const known = this.open.get(fingerprint);
        if (f.result === 'breach') {
          const startsAt = known?.startsAt ?? new Date(this.now()).toISOString();
          this.open.set(fingerprint, { startsAt, labels });
          alerts.push({ fingerprint, startsAt, status: 'firing', labels, source: 'prometheus-poll' });
        } else if (f.result === 'ok' && known) {
          this.open.delete(fingerprint);
          alerts.push({ fingerprint, startsAt: known.startsAt, status: 'resolved', labels: known.labels, source: 'prometheus-poll' });
        }
      }
    }
    return alerts;
  }
}

function withoutName(labels: Readonly<Record<string, string>>): Record<string, string> {
  const rest = { ...labels };
  delete rest.__name__;
  return rest;
}

function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(withoutName(labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

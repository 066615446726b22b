import { dashboard, prom, promInstant, row, stat, timeseries } from '../src/dashboards/index.js';
import { sloDashboardUrl } from '../src/conventions.js';

/** The document API's requests (PLATFORM.md SLA: P95 < 2 s, 99.9% available, errors < 0.1%). */
const DOC = 'job="doc-api"';
const P95 = `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${DOC}}[$__rate_interval])))`;
const ERRORS = `sum(rate(http_requests_total{${DOC}, code=~"5.."}[$__rate_interval])) / sum(rate(http_requests_total{${DOC}}[$__rate_interval]))`;
const AVAILABILITY = 'avg_over_time(probe_success{job="blackbox", target="doc-api"}[$__range])';

export default dashboard({
  title: 'SLA overview',
  description:
    'The document-processing SLA at a glance: P95 latency against 2 s, availability against 99.9%, error rate against 0.1%. Drill down to the SLO dashboard for error budgets and burn rates.',
  tags: ['sla'],
  from: 'now-24h',
  links: [{ title: 'SLO: document-processing', url: sloDashboardUrl('document-processing', 'document-processing-latency') }],
  rows: [
    row('SLA now', [
      stat('P95 latency', {
        description: 'Document request latency at the 95th percentile. SLA: under 2 s.',
        unit: 's',
        span: 8,
        decimals: 2,
        graph: true,
        thresholds: [
          ['green', null],
          ['red', 2],
        ],
        queries: [prom(P95)],
      }),
      stat('Availability', {
        description: 'Share of blackbox probes of the document API that succeeded over the dashboard range. SLA: 99.9%.',
        unit: 'percentunit',
        span: 8,
        decimals: 3,
        thresholds: [
          ['red', null],
          ['green', 0.999],
        ],
        queries: [promInstant(AVAILABILITY)],
      }),
      stat('Error rate', {
        description: 'Share of document requests answered with a 5xx. SLA: under 0.1%.',
        unit: 'percentunit',
        span: 8,
        decimals: 3,
        graph: true,
        thresholds: [
          ['green', null],
          ['red', 0.001],
        ],
        queries: [prom(ERRORS)],
      }),
    ]),
    row('Over time', [
      timeseries('P95 latency against 2 s', {
        description: 'P95 latency of document requests; the dashed line is the 2 s SLA.',
        unit: 's',
        span: 8,
        thresholds: [
          ['green', null],
          ['red', 2],
        ],
        thresholdLines: true,
        queries: [prom(P95, 'p95')],
      }),
      timeseries('Availability against 99.9%', {
        description: 'Share of successful probes per rate interval; the dashed line is the 99.9% SLA.',
        unit: 'percentunit',
        span: 8,
        decimals: 3,
        max: 1,
        thresholds: [
          ['red', null],
          ['green', 0.999],
        ],
        thresholdLines: true,
        queries: [prom('avg_over_time(probe_success{job="blackbox", target="doc-api"}[$__rate_interval])', 'availability')],
      }),
      timeseries('Error rate against 0.1%', {
        description: 'Share of 5xx answers; the dashed line is the 0.1% SLA.',
        unit: 'percentunit',
        span: 8,
        decimals: 3,
        thresholds: [
          ['green', null],
          ['red', 0.001],
        ],
        thresholdLines: true,
        queries: [prom(ERRORS, 'error rate')],
      }),
    ]),
  ],
});

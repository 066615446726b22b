import { dashboard, prom, row, timeseries } from 'vigil-monitoring/dashboards';

/** __SERVICE__ at a glance: traffic, errors and latency (the SLO dashboard is generated for you). */
export default dashboard({
  title: '__SERVICE__',
  description: 'Traffic, errors and latency of __SERVICE__.',
  rows: [
    row('Traffic', [
      timeseries('Requests by code', {
        description: 'Requests per second by status code.',
        unit: 'reqps',
        queries: [prom('sum by (code) (rate(http_requests_total{job="__SERVICE__"}[$__rate_interval]))', '{{code}}')],
      }),
      timeseries('Latency p95', {
        description: '95th percentile request latency.',
        unit: 's',
        queries: [prom('histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="__SERVICE__"}[$__rate_interval])))', 'p95')],
      }),
    ]),
  ],
});

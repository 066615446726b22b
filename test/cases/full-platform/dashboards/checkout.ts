import { dashboard, labelVariable, logql, prom, row, timeseries } from '../../../../src/dashboards/index.js';

/** A small hand-written dashboard: one Prometheus panel, one Loki panel. */
export default dashboard({
  title: 'Checkout',
  description: 'Checkout request rate and error logs.',
  tags: ['checkout'],
  variables: [labelVariable('region', { selector: 'http_requests_total{job="checkout"}' })],
  rows: [
    row('Traffic', [
      timeseries('Requests', { description: 'Checkout requests per second, per region.', unit: 'reqps', queries: [prom('sum by (region) (rate(http_requests_total{job="checkout", region=~"$region"}[$__rate_interval]))', '{{region}}')] }),
      timeseries('Error logs', { description: 'Error log lines of checkout.', unit: 'short', queries: [logql('sum(count_over_time({service_name="checkout"} | json | level="error" [$__auto]))')] }),
    ]),
  ],
});

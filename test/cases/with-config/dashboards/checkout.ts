import { dashboard, prom, row, timeseries } from '../../../../src/dashboards/index.js';

/** One panel: the GrafanaDashboard object around it carries the configured namespace, instance selector and folder. */
export default dashboard({
  title: 'Checkout',
  description: 'Checkout request rate.',
  rows: [
    row('Traffic', [
      timeseries('Requests', {
        description: 'Checkout requests per second.',
        unit: 'reqps',
        queries: [prom('sum(rate(http_requests_total{job="checkout"}[$__rate_interval]))', 'requests')],
      }),
    ]),
  ],
});

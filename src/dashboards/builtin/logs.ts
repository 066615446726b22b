import { dashboard } from '../dashboard.js';
import { row } from '../layout.js';
import { logs, timeseries } from '../panels.js';
import { logql } from '../queries.js';
import { lokiLabelVariable, textVariable } from '../variables.js';

/**
 * Services log JSON lines with `level`, `service` and `correlation_id`. Loki 3 puts the service in
 * the `service_name` stream label (from `service`, `app`, ...), so streams are selected by it and
 * the JSON fields are parsed per line.
 */
const STREAMS = '{service_name=~"$service"}';

export const logsDashboard = dashboard({
  title: 'Logs',
  description:
    'Logs of the platform services from Loki: error logs per service, log volume by level, and one request followed across services by its correlation_id.',
  tags: ['logs'],
  from: 'now-1h',
  variables: [
    lokiLabelVariable('service', { label: 'service_name', description: 'Service (Loki stream label service_name).' }),
    textVariable('correlation_id', {
      title: 'correlation id',
      description: 'Paste a correlation_id from a log line or an error report to follow that request across services.',
    }),
  ],
  rows: [
    row('Volume', [
      timeseries('Error logs per service', {
        description: 'Log lines at level error or fatal per service.',
        unit: 'short',
        queries: [logql(`sum by (service_name) (count_over_time(${STREAMS} | json | level=~"error|fatal" [$__auto]))`, '{{service_name}}')],
      }),
      timeseries('Log volume by level', {
        description: 'Log lines per level across the selected services.',
        unit: 'short',
        stack: true,
        queries: [logql(`sum by (level) (count_over_time(${STREAMS} | json [$__auto]))`, '{{level}}')],
      }),
    ]),
    row('Request trail', [
      logs('Request across services', {
        description: 'Every log line carrying the selected correlation_id, from all services, newest first.',
        queries: [logql('{service_name=~".+"} |= "$correlation_id" | json | correlation_id="$correlation_id"')],
      }),
    ]),
    row('Errors', [
      logs('Error logs', { description: 'Error and fatal log lines of the selected services.', queries: [logql(`${STREAMS} | json | level=~"error|fatal"`)] }),
    ]),
  ],
});

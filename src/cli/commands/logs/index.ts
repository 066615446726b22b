import { LOKI_DEFAULT_STREAM_SELECTOR } from '../../../conventions.js';
import { UserError } from '../../../diagnostics.js';
import { correlationQuery, grafanaExploreUrl, parseStreamSelector } from '../../../loki/logql.js';
import { parseLogql } from '../../../loki/parse-logql.js';
import { parseFlags } from '../../args.js';
import { EXIT_OK, EXIT_USAGE, type CliIo, type Command } from '../../io.js';

const usage =
  'vigil logs --correlation-id ID [--service NAME] [--selector \'{namespace=~".+"}\'] [--grafana-url URL] [--datasource-uid UID] [--from now-6h] [--format text|json]';

/** `vigil logs`: the LogQL that follows one request across services, and optionally its Explore link. */
export const logsCommand: Command = {
  summary: 'Print the LogQL query (and a Grafana Explore URL) that follows one request by correlation id across services.',
  usage,
  examples: ['vigil logs --correlation-id 7f3a9c2e --service doc-api --grafana-url https://grafana.example.internal'],
  run(argv, io) {
    // Nothing here awaits; a failure still reaches the caller as a rejection, as with every command.
    return new Promise<number>((resolve) => resolve(printCorrelationQuery(argv, io)));
  },
};

function printCorrelationQuery(argv: readonly string[], io: CliIo): number {
  const { values } = parseFlags(
    argv,
    {
      'correlation-id': { type: 'string' },
      service: { type: 'string' },
      selector: { type: 'string', default: LOKI_DEFAULT_STREAM_SELECTOR },
      'grafana-url': { type: 'string' },
      'datasource-uid': { type: 'string', default: 'loki' },
      from: { type: 'string', default: 'now-6h' },
    },
    usage,
  );
  const id = values['correlation-id'];
  if (id === undefined || id.trim() === '') throw new UserError(`--correlation-id is required\nusage: ${usage}`, EXIT_USAGE);
  if (/[\r\n]/.test(id)) throw new UserError('--correlation-id must be a single line', EXIT_USAGE);
  const grafana = values['grafana-url'];
  if (grafana !== undefined && !/^https?:\/\/[^\s]+$/.test(grafana))
    throw new UserError(`--grafana-url must be an http(s) URL, got ${JSON.stringify(grafana)}`, EXIT_USAGE);
  let selector;
  try {
    selector = parseStreamSelector(values.selector);
    const query = correlationQuery(id, { selector, ...(values.service !== undefined ? { service: values.service } : {}) }).toString();
    const check = parseLogql(query);
    if (check.error) throw new Error(`generated LogQL does not parse: ${check.error.message}`);
    const url = grafana !== undefined ? grafanaExploreUrl(grafana, query, { datasourceUid: values['datasource-uid'], from: values.from }) : undefined;
    if (values.format === 'json') io.stdout.write(`${JSON.stringify({ query, ...(url ? { exploreUrl: url } : {}) })}\n`);
    else io.stdout.write(`${query}\n${url ? `${url}\n` : ''}`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`, EXIT_USAGE);
  }
}

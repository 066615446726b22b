import { PrometheusApi } from '../../../live/prometheus-api.js';
import { formatStatusTable, readStatus } from '../../../report/read-status.js';
import { parseDurationFlag, parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, type Command } from '../../io.js';
import { displayUrl, loadPrometheusSource, parseConcurrency, prometheusUserError } from '../../prometheus-source.js';

const usage = 'vigil status [--prometheus-url URL] [--service S] [--env NAME] [--format text|json] [--concurrency 8] [--timeout 10s] [--root DIR]';

/** `vigil status`: every SLO's burn rates, budget left and firing alerts now. */
export const statusCommand: Command = {
  summary: "Print every SLO's current burn rate per alert window, error budget left and firing burn-rate alerts.",
  usage,
  examples: [
    'vigil status --prometheus-url http://prometheus:9090   # one line per SLO; colour on a terminal (NO_COLOR turns it off)',
    'vigil status --service gpu-inference --format json     # exact numbers for scripts',
  ],
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        'prometheus-url': { type: 'string' },
        service: { type: 'string' },
        env: { type: 'string' },
        concurrency: { type: 'string', default: '8' },
        timeout: { type: 'string', default: '10s' },
      },
      usage,
    );
    const root = resolveRoot(io.cwd, values.root);
    const timeoutMs = parseDurationFlag('timeout', values.timeout, usage);
    const concurrency = parseConcurrency(values.concurrency, usage);
    const source = await loadPrometheusSource(
      root,
      { url: values['prometheus-url'], service: values.service, format: values.format, env: values.env },
      io,
      usage,
    );
    if (!source) return EXIT_INVALID;
    const api = new PrometheusApi({ url: source.url, timeoutMs });
    let rows;
    try {
      rows = await readStatus(api, source.slos, Date.now() / 1000, concurrency);
    } catch (err) {
      throw prometheusUserError(err);
    }
    if (values.format === 'json') {
      io.stdout.write(`${JSON.stringify({ prometheusUrl: displayUrl(source.url), environment: values.env ?? null, slos: rows }, null, 2)}\n`);
      return EXIT_OK;
    }
    const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
    const colour = tty && !process.env.NO_COLOR;
    io.stdout.write(formatStatusTable(rows, colour));
    return EXIT_OK;
  },
};

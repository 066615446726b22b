import path from 'node:path';
import { applyGrafana } from '../../../apply/apply-grafana.js';
import { applyPrometheus, PrometheusApplyError } from '../../../apply/apply-prometheus.js';
import { applyMessage } from '../../../apply/git-message.js';
import { GrafanaApiError, GrafanaClient } from '../../../apply/grafana-client.js';
import { formatPlan } from '../../../apply/grafana-plan.js';
import { buildForApply, dashboardsOf, grafanaUrl, readToken } from '../../../apply/local-dashboards.js';
import { UserError } from '../../../diagnostics.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from '../../io.js';

const grafanaUsage = 'vigil apply grafana --grafana-url URL --token-file F [--folder NAME] [--dry-run] [--prune] [--concurrency N] [--root DIR] [--env NAME]';
const prometheusUsage = 'vigil apply prometheus --rules-dir DIR [--reload-url URL] [--promtool PATH] [--root DIR] [--env NAME]';
const usage = `${grafanaUsage}\n       ${prometheusUsage}`;

async function applyGrafanaCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      'grafana-url': { type: 'string' },
      'token-file': { type: 'string' },
      folder: { type: 'string', default: 'vigil' },
      'dry-run': { type: 'boolean', default: false },
      prune: { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '4' },
      env: { type: 'string' },
    },
    grafanaUsage,
  );
  const url = grafanaUrl(values['grafana-url'], grafanaUsage);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
    throw new UserError(`--concurrency must be a whole number from 1 to 32\nusage: ${grafanaUsage}`, EXIT_USAGE);
  const token = readToken(io.cwd, values['token-file'], true);
  const root = resolveRoot(io.cwd, values.root);
  const dashboards = dashboardsOf(await buildForApply(root, values.env));
  const client = new GrafanaClient({ url, token });
  try {
    const r = await applyGrafana(client, dashboards, {
      folder: values.folder,
      prune: values.prune,
      dryRun: values['dry-run'],
      concurrency,
      message: applyMessage(root),
    });
    if (values.format === 'json')
      io.stdout.write(
        `${JSON.stringify({ dryRun: values['dry-run'], folder: r.folder, plan: r.plan, failures: r.failures, retries: client.retries }, null, 2)}\n`,
      );
    else {
      io.stdout.write(
        (r.folder.created ? `+ ${values['dry-run'] ? 'would create' : 'created'} folder ${JSON.stringify(values.folder)} (uid ${r.folder.uid})\n` : '') +
          formatPlan(r.plan),
      );
      for (const f of r.failures) io.stderr.write(`vigil apply: ${f.uid}: ${f.message}\n`);
      io.stdout.write(
        values['dry-run']
          ? 'vigil apply: dry run, nothing changed\n'
          : `vigil apply: done${client.retries ? ` (${client.retries} transient failure(s) retried)` : ''}\n`,
      );
    }
    return r.failures.length > 0 ? EXIT_INVALID : EXIT_OK;
  } catch (err) {
    if (err instanceof GrafanaApiError) throw new UserError(err.message, EXIT_INVALID);
    throw err;
  }
}

async function applyPrometheusCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(
    argv,
    { 'rules-dir': { type: 'string' }, 'reload-url': { type: 'string' }, promtool: { type: 'string' }, env: { type: 'string' } },
    prometheusUsage,
  );
  if (!values['rules-dir']) throw new UserError(`--rules-dir is required\nusage: ${prometheusUsage}`, EXIT_USAGE);
  const root = resolveRoot(io.cwd, values.root);
  const artifacts = await buildForApply(root, values.env);
  try {
    const r = await applyPrometheus(artifacts, {
      rulesDir: path.resolve(io.cwd, values['rules-dir']),
      ...(values['reload-url'] ? { reloadUrl: values['reload-url'] } : {}),
      ...(values.promtool ? { promtool: values.promtool } : {}),
    });
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else
      io.stdout.write(
        `vigil apply prometheus: ${r.written.length} written, ${r.unchanged.length} unchanged, ${r.removed.length} removed${r.reloaded ? ', Prometheus reloaded' : ''}\n`,
      );
    return EXIT_OK;
  } catch (err) {
    if (err instanceof PrometheusApplyError) throw new UserError(err.message, EXIT_INVALID);
    throw err;
  }
}

/** `vigil apply grafana|prometheus` (DESIGN A6). */
export const applyCommand: Command = {
  summary: 'Apply dashboards to Grafana, or rule files to Prometheus.',
  usage,
  examples: [
    'vigil apply grafana --grafana-url https://grafana.example --token-file /run/secrets/grafana-token --dry-run',
    'vigil apply prometheus --rules-dir /etc/prometheus/rules.d --reload-url http://127.0.0.1:9090/-/reload',
  ],
  async run(argv, io) {
    const [target, ...rest] = argv;
    if (target === 'grafana') return applyGrafanaCommand(rest, io);
    if (target === 'prometheus') return applyPrometheusCommand(rest, io);
    throw new UserError(`apply needs a target: grafana or prometheus${target ? `, got ${JSON.stringify(target)}` : ''}\nusage: ${usage}`, EXIT_USAGE);
  },
};

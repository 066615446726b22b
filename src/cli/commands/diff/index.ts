import { applyGrafana } from '../../../apply/apply-grafana.js';
import { GrafanaApiError, GrafanaClient } from '../../../apply/grafana-client.js';
import { formatPlan } from '../../../apply/grafana-plan.js';
import { buildForApply, dashboardsOf, grafanaUrl, readToken } from '../../../apply/local-dashboards.js';
import { UserError } from '../../../diagnostics.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, type Command } from '../../io.js';

const usage = 'vigil diff --grafana-url URL [--token-file F] [--folder NAME] [--prune] [--root DIR] [--env NAME] [--format text|json]';

/** `vigil diff`: what `vigil apply grafana` would change, per dashboard (changes nothing). */
export const diffCommand: Command = {
  summary: 'Show what apply would change in Grafana, per dashboard.',
  usage,
  examples: ['vigil diff --grafana-url https://grafana.example --token-file /run/secrets/grafana-token'],
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        'grafana-url': { type: 'string' },
        'token-file': { type: 'string' },
        folder: { type: 'string', default: 'vigil' },
        prune: { type: 'boolean', default: false },
        env: { type: 'string' },
      },
      usage,
    );
    const url = grafanaUrl(values['grafana-url'], usage);
    const token = readToken(io.cwd, values['token-file'], false);
    const root = resolveRoot(io.cwd, values.root);
    const dashboards = dashboardsOf(await buildForApply(root, values.env));
    const client = new GrafanaClient({ url, token });
    try {
      const r = await applyGrafana(client, dashboards, { folder: values.folder, prune: values.prune, dryRun: true, message: '' });
      if (values.format === 'json') io.stdout.write(`${JSON.stringify({ folder: r.folder, plan: r.plan }, null, 2)}\n`);
      else io.stdout.write((r.folder.created ? `+ create folder ${JSON.stringify(values.folder)} (uid ${r.folder.uid})\n` : '') + formatPlan(r.plan));
      return r.plan.some((p) => p.action === 'conflict') ? EXIT_INVALID : EXIT_OK;
    } catch (err) {
      if (err instanceof GrafanaApiError) throw new UserError(err.message, EXIT_INVALID);
      throw err;
    }
  },
};

import { checkAllEnvironments, checkProject } from '../../../build/build-project.js';
import { UserError } from '../../../diagnostics.js';
import { generateDocuments } from '../../../generate/generate-documents.js';
import { checkLive } from '../../../live/check-live.js';
import { parseDurationFlag, parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_LINT, EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';
import { prometheusUserError } from '../../prometheus-source.js';

const usage =
  'vigil check [--root DIR] [--env NAME | --all-envs] [--strict] [--format text|json] [--prometheus-url URL [--lookback 1h] [--timeout 10s] [--concurrency 8]]';

/** `vigil check`: everything `render` validates, without writing; `--strict` fails on warnings; `--prometheus-url` also asks a live Prometheus. */
export const checkCommand: Command = {
  summary: 'Validate specs, expressions, lint rules and cross-references without writing anything (and selectors against a live Prometheus).',
  usage,
  examples: [
    'vigil check                           # errors exit 1, nothing is written',
    'vigil check --strict --format json    # a CI gate: JSON diagnostics on stdout, exit 3 on warnings',
    'vigil check --prometheus-url http://prometheus:9090   # also: do the selectors match series? (warnings; errors with --strict)',
    'vigil check --all-envs                # every declared environment, each with its overrides applied',
  ],
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        env: { type: 'string' },
        'all-envs': { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        'prometheus-url': { type: 'string' },
        lookback: { type: 'string', default: '1h' },
        timeout: { type: 'string', default: '10s' },
        concurrency: { type: 'string', default: '8' },
      },
      usage,
    );
    if (values['all-envs'] && values.env !== undefined) throw new UserError(`--env and --all-envs exclude each other\nusage: ${usage}`, EXIT_USAGE);
    const root = resolveRoot(io.cwd, values.root);
    const url = values['prometheus-url'];
    if (values['all-envs'] && url !== undefined)
      throw new UserError(`--all-envs and --prometheus-url exclude each other: a Prometheus serves one environment\nusage: ${usage}`, EXIT_USAGE);
    if (values['all-envs']) {
      const all = await checkAllEnvironments(root);
      const d = all.diagnostics;
      reportDiagnostics(io, values.format, d.sorted(), { environments: all.environments.map((e) => e.env) });
      if (values.format === 'text')
        io.stderr.write(`vigil check: ${d.errors.length} error(s), ${d.warnings.length} warning(s) in ${all.environments.length} environment(s)\n`);
      if (d.hasErrors || all.environments.length === 0) return EXIT_INVALID;
      return values.strict && d.warnings.length > 0 ? EXIT_LINT : EXIT_OK;
    }
    if (url !== undefined && !/^https?:\/\/[^/\s]+/.test(url))
      throw new UserError(`--prometheus-url must be an http(s) URL like http://prometheus:9090, got ${JSON.stringify(url)}\nusage: ${usage}`, EXIT_USAGE);
    const lookbackMs = parseDurationFlag('lookback', values.lookback, usage);
    const timeoutMs = parseDurationFlag('timeout', values.timeout, usage);
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      throw new UserError(`--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(values.concurrency)}\nusage: ${usage}`, EXIT_USAGE);

    const { model, diagnostics: d } = await checkProject(root, values.env !== undefined ? { env: values.env } : {});
    let live: { selectors: number } | undefined;
    if (url !== undefined) {
      try {
        // Live findings are warnings; --strict makes them errors (exit 1).
        const r = await checkLive(model, { url, lookbackMs, timeoutMs, concurrency, severity: values.strict ? 'error' : 'warning' });
        for (const x of r.diagnostics) d.add(x);
        live = { selectors: r.selectors };
      } catch (err) {
        throw prometheusUserError(err);
      }
    }
    // How many files render would write (documents are counted, not rendered).
    let artifacts = 0;
    for (const docs = generateDocuments(model); !docs.next().done;) artifacts++;
    reportDiagnostics(io, values.format, d.sorted(), { slos: model.slos.length, artifacts, ...(live ? { liveSelectors: live.selectors } : {}) });
    if (values.format === 'text') {
      const asked = live ? `, ${live.selectors} selector(s) checked against ${url}` : '';
      io.stderr.write(`vigil check: ${d.errors.length} error(s), ${d.warnings.length} warning(s), ${model.slos.length} SLO(s)${asked}\n`);
    }
    if (d.hasErrors) return EXIT_INVALID;
    if (values.strict && d.warnings.length > 0) return EXIT_LINT;
    return EXIT_OK;
  },
};

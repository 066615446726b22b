import { checkProject } from '../../../build/build-project.js';
import { Diagnostics, UserError } from '../../../diagnostics.js';
import { compareEnvironments } from '../../../parity/compare-environments.js';
import { formatParity } from '../../../parity/format-parity.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const usage = 'vigil parity ENV_A ENV_B [--root DIR] [--format text|json]';

/**
 * `vigil parity`: the semantic difference between two environments, each difference declared (an
 * override explains it) or drift. Exit 1 on drift or invalid input, 0 otherwise.
 */
export const parityCommand: Command = {
  summary: 'Compare two environments (SLOs, alerts, routing, dashboards, rollback policy): every difference declared by an override, or drift (exit 1).',
  usage,
  examples: [
    'vigil parity prod staging                 # a CI gate: exit 1 when staging differs from prod where no override says so',
    'vigil parity prod staging --format json   # the report as JSON (differences, declared, drift)',
  ],
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {}, usage, true);
    if (positionals.length !== 2) throw new UserError(`expected two environments, e.g. vigil parity prod staging\nusage: ${usage}`, EXIT_USAGE);
    const [envA, envB] = positionals as [string, string];
    if (envA === envB) throw new UserError(`compare two different environments (got ${envA} twice)\nusage: ${usage}`, EXIT_USAGE);
    const root = resolveRoot(io.cwd, values.root);
    // One after another: dashboard modules run in this process and share its module cache.
    const a = await checkProject(root, { env: envA });
    const b = await checkProject(root, { env: envB });
    const all = new Diagnostics();
    const seen = new Set<string>();
    for (const d of [...a.diagnostics.items, ...b.diagnostics.items]) {
      const k = JSON.stringify(d);
      if (!seen.has(k)) all.add(d);
      seen.add(k);
    }
    if (all.hasErrors) {
      reportDiagnostics(io, values.format, all.sorted());
      if (values.format === 'text') io.stderr.write(`vigil parity: ${all.errors.length} error(s); nothing was compared\n`);
      return EXIT_INVALID;
    }
    const report = compareEnvironments({ env: envA, model: a.model }, { env: envB, model: b.model });
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      reportDiagnostics(io, values.format, all.sorted());
      io.stdout.write(formatParity(report));
    }
    return report.drift > 0 ? EXIT_INVALID : EXIT_OK;
  },
};

import { buildProject } from '../../../project/build-project.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_LINT, EXIT_OK, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const usage = 'vigil check [--root DIR] [--env NAME] [--strict] [--format text|json]';

/** `vigil check`: everything `render` validates, without writing; `--strict` fails on warnings. */
export const checkCommand: Command = {
  summary: 'Validate specs, expressions, lint rules and cross-references without writing anything.',
  usage,
  async run(argv, io) {
    const { values } = parseFlags(argv, { env: { type: 'string' }, strict: { type: 'boolean', default: false } }, usage);
    const root = resolveRoot(io.cwd, values.root);
    const result = await buildProject(root, values.env !== undefined ? { env: values.env } : {});
    const d = result.diagnostics;
    reportDiagnostics(io, values.format, d.sorted(), { slos: result.context.slos.length, artifacts: result.artifacts.length });
    if (values.format === 'text') io.stderr.write(`vigil check: ${d.errors.length} error(s), ${d.warnings.length} warning(s), ${result.context.slos.length} SLO(s)\n`);
    if (d.hasErrors) return EXIT_INVALID;
    if (values.strict && d.warnings.length > 0) return EXIT_LINT;
    return EXIT_OK;
  },
};

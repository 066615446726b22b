import { checkProject } from '../../../build/build-project.js';
import { generateDocuments } from '../../../generate/generate-documents.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_LINT, EXIT_OK, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const usage = 'vigil check [--root DIR] [--env NAME] [--strict] [--format text|json]';

/** `vigil check`: everything `render` validates, without writing; `--strict` fails on warnings. */
export const checkCommand: Command = {
  summary: 'Validate specs, expressions, lint rules and cross-references without writing anything.',
  usage,
  examples: [
    'vigil check                           # errors exit 1, nothing is written',
    'vigil check --strict --format json    # a CI gate: JSON diagnostics on stdout, exit 3 on warnings',
  ],
  async run(argv, io) {
    const { values } = parseFlags(argv, { env: { type: 'string' }, strict: { type: 'boolean', default: false } }, usage);
    const root = resolveRoot(io.cwd, values.root);
    const { model, diagnostics: d } = await checkProject(root, values.env !== undefined ? { env: values.env } : {});
    // How many files render would write (documents are counted, not rendered).
    let artifacts = 0;
    for (const docs = generateDocuments(model); !docs.next().done;) artifacts++;
    reportDiagnostics(io, values.format, d.sorted(), { slos: model.slos.length, artifacts });
    if (values.format === 'text') io.stderr.write(`vigil check: ${d.errors.length} error(s), ${d.warnings.length} warning(s), ${model.slos.length} SLO(s)\n`);
    if (d.hasErrors) return EXIT_INVALID;
    if (values.strict && d.warnings.length > 0) return EXIT_LINT;
    return EXIT_OK;
  },
};

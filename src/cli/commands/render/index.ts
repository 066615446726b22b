import path from 'node:path';
import { checkProject } from '../../../build/build-project.js';
import { renderProject } from '../../../render/render-project.js';
import { writeArtifacts } from '../../../write/write-artifacts.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const usage = 'vigil render [--root DIR] [--out DIR] [--env NAME] [--format text|json]';

/** `vigil render`: validate, then write every artifact atomically (nothing on error). */
export const renderCommand: Command = {
  summary: 'Validate the specs and write all generated artifacts (default build/).',
  usage,
  examples: [
    'vigil render                                   # validate, then write everything into build/',
    'vigil render --env prod --out /tmp/monitoring  # the prod overrides, into another folder',
  ],
  async run(argv, io) {
    const { values } = parseFlags(argv, { out: { type: 'string' }, env: { type: 'string' } }, usage);
    const root = resolveRoot(io.cwd, values.root);
    const out = path.resolve(io.cwd, values.out ?? path.join(root, 'build'));
    const result = await checkProject(root, values.env !== undefined ? { env: values.env } : {});
    const diagnostics = result.diagnostics.sorted();
    if (result.diagnostics.hasErrors) {
      reportDiagnostics(io, values.format, diagnostics, { written: [] });
      if (values.format === 'text') io.stderr.write(`vigil render: ${result.diagnostics.errors.length} error(s); nothing was written\n`);
      return EXIT_INVALID;
    }
    const written = await writeArtifacts(out, renderProject(result.model));
    reportDiagnostics(io, values.format, diagnostics, { out, written: written.map((w) => path.relative(out, w)) });
    if (values.format === 'text') io.stdout.write(`vigil render: wrote ${written.length} file(s) to ${path.relative(io.cwd, out) || '.'}\n`);
    return EXIT_OK;
  },
};

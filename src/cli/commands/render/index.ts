import path from 'node:path';
import { checkProject, checkAllEnvironments } from '../../../build/build-project.js';
import { UserError } from '../../../diagnostics.js';
import { renderProject } from '../../../render/render-project.js';
import { writeArtifacts } from '../../../write/write-artifacts.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const usage = 'vigil render [--root DIR] [--out DIR] [--env NAME | --all-envs] [--format text|json]';

/** `vigil render`: validate, then write every artifact atomically (nothing on error). */
export const renderCommand: Command = {
  summary: 'Validate the specs and write all generated artifacts (default build/).',
  usage,
  examples: [
    'vigil render                                   # validate, then write everything into build/',
    'vigil render --env prod --out /tmp/monitoring  # the prod overrides, into another folder',
    'vigil render --all-envs                        # build/<env>/... for every declared environment, in one write',
  ],
  async run(argv, io) {
    const { values } = parseFlags(argv, { out: { type: 'string' }, env: { type: 'string' }, 'all-envs': { type: 'boolean', default: false } }, usage);
    if (values['all-envs'] && values.env !== undefined) throw new UserError(`--env and --all-envs exclude each other\nusage: ${usage}`, EXIT_USAGE);
    const root = resolveRoot(io.cwd, values.root);
    const out = path.resolve(io.cwd, values.out ?? path.join(root, 'build'));
    if (values['all-envs']) {
      const all = await checkAllEnvironments(root);
      if (all.diagnostics.hasErrors || all.environments.length === 0) {
        reportDiagnostics(io, values.format, all.diagnostics.sorted(), { written: [] });
        if (values.format === 'text') io.stderr.write(`vigil render: ${all.diagnostics.errors.length} error(s); nothing was written\n`);
        return EXIT_INVALID;
      }
      // Every environment's artifacts under <env>/, swapped in as one tree: all or nothing.
      const artifacts = all.environments.flatMap(({ env, model }) => [...renderProject(model)].map((a) => ({ path: `${env}/${a.path}`, content: a.content })));
      const written = await writeArtifacts(out, artifacts);
      reportDiagnostics(io, values.format, all.diagnostics.sorted(), {
        out,
        environments: all.environments.map((e) => e.env),
        written: written.map((w) => path.relative(out, w)),
      });
      if (values.format === 'text')
        io.stdout.write(
          `vigil render: wrote ${written.length} file(s) for ${all.environments.length} environment(s) (${all.environments.map((e) => e.env).join(', ')}) to ${path.relative(io.cwd, out) || '.'}\n`,
        );
      return EXIT_OK;
    }
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

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildProject } from '../../../build/build-project.js';
import { writeArtifacts } from '../../../write/write-artifacts.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { UserError } from '../../../diagnostics.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';
import { checkRendered, type CheckResult } from './check-rendered.js';

const usage = 'vigil test [--root DIR] [--env NAME] [--skip-missing-tools] [--keep] [--jobs N] [--full-proofs] [--no-split] [--format text|json]';

/** `vigil test`: render to a temp dir and run the real promtool/amtool over the output. */
export const testCommand: Command = {
  summary: 'Render to a temp dir and run promtool check/test rules and amtool check-config on the result.',
  usage,
  examples: [
    'vigil test                            # real promtool check/test rules and amtool over a temp render',
    'vigil test --keep                     # keep the temp render to look at',
    'vigil test --jobs 4                   # at most 4 tools at a time (default: available CPUs)',
    'vigil test --full-proofs --no-split   # every SLO runs the full scenarios; test files run as rendered',
  ],
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        env: { type: 'string' },
        'skip-missing-tools': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        jobs: { type: 'string' },
        'full-proofs': { type: 'boolean', default: false },
        'no-split': { type: 'boolean', default: false },
      },
      usage,
    );
    const jobs = values.jobs === undefined ? os.availableParallelism() : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1)
      throw new UserError(`--jobs must be a whole number of at least 1, got ${JSON.stringify(values.jobs)}\nusage: ${usage}`, EXIT_USAGE);
    const root = resolveRoot(io.cwd, values.root);
    const fullProofs = values['full-proofs'];
    const result = await buildProject(root, { ...(values.env !== undefined ? { env: values.env } : {}), ...(fullProofs ? { fullProofs } : {}) });
    if (result.diagnostics.hasErrors) {
      reportDiagnostics(io, values.format, result.diagnostics.sorted(), { results: [] });
      return EXIT_INVALID;
    }
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-test-'));
    const out = path.join(tmp, 'build');
    const results: CheckResult[] = [];
    const say = (r: CheckResult, tool = '') => {
      results.push({ check: r.check, status: r.status, output: r.output });
      if (values.format !== 'text') return;
      io.stderr.write(`${r.status === 'passed' ? 'ok  ' : r.status === 'missing-tool' ? 'MISSING' : 'FAIL'} ${r.check}\n`);
      if (r.status === 'failed') io.stderr.write(`${r.output.trimEnd()}\n`);
      if (r.status === 'missing-tool')
        io.stderr.write(
          `  ${tool} not found on PATH${values['skip-missing-tools'] ? ' (skipped: --skip-missing-tools)' : '; install it (Debian: apt-get install prometheus prometheus-alertmanager) or pass --skip-missing-tools'}\n`,
        );
    };
    try {
      await writeArtifacts(out, result.artifacts);
      for (const r of await checkRendered(out, result.model.slos, { jobs, fullProofs, split: !values['no-split'], workDir: path.join(tmp, 'split') })) {
        say({ ...r, output: r.output.split(tmp).join('<tmp>') }, r.tool);
      }
    } finally {
      if (values.keep) io.stderr.write(`kept rendered output in ${out}\n`);
      else await fs.rm(tmp, { recursive: true, force: true });
    }
    const failed = results.filter((r) => r.status === 'failed' || (r.status === 'missing-tool' && !values['skip-missing-tools']));
    reportDiagnostics(io, values.format, result.diagnostics.sorted(), { results });
    if (values.format === 'text') io.stderr.write(`vigil test: ${results.length - failed.length} passed, ${failed.length} failed\n`);
    return failed.length > 0 ? EXIT_INVALID : EXIT_OK;
  },
};

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildProject } from '../../../build/build-project.js';
import { writeArtifacts } from '../../../write/write-artifacts.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';
import { toolChecksFor, type ToolCheck } from './tool-checks.js';

const usage = 'vigil test [--root DIR] [--env NAME] [--skip-missing-tools] [--keep] [--format text|json]';

interface ToolResult {
  readonly check: string;
  readonly status: 'passed' | 'failed' | 'missing-tool';
  readonly output: string;
}

function runTool(c: ToolCheck, cwd: string): Promise<{ code: number | null; output: string; missing: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(c.tool, [...c.args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: null, output: err.message, missing: err.code === 'ENOENT' }));
    child.on('close', (code) => resolve({ code, output, missing: false }));
  });
}

/** `vigil test`: render to a temp dir and run the real promtool/amtool over the output. */
export const testCommand: Command = {
  summary: 'Render to a temp dir and run promtool check/test rules and amtool check-config on the result.',
  usage,
  examples: [
    'vigil test                            # real promtool check/test rules and amtool over a temp render',
    'vigil test --keep                     # keep the temp render to look at',
  ],
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      { env: { type: 'string' }, 'skip-missing-tools': { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
      usage,
    );
    const root = resolveRoot(io.cwd, values.root);
    const result = await buildProject(root, values.env !== undefined ? { env: values.env } : {});
    if (result.diagnostics.hasErrors) {
      reportDiagnostics(io, values.format, result.diagnostics.sorted(), { results: [] });
      return EXIT_INVALID;
    }
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-test-'));
    const out = path.join(tmp, 'build');
    const results: ToolResult[] = [];
    try {
      await writeArtifacts(out, result.artifacts);
      for (const check of toolChecksFor(out)) {
        const r = await runTool(check, out);
        const status = r.missing ? 'missing-tool' : r.code === 0 ? 'passed' : 'failed';
        results.push({ check: check.describe, status, output: r.output.split(tmp).join('<tmp>') });
        if (values.format === 'text') {
          io.stderr.write(`${status === 'passed' ? 'ok  ' : status === 'missing-tool' ? 'MISSING' : 'FAIL'} ${check.describe}\n`);
          if (status === 'failed') io.stderr.write(`${r.output.split(tmp).join('<tmp>').trimEnd()}\n`);
          if (status === 'missing-tool')
            io.stderr.write(
              `  ${check.tool} not found on PATH${values['skip-missing-tools'] ? ' (skipped: --skip-missing-tools)' : '; install it (Debian: apt-get install prometheus prometheus-alertmanager) or pass --skip-missing-tools'}\n`,
            );
        }
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

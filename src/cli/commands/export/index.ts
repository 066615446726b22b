import fs from 'node:fs';
import path from 'node:path';
import { Diagnostics, UserError, formatDiagnostic } from '../../../diagnostics.js';
import { exportOpenslo } from '../../../import/openslo/export-openslo.js';
import { loadSlos } from '../../../load/load-slos.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const usage = 'vigil export openslo [--out DIR] [--root DIR] [--format text|json]';

export const exportCommand: Command = {
  summary: "export the project's SLOs as OpenSLO v1 documents (Service, SLO with inline SLI and AlertPolicies)",
  usage,
  examples: ['vigil export openslo --out openslo/   # one <service>.openslo.yaml per service'],
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { out: { type: 'string' } }, usage, true);
    if (positionals[0] !== 'openslo' || positionals.length !== 1) throw new UserError(`vigil export writes openslo only\nusage: ${usage}`, EXIT_USAGE);
    const root = resolveRoot(io.cwd, values.root);
    const diags = new Diagnostics();
    const models = await loadSlos(root, diags);
    if (diags.hasErrors) {
      reportDiagnostics(io, values.format, diags.sorted());
      return EXIT_INVALID;
    }
    const out = values.out ? path.resolve(io.cwd, values.out) : path.join(root, 'build', 'openslo');
    const { files, notExported } = exportOpenslo(models);
    fs.mkdirSync(out, { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(out, f.path), f.content);
    const written = files.map((f) => path.relative(io.cwd, path.join(out, f.path)));
    const skipped = notExported.map((n) => ({
      severity: 'warning' as const,
      code: 'EXP001',
      message: `${n.id} not exported: ${n.reason}`,
      file: n.file,
      line: n.line,
      column: n.column,
    }));
    if (values.format === 'json') {
      io.stdout.write(`${JSON.stringify({ ok: true, exported: files.flatMap((f) => f.slos), notExported, files: written }, null, 2)}\n`);
      return EXIT_OK;
    }
    for (const d of skipped) io.stderr.write(`${formatDiagnostic(d)}\n`);
    io.stdout.write(
      `exported ${files.reduce((n, f) => n + f.slos.length, 0)} SLO(s) to ${written.length} file(s)${written.length ? `: ${written.join(', ')}` : ''}\nnot exported: ${notExported.length}\n${notExported.map((n) => `  ${n.id}: ${n.reason}\n`).join('')}`,
    );
    return EXIT_OK;
  },
};

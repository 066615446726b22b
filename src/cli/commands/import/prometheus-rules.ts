import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../../diagnostics.js';
import { formatFinding, type ImportFinding } from '../../../import/prometheus-rules/findings.js';
import { importPrometheusRules, type RuleFileInput } from '../../../import/prometheus-rules/import-prometheus-rules.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo } from '../../io.js';

export const importPrometheusRulesUsage =
  'vigil import prometheus-rules FILE|DIR... [--root DIR] [--out alerts/] [--rules-out rules/] [--dry-run] [--force] [--format text|json]';

/**
 * `vigil import prometheus-rules`: Prometheus rule files (or PrometheusRule objects) → AlertPacks
 * under `--out` (default `<root>/alerts`), recording rules as plain rule files under `--rules-out`
 * (default `<root>/rules`). Prints every finding and a summary; exit 1 when any rule was not
 * importable, 2 on a usage error. Existing files are kept unless `--force`.
 */
export async function runImportPrometheusRules(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    io.stderr.write(`vigil import prometheus-rules: ${err.message}\n`);
    return err.exitCode;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { out: { type: 'string' }, 'rules-out': { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, force: { type: 'boolean', default: false } },
    importPrometheusRulesUsage,
    true,
  );
  if (positionals.length === 0) throw new UserError(`no rule files given\nusage: ${importPrometheusRulesUsage}`, EXIT_USAGE);
  const root = resolveRoot(io.cwd, values.root);
  const alertsDir = path.resolve(io.cwd, values.out ?? path.join(root, 'alerts'));
  const rulesDir = path.resolve(io.cwd, values['rules-out'] ?? path.join(root, 'rules'));
  const { inputs, unreadable } = await readInputs(positionals, io.cwd);
  const result = importPrometheusRules(inputs, { alertsDir: rel(root, alertsDir), rulesDir: rel(root, rulesDir) });
  const findings: ImportFinding[] = [...unreadable, ...result.findings];
  const summary = { ...result.summary, 'not-importable': result.summary['not-importable'] + unreadable.length };

  const targets = result.packs.map((p) => ({ ...p, abs: path.resolve(root, p.path) }));
  const existing =
    values.force || values['dry-run'] ? [] : (await Promise.all(targets.map(async (t) => ((await exists(t.abs)) ? t.path : undefined)))).filter((p) => p);
  if (existing.length > 0) {
    report(io, values.format, findings, summary, [], false);
    io.stderr.write(`vigil import prometheus-rules: ${existing.join(', ')} already exist(s); nothing was written (--force replaces)\n`);
    return EXIT_INVALID;
  }
  if (!values['dry-run']) {
    for (const t of targets) {
      await fs.mkdir(path.dirname(t.abs), { recursive: true });
      const tmp = `${t.abs}.tmp-${process.pid}`;
      await fs.writeFile(tmp, t.text);
      await fs.rename(tmp, t.abs);
    }
  } else if (values.format === 'text') {
    for (const t of targets) io.stdout.write(`--- ${t.path} (dry run, not written)\n${t.text}`);
  }
  report(
    io,
    values.format,
    findings,
    summary,
    targets.map((t) => t.path),
    values['dry-run'],
  );
  return summary['not-importable'] > 0 ? EXIT_INVALID : EXIT_OK;
}

function report(
  io: CliIo,
  format: string,
  findings: readonly ImportFinding[],
  summary: Record<string, number>,
  files: readonly string[],
  dryRun: boolean,
): void {
  const counts = { imported: summary.imported ?? 0, needsAttention: summary['needs-attention'] ?? 0, notImportable: summary['not-importable'] ?? 0 };
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ ok: counts.notImportable === 0, summary: counts, files, dryRun, findings }, null, 2)}\n`);
    return;
  }
  for (const f of findings) io.stderr.write(`${formatFinding(f)}\n`);
  for (const f of files) io.stdout.write(`${dryRun ? 'would write' : 'wrote'} ${f}\n`);
  io.stdout.write(
    `vigil import prometheus-rules: ${counts.imported} imported, ${counts.needsAttention} need attention, ${counts.notImportable} not importable (rules; details above)\n`,
  );
}

/** The named files, and the `*.yaml`/`*.yml` files directly in named folders, sorted; unreadable paths become findings. */
async function readInputs(paths: readonly string[], cwd: string): Promise<{ inputs: RuleFileInput[]; unreadable: ImportFinding[] }> {
  const inputs: RuleFileInput[] = [];
  const unreadable: ImportFinding[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    try {
      const stat = await fs.stat(abs);
      const files = stat.isDirectory()
        ? (await fs.readdir(abs))
            .filter((n) => /\.ya?ml$/.test(n))
            .sort()
            .map((n) => path.join(p, n))
        : [p];
      for (const f of files) inputs.push({ name: f, text: await fs.readFile(path.resolve(cwd, f), 'utf8') });
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
      unreadable.push({ status: 'not-importable', code: 'IPR005', message: `cannot read: ${reason}`, file: p, line: 0, column: 0 });
    }
  }
  return { inputs, unreadable };
}

function rel(root: string, dir: string): string {
  return path.relative(root, dir).split(path.sep).join('/') || '.';
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

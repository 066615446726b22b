import fs from 'node:fs';
import path from 'node:path';
import { UserError, type Diagnostic } from '../../../diagnostics.js';
import { IMPORTERS } from '../../../import/registry.js';
import { importGrafanaDashboardUsage, runImportGrafanaDashboard } from './grafana-dashboard.js';
import { importPrometheusRulesUsage, runImportPrometheusRules } from './prometheus-rules.js';
import type { InputFile } from '../../../import/slo-importer.js';
import type { ImportRun } from '../../../import/outcome.js';
import { importExitCode, printImportSummary } from '../../../import/summary.js';
import { isDuration } from '../../../runtime/duration.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { EXIT_USAGE, type Command } from '../../io.js';

const usage = `vigil import ${Object.keys(IMPORTERS).join('|')} FILE|DIR... [--out DIR] [--dry-run] [--force] [--period DUR] [--root DIR] [--format text|json]
       ${importGrafanaDashboardUsage}
       ${importPrometheusRulesUsage}`;

/** Reads FILE|DIR arguments: a directory contributes its files with the importer's extensions (recursively, sorted). */
function readInputs(cwd: string, args: readonly string[], extensions: readonly string[]): InputFile[] {
  const files: string[] = [];
  for (const a of args) {
    const abs = path.resolve(cwd, a);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new UserError(`${a}: no such file or directory\nusage: ${usage}`, EXIT_USAGE);
    }
    if (stat.isDirectory()) {
      const found = fs
        .readdirSync(abs, { recursive: true, encoding: 'utf8' })
        .filter((f) => extensions.some((e) => f.endsWith(e)))
        .sort()
        .map((f) => path.join(abs, f));
      if (found.length === 0) throw new UserError(`${a}: no ${extensions.join(' or ')} files in this directory`, 1);
      files.push(...found);
    } else files.push(abs);
  }
  return files.map((f) => ({ file: path.relative(cwd, f) || f, text: fs.readFileSync(f, 'utf8') }));
}

/**
 * Writes the outputs under `out`. A file that already exists is refused (IMP050, nothing is
 * written) unless `force`: an import never merges into a spec a person may have edited.
 */
function writeOutputs(run: ImportRun, out: string, cwd: string, force: boolean, dryRun: boolean): { written: string[]; refused: Diagnostic[] } {
  const targets = run.outputs.map((o) => ({ abs: path.join(out, o.path), content: o.content }));
  const shown = (abs: string) => path.relative(cwd, abs) || abs;
  const refused: Diagnostic[] = force
    ? []
    : targets
        .filter((t) => fs.existsSync(t.abs))
        .map((t) => ({
          severity: 'error' as const,
          code: 'IMP050',
          message: 'already exists; vigil import does not merge into an existing spec (nothing was written)',
          file: shown(t.abs),
          line: 0,
          column: 0,
          hint: 'import into another --out directory and merge by hand, or pass --force to overwrite',
        }));
  if (refused.length > 0 || dryRun) return { written: refused.length ? [] : targets.map((t) => shown(t.abs)), refused };
  fs.mkdirSync(out, { recursive: true });
  for (const t of targets) fs.writeFileSync(t.abs, t.content);
  return { written: targets.map((t) => shown(t.abs)), refused };
}

export const importCommand: Command = {
  summary:
    'import SLOs from OpenSLO, Sloth or Pyrra files into vigil specs (one file per service), Grafana dashboards into TypeScript modules, and Prometheus rule files into alert packs',
  usage,
  examples: [
    'vigil import sloth sloth/ --dry-run        # show what would be written',
    'vigil import sloth sloth/ --period 28d     # as sloth generate --default-slo-period 28d',
    'vigil import pyrra k8s/slos/ --out slos/   # one spec per namespace',
    'vigil import openslo openslo.yaml --format json   # summary as JSON for CI',
    'vigil import grafana-dashboard gpu.json --out dashboards/   # a dashboard module of vigil helpers',
    'vigil import prometheus-rules rules/*.yaml --dry-run         # alert packs with test skeletons',
  ],
  async run(argv, io) {
    // Dashboards are their own kind: one JSON (or a Grafana uid) → one TypeScript module, own flags.
    if (argv[0] === 'grafana-dashboard') return runImportGrafanaDashboard(argv.slice(1), io);
    if (argv[0] === 'prometheus-rules') return runImportPrometheusRules(argv.slice(1), io);
    const { values, positionals } = parseFlags(
      argv,
      { out: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, period: { type: 'string' } },
      usage,
      true,
    );
    const [kind, ...inputs] = positionals;
    const load = kind ? IMPORTERS[kind] : undefined;
    if (!load) throw new UserError(`${kind ? `unknown import kind ${JSON.stringify(kind)}` : 'missing import kind'}\nusage: ${usage}`, EXIT_USAGE);
    if (inputs.length === 0) throw new UserError(`missing FILE or DIR\nusage: ${usage}`, EXIT_USAGE);
    const importer = await load();
    const root = resolveRoot(io.cwd, values.root);
    const out = values.out ? path.resolve(io.cwd, values.out) : path.join(root, importer.defaultOut);
    if (values.period !== undefined && !isDuration(values.period))
      throw new UserError(`--period must be a duration like 30d or 28d, got ${JSON.stringify(values.period)}\nusage: ${usage}`, EXIT_USAGE);
    const run = importer.importFiles(readInputs(io.cwd, inputs, importer.extensions), values.period !== undefined ? { period: values.period } : {});
    const { written, refused } = writeOutputs(run, out, io.cwd, values.force, values['dry-run']);
    const full: ImportRun = { ...run, diagnostics: [...run.diagnostics, ...refused] };
    printImportSummary(io, values.format, kind!, full, written, values['dry-run']);
    return importExitCode(full);
  },
};

import { compareDiagnostics, formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { ImportRun, ObjectOutcome } from './outcome.js';

/** Where the summary goes: the CLI's stdout/stderr (any `{ write }`). */
export interface SummaryStreams {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

/** The three buckets of an import summary, shared by every `vigil import` kind. */
export interface ImportSummary {
  readonly imported: readonly ObjectOutcome[];
  readonly needsAttention: readonly ObjectOutcome[];
  readonly notImportable: readonly ObjectOutcome[];
}

/** Sorts outcomes into imported / needs attention (warnings) / not importable (errors). */
export function summarizeImport(run: ImportRun): ImportSummary {
  const hasError = (o: ObjectOutcome) => o.diagnostics.some((d) => d.severity === 'error');
  return {
    imported: run.objects.filter((o) => o.diagnostics.length === 0),
    needsAttention: run.objects.filter((o) => !hasError(o) && o.diagnostics.length > 0),
    notImportable: run.objects.filter(hasError),
  };
}

/** Exit code of an import: 1 when anything was not importable (or a file could not be read), else 0. */
export function importExitCode(run: ImportRun): number {
  return summarizeImport(run).notImportable.length > 0 || run.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

/**
 * Prints the summary. Text: every diagnostic on stderr (file:line:col, promtool style), then the
 * three lists on stdout. JSON (`--format json`): one document on stdout for CI.
 */
export function printImportSummary(io: SummaryStreams, format: string, kind: string, run: ImportRun, written: readonly string[], dryRun: boolean): void {
  const s = summarizeImport(run);
  if (format === 'json') {
    const item = (o: ObjectOutcome) => ({ object: o.object, file: o.file, line: o.line, column: o.column, produced: o.produced, diagnostics: o.diagnostics });
    io.stdout.write(
      `${JSON.stringify(
        {
          kind,
          ok: importExitCode(run) === 0,
          dryRun,
          imported: s.imported.map(item),
          needsAttention: s.needsAttention.map(item),
          notImportable: s.notImportable.map(item),
          diagnostics: [...run.diagnostics].sort(compareDiagnostics),
          files: written,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const all: Diagnostic[] = [...run.diagnostics, ...run.objects.flatMap((o) => o.diagnostics)].sort(compareDiagnostics);
  for (const d of all) io.stderr.write(`${formatDiagnostic(d)}\n`);
  const line = (o: ObjectOutcome) => `  ${o.object} (${o.file}:${o.line}:${o.column})${o.produced.length ? ` → ${o.produced.join(', ')}` : ''}`;
  const reasons = (o: ObjectOutcome) =>
    o.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `      ${d.code}: ${d.message.slice(o.object.length + 2)}`)
      .join('\n');
  const out: string[] = [];
  out.push(`imported: ${s.imported.length}`, ...s.imported.map(line));
  out.push(`needs attention: ${s.needsAttention.length}`, ...s.needsAttention.map(line));
  out.push(`not importable: ${s.notImportable.length}`, ...s.notImportable.map((o) => `${line(o)}\n${reasons(o)}`));
  out.push(
    dryRun
      ? `dry run: would write ${written.length} file(s)${written.length ? `: ${written.join(', ')}` : ''}`
      : `wrote ${written.length} file(s)${written.length ? `: ${written.join(', ')}` : ''}`,
  );
  io.stdout.write(`${out.join('\n')}\n`);
}

import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { CliIo } from './io.js';

/**
 * Prints diagnostics: text to stderr (promtool style), or with `--format json` one JSON document on
 * stdout holding the diagnostics and any command-specific `extra` fields.
 */
export function reportDiagnostics(io: CliIo, format: string, diagnostics: readonly Diagnostic[], extra: Record<string, unknown> = {}): void {
  if (format === 'json') {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    io.stdout.write(`${JSON.stringify({ ok: errors === 0, errors, warnings: diagnostics.length - errors, diagnostics, ...extra }, null, 2)}\n`);
    return;
  }
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
}

import type { Diagnostics } from '../diagnostics.js';
import type { YamlSource } from './yaml-source.js';

/** How one spec family words its apiVersion diagnostic. */
export interface ApiVersionCheck {
  /** Diagnostic code (SLO001, ALR001, RTE001, ...). */
  readonly code: string;
  /** Versions this vigil reads (default `vigil/v1`). */
  readonly versions?: readonly string[];
  /** What the message says is expected (default: the versions). */
  readonly expected?: string;
  readonly hint?: string;
  /** Diagnostic path when the key is missing (default `(document)`). */
  readonly missingPath?: string;
}

/**
 * Checks `apiVersion` first, as every vigil spec does: the version decides how the rest of the
 * file reads. Reports `apiVersion must be …; it is missing | got "…"` at the key (or at the
 * document when missing) and returns false.
 */
export function requireApiVersion(source: YamlSource, diags: Diagnostics, check: ApiVersionCheck): boolean {
  const versions = check.versions ?? ['vigil/v1'];
  const doc = source.value;
  const v = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>).apiVersion : undefined;
  if (typeof v === 'string' && versions.includes(v)) return true;
  const missing = v === undefined;
  const pos = missing ? source.positionOf([]) : source.positionOf(['apiVersion']);
  const at = { file: pos.file ?? source.file, line: pos.line, column: pos.column, path: missing ? (check.missingPath ?? '(document)') : 'apiVersion' };
  diags.error(
    check.code,
    `apiVersion must be ${check.expected ?? versions.join(', ')}; ${missing ? 'it is missing' : `got ${JSON.stringify(v)}`}`,
    at,
    check.hint,
  );
  return false;
}

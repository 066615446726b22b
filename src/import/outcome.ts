import type { Diagnostic } from '../diagnostics.js';
import type { SourceObject } from './documents.js';

/**
 * What one source object became: imported cleanly, imported with warnings (needs attention), or
 * not importable (at least one error). Every importer kind reports in this shape so that the
 * summary, its JSON form and the exit code are the same for all of them.
 */
export interface ObjectOutcome {
  /** Human name of the source object, e.g. `Sloth SLO myservice/requests-availability`. */
  readonly object: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Names of what it produced (e.g. SLO ids); empty when not importable. */
  readonly produced: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** A file an importer wants written, relative to `--out`. */
export interface ImportOutput {
  readonly path: string;
  readonly content: string;
}

/** The result of one importer run over all input files. */
export interface ImportRun {
  readonly objects: readonly ObjectOutcome[];
  readonly outputs: readonly ImportOutput[];
  /** Problems not tied to one object (unreadable files, files with no recognised object). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Collects diagnostics for one source object, positioned at the object's own paths. */
export class ObjectReport {
  readonly diagnostics: Diagnostic[] = [];
  readonly produced: string[] = [];

  constructor(
    readonly source: SourceObject,
    public object: string,
    /** Where the object itself sits inside `source` (an SLO inside a Sloth file: `['slos', 2]`). */
    private readonly at: readonly (string | number)[] = [],
  ) {}

  error(code: string, message: string, path: readonly (string | number)[], hint?: string, key = false): void {
    this.add('error', code, message, path, hint, key);
  }

  warning(code: string, message: string, path: readonly (string | number)[], hint?: string, key = false): void {
    this.add('warning', code, message, path, hint, key);
  }

  /** A report on another object (a referenced SLI) that adds to this object's diagnostics. */
  elsewhere(source: SourceObject): ObjectReport {
    const other = new ObjectReport(source, this.object);
    (other as { diagnostics: Diagnostic[] }).diagnostics = this.diagnostics;
    return other;
  }

  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  outcome(): ObjectOutcome {
    const at = this.source.positionOf(this.at);
    return {
      object: this.object,
      file: this.source.file,
      line: at.line,
      column: at.column,
      produced: this.failed ? [] : [...this.produced],
      diagnostics: this.diagnostics,
    };
  }

  private add(severity: 'error' | 'warning', code: string, message: string, path: readonly (string | number)[], hint: string | undefined, key: boolean): void {
    const pos = key ? this.source.keyPositionOf(path) : this.source.positionOf(path);
    const shown = path
      .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
      .join('')
      .replace(/^\./, '');
    this.diagnostics.push({
      severity,
      code,
      message: `${this.object}: ${message}`,
      file: this.source.file,
      line: pos.line,
      column: pos.column,
      ...(shown ? { path: shown } : {}),
      ...(hint ? { hint } : {}),
    });
  }
}

/** One problem found in the user's input, printed like promtool: `file:line:col: error CODE: message`. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** Stable code, e.g. `SLO012`; tests and users match on it. */
  readonly code: string;
  readonly message: string;
  /** Path relative to the project root (or as given), `-` when not tied to a file. */
  readonly file: string;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly column: number;
  /** Path inside the document, e.g. `slos[1].objective`. */
  readonly path?: string;
  /** What to do about it. */
  readonly hint?: string;
}

export interface Position {
  readonly line: number;
  readonly column: number;
  /**
   * Set when the value comes from another file than the document's own: an environment's overlay
   * file (src/load/env-overlay.ts). Spread a position after `file:` and the diagnostic names it.
   */
  readonly file?: string;
}

/** Collects every diagnostic of a run; nothing stops at the first problem. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  error(code: string, message: string, at: { file: string; line?: number; column?: number; path?: string }, hint?: string): void {
    this.add({
      severity: 'error',
      code,
      message,
      file: at.file,
      line: at.line ?? 0,
      column: at.column ?? 0,
      ...(at.path ? { path: at.path } : {}),
      ...(hint ? { hint } : {}),
    });
  }

  warning(code: string, message: string, at: { file: string; line?: number; column?: number; path?: string }, hint?: string): void {
    this.add({
      severity: 'warning',
      code,
      message,
      file: at.file,
      line: at.line ?? 0,
      column: at.column ?? 0,
      ...(at.path ? { path: at.path } : {}),
      ...(hint ? { hint } : {}),
    });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'warning');
  }

  /** Sorted by file, line, column, code: stable output for humans and tests. */
  sorted(): Diagnostic[] {
    return [...this.items].sort(compareDiagnostics);
  }
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
}

/** `slos/docs.yaml:14:7: error SLO012: slos[1].objective: must be below 100, got 100.5` plus an indented hint. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const path = d.path ? `${d.path}: ` : '';
  const hint = d.hint ? `\n  hint: ${d.hint}` : '';
  return `${where}: ${d.severity} ${d.code}: ${path}${d.message}${hint}`;
}

/**
 * A user mistake that ends a command early (bad flags, unreadable root). Carries diagnostics and
 * an exit code; the CLI prints it without a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
    readonly diagnostics: readonly Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

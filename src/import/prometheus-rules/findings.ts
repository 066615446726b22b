/**
 * What `vigil import prometheus-rules` reports for each rule it reads: imported as is, imported
 * with something the user must look at, or not importable (with the reason). Every finding points
 * at the source file's line and column.
 */
export type FindingStatus = 'imported' | 'needs-attention' | 'not-importable';

export interface ImportFinding {
  readonly status: FindingStatus;
  /** Stable code: IPR0xx (see docs). */
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `group/alert` or `group/record`, when the finding is about one rule. */
  readonly rule?: string;
  /** Where the rule sits in the file, e.g. `groups[0].rules[3]`. */
  readonly rulePath?: string;
}

/** `file:line:col: needs attention IPR020: message (group/alert)` */
export function formatFinding(f: ImportFinding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.status.replace('-', ' ')} ${f.code}: ${f.message}${f.rule ? ` (${f.rule})` : ''}`;
}

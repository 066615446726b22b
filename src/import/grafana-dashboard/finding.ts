/** How far one part of a dashboard made it into the module. */
export type ImportStatus = 'imported' | 'needs-attention' | 'not-importable';

/** One line of the import summary: a part of the source dashboard, by JSON path, and what became of it. */
export interface ImportFinding {
  readonly status: ImportStatus;
  /** JSON path in the source, e.g. `panels[3].targets[0]` or `templating.list[1]`. */
  readonly path: string;
  readonly reason: string;
}

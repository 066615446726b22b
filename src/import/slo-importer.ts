import { Diagnostics } from '../diagnostics.js';
import { readSourceObjects, type SourceObject } from './documents.js';
import type { ImportRun, ObjectReport } from './outcome.js';
import { renderSloSpecFiles, type ImportedSlo } from './slo-specs.js';

/** One input file's text; the CLI reads files, tests and benches pass text directly. */
export interface InputFile {
  /** As shown in diagnostics (relative to the working directory). */
  readonly file: string;
  readonly text: string;
}

/** Turns source objects into SLOs (plus one report per object, imported or not). */
export type SloObjectsImporter = (objects: readonly SourceObject[]) => { slos: ImportedSlo[]; reports: ObjectReport[] };

/** The run shared by the SLO importers: parse every file, import its objects, write one spec per service. */
export function runSloImport(kind: string, files: readonly InputFile[], importObjects: SloObjectsImporter): ImportRun {
  const diags = new Diagnostics();
  const objects = files.flatMap((f) => readSourceObjects(f.file, f.text, diags));
  const { slos, reports } = importObjects(objects);
  const ok = slos.filter((s) => !s.report.failed);
  const outputs = renderSloSpecFiles(ok, kind);
  return { objects: reports.map((r) => r.outcome()), outputs, diagnostics: diags.items };
}

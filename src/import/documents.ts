import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { Diagnostics, Position } from '../diagnostics.js';
import { YAML_LIMITS, nodePosition, reportTooLarge } from '../load/yaml-source.js';

/**
 * One object of a source file: a YAML document, or one item of a document that is a list of
 * objects (OpenSLO's SDK examples write several objects as one list). `positionOf` takes a path
 * relative to the object, so importers never deal with where in the file the object sits.
 */
export interface SourceObject {
  readonly file: string;
  readonly value: unknown;
  /** Line/column of the value at `path` inside this object (or of its nearest existing parent). */
  positionOf(path: readonly (string | number)[]): Position;
  /** Line/column of the key at `path` (falls back to the value). */
  keyPositionOf(path: readonly (string | number)[]): Position;
}

/** Splits a YAML text into objects with positions; syntax errors go to `diags` (IMP001). */
export function readSourceObjects(file: string, text: string, diags: Diagnostics): SourceObject[] {
  if (text.length > YAML_LIMITS.fileChars) {
    reportTooLarge(file, text.length, diags);
    return [];
  }
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const objects: SourceObject[] = [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const p = lc.linePos(err.pos[0]);
      diags.error('IMP001', `not valid YAML: ${err.message.split('\n')[0] ?? err.message}`, { file, line: p.line, column: p.col });
      continue;
    }
    if (doc.contents === null) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: YAML_LIMITS.aliasExpansion }) as unknown;
    } catch (err) {
      if (!(err instanceof ReferenceError)) throw err;
      const p = lc.linePos(doc.contents.range?.[0] ?? 0);
      diags.error(
        'IMP001',
        `aliases expand to more than ${YAML_LIMITS.aliasExpansion} copies`,
        { file, line: p.line, column: p.col },
        'write the repeated parts out',
      );
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => objects.push(objectAt(file, doc, lc, item, [i])));
    } else {
      objects.push(objectAt(file, doc, lc, value, []));
    }
  }
  return objects;
}

function objectAt(file: string, doc: Document, lc: LineCounter, value: unknown, prefix: readonly (string | number)[]): SourceObject {
  return {
    file,
    value,
    positionOf: (p) => nodePosition(doc, lc, [...prefix, ...p], false),
    keyPositionOf: (p) => nodePosition(doc, lc, [...prefix, ...p], true),
  };
}

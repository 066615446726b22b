import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
import type { Diagnostics, Position } from '../diagnostics.js';

/** A parsed YAML file that can say where any value in it came from. */
export interface YamlSource {
  readonly file: string;
  /** The file's text as read. */
  readonly text: string;
  readonly value: unknown;
  /** Line/column of the node at `path` (or of its nearest existing parent). */
  positionOf(path: readonly (string | number)[]): Position;
  /** Line/column of the key of the map entry at `path` (falls back to the value). */
  keyPositionOf(path: readonly (string | number)[]): Position;
  /**
   * Position of character `offset` inside the string scalar at `path` (for errors inside an
   * embedded PromQL expression). Exact for single-line plain and quoted scalars and for block
   * scalars; the scalar's start otherwise.
   */
  offsetPositionOf(path: readonly (string | number)[], offset: number): Position;
}

/**
 * Parses `text` as one YAML document with positions. Syntax errors go to `diags` (code YAML001)
 * and the result is undefined.
 */
export function parseYamlSource(file: string, text: string, diags: Diagnostics): YamlSource | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  // One root cause, one diagnostic: the parser reports every token after a syntax error as
  // another error, so only the first syntax error of a file is reported (duplicate keys are each
  // a mistake of their own and are all reported when the syntax is sound).
  const syntax = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
  const reported = syntax.length > 0 ? syntax.slice(0, 1) : doc.errors;
  for (const err of reported) {
    const pos = lineCounter.linePos(err.pos[0]);
    const message = err.message.split('\n')[0] ?? err.message;
    const duplicate = err.code === 'DUPLICATE_KEY';
    const more = !duplicate && doc.errors.length > 1 ? ` (the parser stopped here; ${doc.errors.length - 1} later error(s) in this file follow from it)` : '';
    diags.error(
      duplicate ? 'YAML002' : 'YAML001',
      message,
      { file, line: pos.line, column: pos.col },
      duplicate ? 'remove or rename one of the repeated keys' : `${syntaxHint(err.message)}${more}`,
    );
  }
  const broken = doc.errors.length > 0;
  if (broken) return undefined;
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  return {
    file,
    text,
    value,
    positionOf: (path) => nodePosition(doc, lineCounter, path, false),
    keyPositionOf: (path) => nodePosition(doc, lineCounter, path, true),
    offsetPositionOf: (path, offset) => offsetPosition(doc, lineCounter, text, path, offset),
  };
}

function findNode(doc: Document, path: readonly (string | number)[]): unknown {
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && scalarKey(p.key) === String(segment));
      if (!pair) return undefined;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
    } else {
      return undefined;
    }
  }
  return node;
}

function offsetPosition(doc: Document, lc: LineCounter, text: string, path: readonly (string | number)[], offset: number): Position {
  const node = findNode(doc, path);
  if (!isScalar(node) || !node.range) return nodePosition(doc, lc, path, false);
  const start = node.range[0];
  const base = lc.linePos(start);
  const type = node.type;
  if (type === 'PLAIN' || type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') {
    const quote = type === 'PLAIN' ? 0 : 1;
    const raw = text.slice(start, node.range[1]);
    if (!raw.includes('\n') && !raw.includes('\\')) return { line: base.line, column: base.col + quote + offset };
    return { line: base.line, column: base.col };
  }
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const value = String(node.value);
    const before = value.slice(0, offset);
    const lineIndex = before.split('\n').length - 1;
    const col = before.length - (before.lastIndexOf('\n') + 1);
    // Content starts on the line after the block header; find its indentation in the source.
    const headerEnd = text.indexOf('\n', start);
    const contentStart = headerEnd + 1;
    const indent = /^[ ]*/.exec(text.slice(contentStart))?.[0].length ?? 0;
    const p = lc.linePos(contentStart);
    return { line: p.line + lineIndex, column: indent + 1 + col };
  }
  return { line: base.line, column: base.col };
}

function nodePosition(doc: Document, lc: LineCounter, path: readonly (string | number)[], wantKey: boolean): Position {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && scalarKey(p.key) === String(segment));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value ?? pair.key;
    } else if ((isSeq(node) && typeof segment === 'number') || (isSeq(node) && /^\d+$/.test(String(segment)))) {
      const item = (node as { items: unknown[] }).items[Number(segment)];
      if (item === undefined) break;
      keyNode = undefined;
      node = item;
    } else {
      break;
    }
  }
  const target = wantKey && keyNode ? keyNode : node;
  const range = (target as Node | undefined)?.range;
  if (!range) return { line: 1, column: 1 };
  const p = lc.linePos(range[0]);
  return { line: p.line, column: p.col };
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** Splits an ajv/JSON-pointer instance path (`/slos/1/objective`) into segments. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `slos[1].objective` style rendering of a path for messages. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

/** What to do about a syntax error; the commonest one in vigil specs gets its own advice. */
function syntaxHint(message: string): string {
  // `{ errors: up{job="x"} }`: a selector's braces inside a flow mapping end the mapping early.
  if (/flow-map|flow collection|Missing , or :/.test(message))
    return 'quote values that contain { } [ ] or commas, e.g. errors: \'http_requests_total{code=~"5.."}\'';
  return 'fix the YAML syntax at this position';
}

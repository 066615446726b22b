import fs from 'node:fs/promises';
import path from 'node:path';
import type { Node, SourceFile } from 'typescript';
import type { Diagnostics, Position } from '../diagnostics.js';
import { errorPosition, importTsModule } from './import-module.js';
import type { YamlSource } from './yaml-source.js';

type Path = readonly (string | number)[];

/**
 * A spec written in TypeScript (`slos/*.ts`, `alerts/*.ts`: `export default defineSlos({...})`)
 * as the same `YamlSource` a YAML file gives: its value is the module's default export (run
 * through tsx), and positions come from the object literal in the source, so every validator and
 * code works unchanged and points at the `.ts` line and column. A module that fails to load is
 * LOAD001 at the error's position.
 */
export async function readTsSource(root: string, absPath: string, diags: Diagnostics): Promise<YamlSource | undefined> {
  const file = path.relative(root, absPath) || absPath;
  let text: string;
  let value: unknown;
  try {
    text = await fs.readFile(absPath, 'utf8');
    const mod = (await importTsModule(absPath)) as { default?: unknown };
    // Outside an ESM package tsx compiles to CommonJS: the export sits one `default` deeper.
    const exported = mod.default !== null && typeof mod.default === 'object' && 'default' in mod.default ? mod.default.default : mod.default;
    if (exported === undefined) {
      diags.error('LOAD002', 'module has no default export', { file }, 'export default defineSlos({ ... }) (or defineAlertPack, defineRouting)');
      return undefined;
    }
    value = JSON.parse(JSON.stringify(exported)) as unknown;
  } catch (err) {
    const at = errorPosition(err, absPath);
    diags.error('LOAD001', `cannot load module: ${at.message}`, { file, line: at.line, column: at.column });
    return undefined;
  }
  const { default: ts } = await import('typescript');
  const sf = ts.createSourceFile(absPath, text, ts.ScriptTarget.Latest, true);
  const root_ = exportedObject(ts, sf);
  const pos = (n: Node | undefined): Position => {
    const lc = sf.getLineAndCharacterOfPosition((n ?? sf).getStart(sf));
    return { line: lc.line + 1, column: lc.character + 1 };
  };
  return {
    file,
    text,
    value,
    positionOf: (p) => pos(walk(ts, root_, p).node),
    keyPositionOf: (p) => {
      const found = walk(ts, root_, p);
      return pos(found.complete && found.key ? found.key : found.node);
    },
    offsetPositionOf: (p, offset) => {
      const found = walk(ts, root_, p);
      const n = found.node;
      const start = pos(n);
      // Exact inside a one-line string literal without escapes; the literal's start otherwise.
      if (
        found.complete &&
        n &&
        (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) &&
        !n.getText(sf).includes('\\n') &&
        !n.getText(sf).includes('\\\\')
      )
        return { line: start.line, column: start.column + 1 + offset };
      return start;
    },
  };
}

/** The object literal a module default-exports, through `defineX(...)`, `as`, `satisfies` and parentheses. */
function exportedObject(ts: typeof import('typescript'), sf: SourceFile): Node | undefined {
  for (const st of sf.statements) {
    if (!ts.isExportAssignment(st) || st.isExportEquals) continue;
    let e: Node = st.expression;
    for (;;) {
      if (ts.isCallExpression(e) && e.arguments[0]) e = e.arguments[0];
      else if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
      else break;
    }
    return e;
  }
  return undefined;
}

/** The node at `path` (or the deepest that exists), and the key of its property. */
function walk(ts: typeof import('typescript'), start: Node | undefined, p: Path): { node: Node | undefined; key?: Node; complete: boolean } {
  let node = start;
  let key: Node | undefined;
  for (const step of p) {
    let next: Node | undefined;
    let nextKey: Node | undefined;
    if (node && typeof step === 'string' && ts.isObjectLiteralExpression(node)) {
      for (const prop of node.properties) {
        const name = prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name) || ts.isNumericLiteral(prop.name)) ? prop.name.text : undefined;
        if (name !== step) continue;
        nextKey = prop.name;
        next = ts.isPropertyAssignment(prop) ? prop.initializer : prop;
      }
    } else if (node && typeof step === 'number' && ts.isArrayLiteralExpression(node)) {
      next = node.elements[step];
    }
    if (!next) return { node, complete: false, ...(key ? { key } : {}) };
    node = next;
    key = nextKey;
  }
  return { node, complete: true, ...(key ? { key } : {}) };
}

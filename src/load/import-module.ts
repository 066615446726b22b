import { findSourceMap } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Imports a TypeScript module of the project (a dashboard, a spec written in TypeScript) through
 * tsx: no build step, types stripped (they are checked separately). Source maps are on, so stack
 * frames point at the lines the author wrote.
 */
export async function importTsModule(absFile: string): Promise<unknown> {
  process.setSourceMapsEnabled(true);
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(pathToFileURL(absFile).href, import.meta.url)) as unknown;
}

/** `file:line:col` of an error, from esbuild's transform message or the first stack frame in `file`. */
export function errorPosition(err: unknown, absFile: string): { line: number; column: number; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  const esbuild = /:(\d+):(\d+): ERROR: (.*)/.exec(message);
  if (esbuild) return { line: Number(esbuild[1]), column: Number(esbuild[2]) + 1, message: esbuild[3]! };
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const firstLine = message.split('\n')[0] ?? message;
  const escaped = absFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`((?:file://)?${escaped}(\\?[^:)\\s]*)?):(\\d+):(\\d+)`).exec(stack);
  if (!frame) return { line: 0, column: 0, message: firstLine };
  const line = Number(frame[3]);
  const column = Number(frame[4]);
  // A frame still carrying tsx's query string was not source-mapped (another tool, e.g. a test
  // runner, owns Error.prepareStackTrace): map it through the module's inline source map.
  if (frame[2]) {
    const entry = findSourceMap(frame[1]!)?.findEntry(line - 1, column - 1);
    if (entry && 'originalLine' in entry && typeof entry.originalLine === 'number')
      return { line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1, message: firstLine };
  }
  return { line, column, message: firstLine };
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostics } from '../diagnostics.js';

/** How one kind of input module reports its type errors, and where its compiler state is kept. */
export interface TypecheckKind {
  /** Diagnostic code (DASH033 for dashboards, SPEC033 for specs written in TypeScript). */
  readonly code: string;
  readonly hint: string;
  /** Name of the cache files (one per kind, so the kinds' programs do not evict each other). */
  readonly cache: string;
}

/**
 * Type-checks TypeScript input modules (dashboards, specs) with the TypeScript compiler, the way
 * an editor would, and reports every error in the project's own files at its `file:line:col`
 * (tsx, which runs the modules, only strips types: a wrong argument would otherwise reach the
 * output). Returns the modules that have errors. Incremental: the compiler's build info and a
 * manifest of the program's files are kept in `node_modules/.cache/vigil/` under the root (or the
 * temp dir), so a warm check of unchanged files loads no compiler at all.
 */
export async function typecheckModules(root: string, files: readonly string[], diags: Diagnostics, kind: TypecheckKind): Promise<Set<string>> {
  const broken = new Set<string>();
  if (files.length === 0) return broken;
  const cacheDir = cacheFolder(root);
  const found = reuse(cacheDir, kind.cache, root, files) ?? (await compile(cacheDir, kind.cache, root, files));
  for (const f of found) {
    diags.error(kind.code, f.message, { file: f.file, line: f.line, column: f.column }, kind.hint);
    broken.add(f.file);
  }
  return broken;
}

/** One type error in a project file. */
interface TypeError_ {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** What the last check saw: every file of its program (with size and mtime) and its errors. */
interface Manifest {
  readonly roots: readonly string[];
  readonly files: readonly (readonly [string, number, number])[];
  readonly errors: readonly TypeError_[];
}

/** The last check's errors when no file of its program changed since (a warm check loads no compiler). */
function reuse(cacheDir: string, cache: string, root: string, roots: readonly string[]): TypeError_[] | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(cacheDir, `${cache}.json`), 'utf8')) as Manifest;
    if (JSON.stringify(m.roots) !== JSON.stringify(roots)) return undefined;
    for (const [file, size, mtime] of m.files) {
      const st = fs.statSync(path.resolve(root, file));
      if (st.size !== size || st.mtimeMs !== mtime) return undefined;
    }
    return [...m.errors];
  } catch {
    return undefined;
  }
}

/** Runs the compiler (incrementally) and records what it saw for `reuse`. */
async function compile(cacheDir: string, cache: string, root: string, roots: readonly string[]): Promise<TypeError_[]> {
  const { default: ts } = await import('typescript');
  const options: import('typescript').CompilerOptions = {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    incremental: true,
    tsBuildInfoFile: path.join(cacheDir, `${cache}.tsbuildinfo`),
  };
  const host = ts.createIncrementalCompilerHost(options);
  const program = ts.createIncrementalProgram({ rootNames: roots.map((f) => path.join(root, f)), options, host });
  // A syntax error is reported where the module is run (DASH030, esbuild's position); the type
  // errors that follow from it would only repeat it.
  const unparsable = new Set(program.getSyntacticDiagnostics().map((d) => d.file?.fileName));
  const found = [...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics()];
  const errors: TypeError_[] = [];
  for (const d of found) {
    if (!d.file || d.category !== ts.DiagnosticCategory.Error || unparsable.has(d.file.fileName)) continue;
    const rel = path.relative(root, d.file.fileName);
    // Errors in libraries are theirs (and skipLibCheck hides most); those in the project are the author's.
    if (rel.startsWith('..') || rel.split(path.sep).includes('node_modules')) continue;
    const pos = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    errors.push({
      file: rel,
      line: pos.line + 1,
      column: pos.character + 1,
      message: `type error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    });
  }
  try {
    program.emit(); // writes only the build info (noEmit)
    const files = program
      .getProgram()
      .getSourceFiles()
      .map((sf) => {
        const st = fs.statSync(sf.fileName);
        return [path.relative(root, sf.fileName), st.size, st.mtimeMs] as const;
      });
    const manifest: Manifest = { roots, files, errors };
    fs.writeFileSync(path.join(cacheDir, `${cache}.json`), JSON.stringify(manifest));
  } catch {
    // A read-only cache folder costs speed, not correctness.
  }
  return errors;
}

/** Where the compiler's incremental state for `root` lives. */
function cacheFolder(root: string): string {
  const modules = path.join(root, 'node_modules');
  const dir = fs.existsSync(modules)
    ? path.join(modules, '.cache', 'vigil')
    : path.join(os.tmpdir(), `vigil-${crypto.createHash('sha256').update(root).digest('hex').slice(0, 16)}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return os.tmpdir();
  }
}

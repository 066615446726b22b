import fs from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import { readYamlFile } from './read-yaml.js';
import { readTsSource } from './ts-source.js';
import { typecheckModules } from './typecheck-modules.js';
import type { YamlSource } from './yaml-source.js';

/** Spec files directly in `dir`: YAML, and TypeScript modules (not declarations, tests or `_helpers.ts`), sorted. */
export async function listSpecFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const yaml = (n: string) => /\.ya?ml$/.test(n) && !n.endsWith('.bad.yaml');
  const ts = (n: string) => n.endsWith('.ts') && !n.endsWith('.d.ts') && !n.endsWith('.test.ts') && !n.startsWith('_');
  return names
    .filter((n) => yaml(n) || ts(n))
    .sort()
    .map((n) => path.join(dir, n));
}

/** The TypeScript spec modules among `files`, relative to `root` (they are type-checked too). */
export function tsSpecFiles(root: string, files: readonly string[]): string[] {
  return files.filter((f) => f.endsWith('.ts')).map((f) => path.relative(root, f));
}

/**
 * Reads every spec file: YAML files in parallel; TypeScript modules are type-checked (SPEC033,
 * and a module with type errors is not run: its schema errors would only repeat them), then run
 * one after another through tsx. Results keep the order of `files`; `folder` names the cache.
 */
export async function readSpecFiles(root: string, files: readonly string[], diags: Diagnostics, folder: string): Promise<(YamlSource | undefined)[]> {
  const yaml = await Promise.all(files.map((f) => (f.endsWith('.ts') ? Promise.resolve(undefined) : readYamlFile(root, f, diags))));
  const modules = tsSpecFiles(root, files);
  const mistyped = await typecheckModules(root, modules, diags, {
    code: 'SPEC033',
    hint: 'the spec does not match its type (defineSlos, defineAlertPack, defineRouting); fix it at this position',
    cache: `${folder}-typecheck`,
  });
  const out: (YamlSource | undefined)[] = [];
  for (const [i, f] of files.entries()) {
    if (!f.endsWith('.ts')) out.push(yaml[i]);
    else out.push(mistyped.has(path.relative(root, f)) ? undefined : await readTsSource(root, f, diags));
  }
  return out;
}

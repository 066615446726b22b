import fs from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/**
 * Reads and parses one YAML file. `file` in diagnostics is the path relative to `root`.
 * An unreadable file or a syntax error becomes a diagnostic and the result is undefined.
 */
export async function readYamlFile(root: string, absPath: string, diags: Diagnostics): Promise<YamlSource | undefined> {
  const rel = path.relative(root, absPath) || absPath;
  let text: string;
  try {
    text = await fs.readFile(absPath, 'utf8');
  } catch (err) {
    diags.error('IO001', `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: rel });
    return undefined;
  }
  return parseYamlSource(rel, text, diags);
}

/** `*.yaml`/`*.yml` files directly in `dir` (sorted); empty when the folder does not exist. */
export async function listYamlFiles(dir: string, exclude: (name: string) => boolean = () => false): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n) && !exclude(n))
    .sort()
    .map((n) => path.join(dir, n));
}

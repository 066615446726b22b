import fs from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import { parseYamlSource, reportTooLarge, YAML_LIMITS, type YamlSource } from './yaml-source.js';

/**
 * Reads and parses one YAML file. `file` in diagnostics is the path relative to `root`.
 * An unreadable file or a syntax error becomes a diagnostic and the result is undefined.
 */
export async function readYamlFile(root: string, absPath: string, diags: Diagnostics): Promise<YamlSource | undefined> {
  const rel = path.relative(root, absPath) || absPath;
  let text: string;
  try {
    // Refuse before reading: a huge file would cost its size in memory several times over.
    const { size } = await fs.stat(absPath);
    if (size > YAML_LIMITS.fileChars) {
      reportTooLarge(rel, size, diags);
      return undefined;
    }
    text = await fs.readFile(absPath, 'utf8');
  } catch (err) {
    diags.error('IO001', `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: rel });
    return undefined;
  }
  return parseYamlSource(rel, text, diags);
}

import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../runtime/package-root.js';

/** The version of the installed package. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}

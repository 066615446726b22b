import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/main.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs the CLI in-process and captures its output. */
export async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: ROOT });
  return { code, stdout, stderr };
}

/** A token file holding `token`. */
export function tokenFile(token: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-token-'));
  const f = path.join(dir, 'token');
  fs.writeFileSync(f, `${token}\n`);
  return f;
}

export { seeded } from '../support/seeded.js';

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/main.js';

export const FIXTURES = path.join(import.meta.dirname, 'fixtures');
export const REPO = path.resolve(import.meta.dirname, '../..');

/** Runs the CLI in-process and returns its exit code and output. */
export async function vigil(argv: string[], cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

/**
 * A throwaway project: the base pack and routing policy from fixtures/base, plus `files`
 * (path under the root → content), which may replace them.
 */
export function tempProject(files: Record<string, string> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-alerts-'));
  fs.mkdirSync(path.join(root, 'alerts'));
  fs.copyFileSync(path.join(FIXTURES, 'base/pack.yaml'), path.join(root, 'alerts/base.yaml'));
  fs.copyFileSync(path.join(FIXTURES, 'base/routing.yaml'), path.join(root, 'alerts/routing.yaml'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

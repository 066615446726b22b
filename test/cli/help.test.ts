import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCommands, run } from '../../src/cli/main.js';

const REPO = path.resolve(import.meta.dirname, '../..');

async function vigil(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd: REPO, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('the CLI a person expects', () => {
  it('prints the package version with --version (exit 0)', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v', 'version']) {
      const r = await vigil([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`vigil ${version}\n`);
    }
  });

  it('lists every command with its one-line summary in vigil help', async () => {
    const r = await vigil(['help']);
    expect(r.code).toBe(0);
    for (const name of listCommands()) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S.{10,}$`, 'm'));
  });

  it('gives every command usage and examples with --help, and vigil help <command> says the same', async () => {
    for (const name of listCommands()) {
      const r = await vigil([name, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^usage: vigil ${name}`, 'm'));
      expect(r.stdout, name).toMatch(new RegExp(`^examples:\\n  vigil ${name} `, 'm'));
      expect((await vigil(['help', name])).stdout).toBe(r.stdout);
    }
  });

  it('names the nearest command for a typo (exit 2)', async () => {
    const r = await vigil(['rendr']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vigil: unknown command "rendr" \(did you mean render\?\)/);
  });
});

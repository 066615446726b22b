import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

function io(cwd: string) {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd }, out: () => out, err: () => err };
}

const repoRoot = path.resolve(import.meta.dirname, '../..');

function sloOnlyProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-test-cmd-'));
  fs.mkdirSync(path.join(root, 'slos'));
  fs.copyFileSync(path.join(repoRoot, 'slos/gpu-nodes.yaml'), path.join(root, 'slos/gpu-nodes.yaml'));
  return root;
}

async function withPath<T>(value: string, f: () => Promise<T>): Promise<T> {
  const old = process.env.PATH;
  process.env.PATH = value;
  try {
    return await f();
  } finally {
    process.env.PATH = old;
  }
}

describe('vigil test', () => {
  it("passes on this repository's own specs with the real promtool and amtool", async () => {
    const c = io(repoRoot);
    const code = await run(['test', '--format', 'json'], c.io);
    const doc = JSON.parse(c.out()) as { results: { check: string; status: string; output: string }[] };
    const failed = doc.results.filter((r) => r.status !== 'passed');
    expect(failed, JSON.stringify(failed, null, 2).slice(0, 4000)).toEqual([]);
    expect(code).toBe(0);
    expect(doc.results.map((r) => r.check)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^promtool check rules/), expect.stringMatching(/^promtool test rules/)]),
    );
  }, 240_000);

  it('fails when a tool is missing, and passes over it only with --skip-missing-tools', async () => {
    const root = sloOnlyProject();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-empty-path-'));
    const c = io(root);
    expect(await withPath(empty, () => run(['test'], c.io))).toBe(1);
    expect(c.err()).toContain('MISSING promtool check rules');
    expect(c.err()).toContain('promtool not found on PATH');
    const c2 = io(root);
    expect(await withPath(empty, () => run(['test', '--skip-missing-tools'], c2.io))).toBe(0);
    expect(c2.err()).toContain('skipped: --skip-missing-tools');
  });

  it('rejects --jobs that is not a whole number of at least 1 as a usage error', async () => {
    const c = io(sloOnlyProject());
    expect(await run(['test', '--jobs', '0'], c.io)).toBe(2);
    expect(c.err()).toContain('--jobs must be a whole number of at least 1, got "0"');
  });

  it('reports a rule file promtool rejects as a failed check', async () => {
    const root = sloOnlyProject();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fake-promtool-'));
    // A stand-in promtool that fails like the real one would on a broken file.
    fs.writeFileSync(path.join(empty, 'promtool'), '#!/bin/sh\necho "FAILED: parse error" >&2\nexit 1\n', { mode: 0o755 });
    const c = io(root);
    expect(await withPath(`${empty}:${process.env.PATH}`, () => run(['test'], c.io))).toBe(1);
    expect(c.err()).toContain('FAIL promtool check rules');
    expect(c.err()).toContain('FAILED: parse error');
  });
});

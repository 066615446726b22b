import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/runtime/atomic-write.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-atomic-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a file, then replaces its content whole, leaving no temp file', async () => {
    const f = path.join(dir, 'flags.json');
    await writeFileAtomic(f, 'a'.repeat(100_000));
    await writeFileAtomic(f, 'short');
    expect(fs.readFileSync(f, 'utf8')).toBe('short');
    expect(fs.readdirSync(dir)).toEqual(['flags.json']);
  });

  it('keeps the mode of the file it replaces', async () => {
    const f = path.join(dir, 'rules.yaml');
    fs.writeFileSync(f, 'old');
    fs.chmodSync(f, 0o600);
    await writeFileAtomic(f, 'new');
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });

  it('readers never see a partial file while it is rewritten', async () => {
    const f = path.join(dir, 'big.txt');
    const a = 'a'.repeat(1_000_000);
    const b = 'b'.repeat(1_000_000);
    await writeFileAtomic(f, a);
    let stop = false;
    const seen = new Set<string>();
    const reader = (async () => {
      while (!stop) {
        const text = fs.readFileSync(f, 'utf8');
        seen.add(text === a ? 'a' : text === b ? 'b' : `partial:${text.length}`);
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 10; i++) await writeFileAtomic(f, i % 2 ? a : b);
    stop = true;
    await reader;
    expect([...seen].filter((s) => s.startsWith('partial'))).toEqual([]);
  });

  it('removes the temp file and leaves the target alone when the rename fails', async () => {
    const target = path.join(dir, 'target');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep'), 'x');
    await expect(writeFileAtomic(target, 'content')).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual(['target']);
    expect(fs.readFileSync(path.join(target, 'keep'), 'utf8')).toBe('x');
  });

  it('fails without leaving anything when the directory does not exist', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'f'), 'x')).rejects.toThrow(/ENOENT/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

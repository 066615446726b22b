import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeArtifacts } from '../../src/write/write-artifacts.js';
import { seeded } from '../support/seeded.js';

/**
 * Issue 13, item 5: `vigil render` killed with SIGKILL at any moment leaves the output folder
 * holding the complete old tree or the complete new one, never nothing and never a mix; temp
 * trees of killed renders are removed by the next render.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const KILLS = 20;

/** A project of `services` services with two SLOs each; `variant` changes every objective, so the two trees differ in every SLO file. */
function project(dir: string, services: number, variant: 'a' | 'b'): string {
  const root = path.join(dir, `project-${variant}`);
  fs.mkdirSync(path.join(root, 'slos'), { recursive: true });
  for (let i = 1; i <= services; i++) {
    fs.writeFileSync(
      path.join(root, 'slos', `svc-${i}.yaml`),
      `apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: svc-${i}\nlabels: { team: t }\nslos:\n` +
        `  - name: availability\n    objective: ${variant === 'a' ? '99.9' : '99.5'}\n    indicator:\n      ratio:\n` +
        `        errors: http_requests_total{job="svc-${i}", code=~"5.."}\n        total: http_requests_total{job="svc-${i}"}\n` +
        `  - name: latency\n    objective: 99\n    indicator:\n      latency:\n        histogram: http_request_duration_seconds{job="svc-${i}"}\n` +
        `        threshold: ${variant === 'a' ? '500ms' : '1s'}\n`,
    );
  }
  return root;
}

/** Relative path → sha256 of every file under `dir` (following nothing but directories). */
function treeDigest(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

const same = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/** Runs `vigil render` from source; kills it with SIGKILL after `killAfterMs` unless it is done. Resolves with how it ended. */
function render(root: string, out: string, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-cli.ts', 'render', '--root', root, '--out', out], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - t0 });
    }),
  );
}

const leftovers = (out: string) =>
  fs
    .readdirSync(path.dirname(out))
    .filter((n) => n.startsWith(`.${path.basename(out)}.vigil-`))
    .sort();

describe('render under SIGKILL', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-sigkill-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`leaves build/ a complete old or new tree at ${KILLS} random kill moments, and the next render removes killed renders' temp trees`, async () => {
    const roots = { a: project(dir, 40, 'a'), b: project(dir, 40, 'b') };
    const refs = { a: path.join(dir, 'ref-a'), b: path.join(dir, 'ref-b') };
    const timings: number[] = [];
    for (const v of ['a', 'b'] as const) {
      const r = await render(roots[v], refs[v]);
      expect(r.code).toBe(0);
      timings.push(r.ms);
    }
    const digests = { a: treeDigest(refs.a), b: treeDigest(refs.b) };
    expect(digests.a.size).toBeGreaterThan(100);
    expect(same(digests.a, digests.b)).toBe(false);

    const out = path.join(dir, 'work', 'build');
    expect((await render(roots.a, out)).code).toBe(0);
    let current: 'a' | 'b' = 'a';
    const full = Math.max(...timings);
    const random = seeded(13);
    const outcomes = { killedBeforeSwap: 0, killedAfterSwap: 0, finished: 0, tempTreesLeft: 0 };
    for (let i = 0; i < KILLS; i++) {
      const next: 'a' | 'b' = current === 'a' ? 'b' : 'a';
      // Spread over the whole run, weighted to its second half, where the tree is written and swapped.
      const at = Math.round(full * (0.3 + 0.9 * random()));
      const r = await render(roots[next], out, at);
      const got = treeDigest(out);
      const isNext = same(got, digests[next]);
      const isCurrent = same(got, digests[current]);
      expect(
        isNext || isCurrent,
        `kill ${i} at ${at} ms (${r.signal ?? `exit ${r.code}`}): build/ is neither the old nor the new tree (${got.size} files)`,
      ).toBe(true);
      if (r.signal === null) outcomes.finished++;
      else if (isNext) outcomes.killedAfterSwap++;
      else outcomes.killedBeforeSwap++;
      if (leftovers(out).length > 0) outcomes.tempTreesLeft++;
      if (isNext) current = next;
    }
    // Some kills must have hit a render mid-write (or the test proves nothing about temp trees).
    expect(outcomes.tempTreesLeft, JSON.stringify(outcomes)).toBeGreaterThan(0);
    const last: 'a' | 'b' = current === 'a' ? 'b' : 'a';
    expect((await render(roots[last], out)).code).toBe(0);
    expect(same(treeDigest(out), digests[last])).toBe(true);
    expect(leftovers(out)).toEqual([]);
  }, 240_000);

  it('restores the parked old tree when a kill fell between the fallback renames, before anything else', async () => {
    const parent = path.join(dir, 'fallback');
    fs.mkdirSync(path.join(parent, '.build.vigil-old-999999999', 'prometheus'), { recursive: true });
    fs.writeFileSync(path.join(parent, '.build.vigil-old-999999999', 'prometheus', 'x.yaml'), 'old\n');
    fs.mkdirSync(path.join(parent, '.build.vigil-tmp-999999999-abcdef'), { recursive: true });
    fs.mkdirSync(path.join(parent, '.build.vigil-tmp-q1W2e3'), { recursive: true }); // an earlier version's name
    const out = path.join(parent, 'build');
    // A render that fails while writing: the old tree is back, nothing else is left.
    const failing = (function* () {
      yield { path: 'a.yaml', content: 'a\n' };
      throw new Error('generator failed');
    })();
    await expect(writeArtifacts(out, failing)).rejects.toThrow('generator failed');
    expect(fs.readFileSync(path.join(out, 'prometheus', 'x.yaml'), 'utf8')).toBe('old\n');
    expect(leftovers(out)).toEqual([]);
    await writeArtifacts(out, [{ path: 'new.yaml', content: 'new\n' }]);
    expect(fs.readdirSync(out)).toEqual(['new.yaml']);
    expect(leftovers(out)).toEqual([]);
  });
});

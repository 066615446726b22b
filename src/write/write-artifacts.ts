import fs from 'node:fs/promises';
import path from 'node:path';
import type { Artifact } from '../render/artifact.js';

/**
 * Writes artifacts into `outDir` atomically as a whole: everything goes to a sibling temp dir
 * first, then the temp dir replaces `outDir` by rename. If anything fails before the swap,
 * `outDir` is untouched. Returns the absolute paths written.
 */
export async function writeArtifacts(outDir: string, artifacts: Iterable<Artifact>): Promise<string[]> {
  const abs = path.resolve(outDir);
  const parent = path.dirname(abs);
  await fs.mkdir(parent, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(parent, `.${path.basename(abs)}.vigil-tmp-`));
  const written: string[] = [];
  try {
    // Artifacts are pulled one at a time (a lazy source renders each only now); bounded
    // parallelism keeps large renders fast without exhausting file handles.
    const queue = artifacts[Symbol.iterator]();
    const dirs = new Map<string, Promise<unknown>>();
    const worker = async () => {
      for (let next = queue.next(); !next.done; next = queue.next()) {
        const a = next.value;
        if (path.isAbsolute(a.path) || a.path.split(/[\\/]/).includes('..')) throw new Error(`artifact path escapes the output dir: ${a.path}`);
        const file = path.join(tmp, a.path);
        const dir = path.dirname(file);
        if (!dirs.has(dir)) dirs.set(dir, fs.mkdir(dir, { recursive: true }));
        await dirs.get(dir);
        await fs.writeFile(file, a.content);
        written.push(path.join(abs, a.path));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const old = `${tmp}.old`;
  let hadOld = false;
  try {
    await fs.rename(abs, old);
    hadOld = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
  try {
    await fs.rename(tmp, abs);
  } catch (err) {
    if (hadOld) await fs.rename(old, abs);
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
  return written.sort();
}

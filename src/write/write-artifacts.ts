import fs from 'node:fs/promises';
import path from 'node:path';
import type { Artifact } from '../render/artifact.js';
import { exchangePaths } from '../runtime/exchange-paths.js';

/**
 * Writes artifacts into `outDir` atomically as a whole, also under SIGKILL: everything goes to a
 * sibling temp tree first, which then takes `outDir`'s place in one atomic exchange (Linux
 * renameat2 RENAME_EXCHANGE), so `outDir` always holds the complete old tree or the complete new
 * one. Where no exchange is available, two renames with a window of microseconds are used, and
 * the next write restores the old tree if a kill fell into it. Temp trees of killed writes are
 * removed by the next write. If anything fails before the swap, `outDir` is untouched and no temp
 * tree is left. Returns the absolute paths written.
 */
export async function writeArtifacts(outDir: string, artifacts: Iterable<Artifact>): Promise<string[]> {
  const abs = path.resolve(outDir);
  const parent = path.dirname(abs);
  await fs.mkdir(parent, { recursive: true });
  const names = siblingNames(abs);
  await recover(abs, names);
  const tmp = await fs.mkdtemp(path.join(parent, names.tmpPrefix));
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
    await swapIn(tmp, abs, names);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  // After the exchange the temp name holds the previous tree (or nothing, on a first write).
  await fs.rm(tmp, { recursive: true, force: true });
  return written.sort();
}

interface SiblingNames {
  /** Temp trees: `.<base>.vigil-tmp-<pid>-XXXXXX`. */
  readonly tmpPrefix: string;
  /** The old tree parked by the two-rename fallback: `.<base>.vigil-old-<pid>`. */
  readonly old: string;
  readonly matches: RegExp;
}

function siblingNames(abs: string): SiblingNames {
  const base = path.basename(abs);
  const esc = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    tmpPrefix: `.${base}.vigil-tmp-${process.pid}-`,
    old: path.join(path.dirname(abs), `.${base}.vigil-old-${process.pid}`),
    // Also the names of earlier versions (`.<base>.vigil-tmp-XXXXXX`, `….old`), which carry no pid.
    matches: new RegExp(`^\\.${esc}\\.vigil-(tmp|old)-(?:(\\d+)(?:-|$))?`),
  };
}

/** Puts the complete tree `tmp` at `abs`; afterwards `tmp` holds the previous tree, if any. */
async function swapIn(tmp: string, abs: string, names: SiblingNames): Promise<void> {
  if (!(await exists(abs))) {
    await fs.rename(tmp, abs);
    return;
  }
  if (await exchangePaths(tmp, abs)) return;
  // Fallback: park the old tree, move the new one in; a kill in between is repaired by recover().
  await fs.rename(abs, names.old);
  try {
    await fs.rename(tmp, abs);
  } catch (err) {
    await fs.rename(names.old, abs);
    throw err;
  }
  await fs.rename(names.old, tmp);
}

/**
 * Before writing: if a killed fallback swap left no `abs` but a parked old tree, the old tree goes
 * back; temp and parked trees of writes whose process is gone are removed. Trees of a live
 * process (a concurrent render into the same directory) are left alone.
 */
async function recover(abs: string, names: SiblingNames): Promise<void> {
  const parent = path.dirname(abs);
  let entries: string[];
  try {
    entries = await fs.readdir(parent);
  } catch {
    return;
  }
  const stale = entries
    .map((name) => ({ name, m: names.matches.exec(name) }))
    .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null && !(e.m[2] !== undefined && alive(Number(e.m[2]))));
  const parked = stale.find((e) => e.m[1] === 'old');
  let restored: string | undefined;
  if (parked && !(await exists(abs))) {
    await fs.rename(path.join(parent, parked.name), abs);
    restored = parked.name;
  }
  await Promise.all(stale.filter((e) => e.name !== restored).map((e) => fs.rm(path.join(parent, e.name), { recursive: true, force: true })));
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

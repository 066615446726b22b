import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Replaces `file` atomically: write a temp file in the same directory, fsync it, rename it over
 * the original, fsync the directory. Readers (flagd's file watcher, Prometheus loading rule
 * files) see the old or the new content, never a half-written file, and the new content survives
 * a crash once this resolves. Keeps the original file's mode; a new file gets 0644 (less umask).
 * On failure the temp file is removed and the original is left as it was.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let mode = 0o644;
  try {
    mode = (await fs.stat(file)).mode & 0o777;
  } catch {
    // new file: default mode
  }
  try {
    const h = await fs.open(tmp, 'wx', mode);
    try {
      await h.writeFile(content);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** fsyncs a directory, so a rename or a new entry in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const d = await fs.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

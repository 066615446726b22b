import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DecisionEvent, DecisionLog, Logger } from '../ports.js';
import { noopLogger } from '../ports.js';
import { DecisionFold } from './decision-fold.js';
import { encodeRecord, scanRecords, type ScanResult } from './decision-log-records.js';

/** Default retention of decisions: 30 days. */
export const DEFAULT_DECISION_RETENTION_MS = 30 * 86_400_000;
/** Default tail size that triggers a compaction: 64 MiB. */
export const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;

/** Options of the decision log. */
export interface FileDecisionLogOptions {
  /** fsync after each group write (default true); false only for benchmarks' baseline. */
  readonly fsync?: boolean;
  readonly logger?: Logger;
  /** Decisions older than this (ms) are dropped at compaction unless their action must still run; default 30 days. */
  readonly retentionMs?: number;
  /** Compact when the tail grows past this many bytes (or past the snapshot's size, if larger); default 64 MiB. */
  readonly compactBytes?: number;
  /** Milliseconds since the epoch (tests). */
  readonly clock?: () => number;
}

const TAIL = 'decisions.jsonl';
const SNAPSHOT = 'decisions.snapshot.jsonl';
const TMP_PREFIX = `${SNAPSHOT}.tmp-`;

/**
 * DecisionLog as a snapshot plus an append-only tail in the state dir (`decisions.snapshot.jsonl`,
 * `decisions.jsonl`), one checksummed record per line (see `encodeRecord`).
 *
 * - Group commit: appends that arrive while a write+fsync is in flight are batched into the next
 *   one, so N concurrent decisions cost one fsync instead of N.
 * - Crash safety: on open, a torn tail (a partial last record) is truncated away and fsynced
 *   before anything is appended, so a new record never merges with it; a corrupt record is
 *   reported once with its offset, copied to `decisions.quarantine`, and skipped.
 * - Bounded: whenever the tail passes `compactBytes` (or the snapshot's size, if larger), and on
 *   open also when retention dropped a decision or a record was corrupt or in the old format,
 *   the retained decisions are written to a new snapshot (temp file, fsync, rename, fsync dir)
 *   and the tail is emptied. Both files are read as streams, never as one string.
 */
export class FileDecisionLog implements DecisionLog {
  private queue: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private handle: fs.FileHandle | undefined;
  private tailBytes = 0;
  private snapshotBytes = 0;
  /** Events loaded at open, handed out by the first `readAll` if nothing was appended since. */
  private loaded: DecisionEvent[] | undefined;
  private readonly retentionMs: number;
  private readonly compactBytes: number;
  private readonly clock: () => number;
  private readonly logger: Logger;
  /** Number of fsync calls so far (tests and the benchmark read it). */
  syncs = 0;
  /** Number of compactions so far, the one at open included. */
  compactions = 0;
  /** What the scan at open found (tests, start-up log). */
  opened: { torn: number; bad: number; legacy: number; retained: number; dropped: number } = { torn: 0, bad: 0, legacy: 0, retained: 0, dropped: 0 };

  private constructor(
    readonly dir: string,
    private readonly options: FileDecisionLogOptions,
  ) {
    this.retentionMs = options.retentionMs ?? DEFAULT_DECISION_RETENTION_MS;
    this.compactBytes = options.compactBytes ?? DEFAULT_COMPACT_BYTES;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? noopLogger;
  }

  /** The tail file, `<stateDir>/decisions.jsonl`. */
  get file(): string {
    return path.join(this.dir, TAIL);
  }

  /**
   * Opens (creating) the log in `stateDir` (mode 0700): removes temp files of interrupted
   * compactions, repairs a torn tail, and compacts.
   */
  static async open(stateDir: string, options: FileDecisionLogOptions = {}): Promise<FileDecisionLog> {
    await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
    const log = new FileDecisionLog(stateDir, options);
    for (const name of await fs.readdir(stateDir)) {
      if (!name.startsWith(TMP_PREFIX)) continue;
      await fs.rm(path.join(stateDir, name), { force: true });
      log.logger.warn({ file: path.join(stateDir, name) }, 'removed the temp file of an interrupted decision log compaction');
    }
    log.handle = await fs.open(log.file, 'a+', 0o600);
    try {
      await log.load();
    } catch (err) {
      await log.handle.close();
      throw err;
    }
    return log;
  }

  async readAll(): Promise<DecisionEvent[]> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (loaded) return loaded;
    while (this.flushing) await this.flushing;
    const fold = await this.scan(false);
    return [...fold.events()];
  }

  append(event: DecisionEvent): Promise<void> {
    this.loaded = undefined;
    return new Promise((resolve, reject) => {
      this.queue.push({ line: encodeRecord(event), resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Scan at open: repair, report, compact, and keep the retained events for `readAll`. */
  private async load(): Promise<void> {
    const fold = await this.scan(true);
    this.opened = { ...this.opened, retained: fold.size, dropped: fold.dropped };
    const due = this.tailBytes > Math.max(this.compactBytes, this.snapshotBytes);
    if (due || fold.dropped > 0 || this.opened.bad > 0 || this.opened.legacy > 0) await this.compact(fold);
    this.loaded = [...fold.events()];
  }

  /** Streams snapshot then tail into a fold; with `repair`, truncates a torn tail and reports bad records. */
  private async scan(repair: boolean): Promise<DecisionFold> {
    const fold = new DecisionFold(this.clock() - this.retentionMs);
    const add = (e: DecisionEvent) => fold.add(e);
    const snap = await scanRecords(path.join(this.dir, SNAPSHOT), add);
    const tail = await scanRecords(this.file, add);
    if (!repair) return fold;
    this.snapshotBytes = snap.wholeBytes + snap.tornBytes;
    this.tailBytes = tail.wholeBytes;
    await this.quarantine(SNAPSHOT, snap);
    await this.quarantine(TAIL, tail);
    if (tail.tornBytes > 0) {
      // Never acknowledged (its fsync did not return): cut it off so the next record starts on a fresh line.
      this.logger.warn({ file: this.file, offset: tail.wholeBytes, bytes: tail.tornBytes }, 'truncating a torn record at the end of the decision log');
      await this.handle!.truncate(tail.wholeBytes);
      await this.handle!.sync();
    }
    this.opened = {
      ...this.opened,
      torn: tail.tornBytes + snap.tornBytes,
      bad: snap.bad.length + tail.bad.length + (snap.tornBytes > 0 ? 1 : 0),
      legacy: snap.legacy + tail.legacy,
    };
    return fold;
  }

  /** Reports each unreadable record once and keeps a copy of it; the next compaction drops it from the log. */
  private async quarantine(name: string, scan: ScanResult): Promise<void> {
    if (name === SNAPSHOT && scan.tornBytes > 0)
      this.logger.error({ file: path.join(this.dir, name), offset: scan.wholeBytes }, 'decision log snapshot ends in a partial record; it is ignored');
    if (scan.bad.length === 0) return;
    const file = path.join(this.dir, name);
    const handle = await fs.open(file, 'r');
    const out = await fs.open(path.join(this.dir, 'decisions.quarantine'), 'a', 0o600);
    try {
      for (const b of scan.bad) {
        this.logger.error({ file, offset: b.offset, bytes: b.length, reason: b.reason, head: b.head }, 'skipping a corrupt decision log record');
        const buf = Buffer.alloc(Math.min(b.length, 4 * 1024 * 1024));
        await handle.read(buf, 0, buf.length, b.offset);
        await out.write(`# ${name} offset ${b.offset}: ${b.reason}\n`);
        await out.write(buf);
      }
      await out.sync();
    } finally {
      await handle.close();
      await out.close();
    }
  }

  /** Writes the retained events as the new snapshot (atomically) and empties the tail. */
  private async compact(fold: DecisionFold): Promise<void> {
    const snapshot = path.join(this.dir, SNAPSHOT);
    const tmp = path.join(this.dir, `${TMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    const out = await fs.open(tmp, 'wx', 0o600);
    let bytes = 0;
    try {
      let chunk: string[] = [];
      let chunkLen = 0;
      for (const e of fold.events()) {
        const line = encodeRecord(e);
        chunk.push(line);
        chunkLen += line.length;
        if (chunkLen >= 1 << 20) {
          bytes += (await out.write(chunk.join(''))).bytesWritten;
          chunk = [];
          chunkLen = 0;
        }
      }
      if (chunk.length) bytes += (await out.write(chunk.join(''))).bytesWritten;
      await out.sync();
    } catch (err) {
      await out.close();
      await fs.rm(tmp, { force: true });
      throw err;
    }
    await out.close();
    await fs.rename(tmp, snapshot);
    await syncDir(this.dir);
    // A crash here leaves the old tail next to the new snapshot: replaying both is harmless (fold is idempotent).
    await this.handle!.truncate(0);
    await this.handle!.sync();
    this.logger.info({ file: snapshot, decisions: fold.size, dropped: fold.dropped, bytes, compactedTailBytes: this.tailBytes }, 'decision log compacted');
    this.snapshotBytes = bytes;
    this.tailBytes = 0;
    this.compactions++;
  }

  private async flush(): Promise<void> {
    // Yield once so appends made in the same tick join this batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const before = this.tailBytes;
      try {
        if (!this.handle) throw new Error('decision log is closed');
        const data = Buffer.from(batch.map((b) => b.line).join(''), 'utf8');
        const { bytesWritten } = await this.handle.write(data);
        if (bytesWritten !== data.length) throw new Error(`short write to the decision log (${bytesWritten} of ${data.length} bytes)`);
        this.tailBytes += bytesWritten;
        if (this.options.fsync !== false) {
          await this.handle.datasync();
          this.syncs++;
        }
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
        // Cut off whatever part of the failed batch reached the file: the next batch must start on a fresh line.
        this.tailBytes = before;
        await this.handle?.truncate(before).catch((e: unknown) => this.logger.error({ err: String(e) }, 'could not truncate a failed decision log write'));
      }
      if (this.handle && this.tailBytes > Math.max(this.compactBytes, this.snapshotBytes)) {
        try {
          await this.compact(await this.scan(false));
        } catch (err) {
          // The tail is still complete; compaction is retried after the next write.
          this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'decision log compaction failed');
        }
      }
    }
    this.flushing = undefined;
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

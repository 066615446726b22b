import fs from 'node:fs/promises';
import path from 'node:path';
import type { DecisionEvent, DecisionLog, Logger } from '../ports.js';
import { noopLogger } from '../ports.js';

/** Options of the append-only decision log. */
export interface FileDecisionLogOptions {
  /** fsync after each group write (default true); false only for benchmarks' baseline. */
  readonly fsync?: boolean;
  readonly logger?: Logger;
}

/**
 * DecisionLog as an append-only JSON-lines file (`decisions.jsonl` in the state dir).
 * Group commit: appends that arrive while a write+fsync is in flight are batched into the next
 * one, so N concurrent decisions cost one fsync instead of N. A torn last line (crash during a
 * write) is skipped on read; it was never acknowledged.
 */
export class FileDecisionLog implements DecisionLog {
  private queue: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private handle: fs.FileHandle | undefined;
  /** Number of fsync calls so far (tests and the benchmark read it). */
  syncs = 0;

  private constructor(
    readonly file: string,
    private readonly options: FileDecisionLogOptions,
  ) {}

  /** Opens (creating) `<stateDir>/decisions.jsonl`; the directory is created with mode 0700. */
  static async open(stateDir: string, options: FileDecisionLogOptions = {}): Promise<FileDecisionLog> {
    await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
    const log = new FileDecisionLog(path.join(stateDir, 'decisions.jsonl'), options);
    log.handle = await fs.open(log.file, 'a', 0o600);
    return log;
  }

  async readAll(): Promise<DecisionEvent[]> {
    const text = await fs.readFile(this.file, 'utf8');
    const out: DecisionEvent[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line) as DecisionEvent);
      } catch {
        (this.options.logger ?? noopLogger).warn({ file: this.file, line: i + 1 }, 'skipping unreadable decision log line (torn write?)');
      }
    });
    return out;
  }

  append(event: DecisionEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line: `${JSON.stringify(event)}\n`, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    // Yield once so appends made in the same tick join this batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        if (!this.handle) throw new Error('decision log is closed');
        await this.handle.write(batch.map((b) => b.line).join(''));
        if (this.options.fsync !== false) {
          await this.handle.datasync();
          this.syncs++;
        }
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.flushing = undefined;
  }
}

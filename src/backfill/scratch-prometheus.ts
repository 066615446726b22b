import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from '../runtime/free-port.js';
import path from 'node:path';

/** The scratch Prometheus did not start (binary missing, bad flags, not ready in time). */
export class ScratchPrometheusError extends Error {
  override name = 'ScratchPrometheusError';
}

/** Settings of a scratch Prometheus. */
export interface ScratchPrometheusOptions {
  /** The `prometheus` binary (default: `prometheus` on the PATH). */
  readonly binary?: string;
  /** TSDB directory holding the blocks to serve. */
  readonly dataDir: string;
  /** `--query.lookback-delta` in ms: shorter than every group interval, so a read sees only a sample at its exact instant. */
  readonly lookbackMs: number;
  /** Where its log goes (it is quoted when it fails to start). */
  readonly logFile: string;
  /** How long to wait for /-/ready (ms, default 120 000). */
  readonly readyTimeoutMs?: number;
}

/**
 * A private Prometheus on 127.0.0.1 (random free port) that serves the blocks earlier backfill
 * levels wrote, without scraping or rules: the source a later level's range queries read.
 * Prometheus loads blocks found in its data dir at start-up, so each level starts a fresh one.
 */
export class ScratchPrometheus {
  private child: ChildProcess | undefined;
  url = '';

  constructor(private readonly options: ScratchPrometheusOptions) {}

  async start(): Promise<void> {
    const o = this.options;
    const port = await freePort();
    const config = path.join(path.dirname(o.dataDir), 'scratch-prometheus.yml');
    fs.writeFileSync(config, '# vigil backfill: no scrapes, no rules\nglobal: {}\n');
    const log = fs.openSync(o.logFile, 'a');
    const child = spawn(
      o.binary ?? 'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${o.dataDir}`,
        // Blocks are as old as the backfilled range; the default 15d retention would delete them.
        '--storage.tsdb.retention.time=100y',
        `--query.lookback-delta=${Math.max(1, Math.floor(o.lookbackMs))}ms`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--query.max-samples=500000000',
        '--query.timeout=10m',
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.child = child;
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    this.url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (o.readyTimeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]);
      if (failed) throw new ScratchPrometheusError(`cannot start ${o.binary ?? 'prometheus'}: ${failed.message}`);
      if (child.exitCode !== null) throw new ScratchPrometheusError(`the scratch Prometheus exited with code ${child.exitCode}:\n${tail(o.logFile)}`);
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
    }
    await this.stop();
    throw new ScratchPrometheusError(`the scratch Prometheus was not ready within ${(o.readyTimeoutMs ?? 120_000) / 1000} s:\n${tail(o.logFile)}`);
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The log's error lines, else its last lines. */
function tail(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const errors = lines.filter((l) => /level=error|^Error/.test(l));
    return (errors.length > 0 ? errors : lines).slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * A real Prometheus (the Debian 2.42 binary) serving a backfilled data dir on 127.0.0.1, plus
 * promtool backfill wrappers (the SLO-rules bench and the backfill test). Prometheus only reads
 * blocks it finds at start-up, so every backfill step moves its blocks in and restarts the server.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface QueryStats {
  totalQueryableSamples: number;
}

export class Prom {
  private child: ChildProcess | undefined;
  url = '';

  constructor(
    private readonly dataDir: string,
    private readonly logFile: string,
  ) {}

  async start(): Promise<void> {
    const port = await freePort();
    const cfg = path.join(path.dirname(this.dataDir), 'prometheus.yml');
    fs.writeFileSync(cfg, 'global:\n  evaluation_interval: 1m\n');
    const log = fs.openSync(this.logFile, 'a');
    this.child = spawn(
      'prometheus',
      [
        `--config.file=${cfg}`,
        `--storage.tsdb.path=${this.dataDir}`,
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--query.max-samples=2000000000',
        '--query.timeout=10m',
        '--query.max-concurrency=4',
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited (${this.child.exitCode}); see ${this.logFile}`);
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`prometheus not ready after 180 s; see ${this.logFile}`);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
    if (c.exitCode === null) c.kill('SIGKILL');
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Instant query with stats; returns the result vector and the samples it read. */
  async instant(
    query: string,
    timeMs: number,
  ): Promise<{ result: { metric: Record<string, string>; value: [number, string] }[]; samples: number; evalSeconds: number }> {
    const body = new URLSearchParams({ query, time: String(timeMs / 1000), stats: 'all' });
    const res = await fetch(`${this.url}/api/v1/query`, { method: 'POST', body });
    const json = (await res.json()) as {
      status: string;
      error?: string;
      data: { result: never[]; stats: { samples: QueryStats; timings: { evalTotalTime: number } } };
    };
    if (json.status !== 'success') throw new Error(`query failed: ${json.error}: ${query}`);
    return { result: json.data.result, samples: json.data.stats.samples.totalQueryableSamples, evalSeconds: json.data.stats.timings.evalTotalTime };
  }

  /**
   * Range query at `stepMs`, split into chunks so that no single query holds a long window's
   * samples for thousands of steps at once. Returns one value per step (NaN where the result is
   * empty); expects a query yielding at most one series.
   */
  async range(query: string, fromMs: number, toMs: number, stepMs: number, chunkSteps = 360): Promise<Float64Array> {
    const steps = Math.floor((toMs - fromMs) / stepMs) + 1;
    const out = new Float64Array(steps).fill(NaN);
    const chunks: [number, number][] = [];
    for (let i = 0; i < steps; i += chunkSteps) chunks.push([i, Math.min(steps - 1, i + chunkSteps - 1)]);
    const worker = async () => {
      for (let c = chunks.shift(); c; c = chunks.shift()) {
        const body = new URLSearchParams({
          query,
          start: String((fromMs + c[0] * stepMs) / 1000),
          end: String((fromMs + c[1] * stepMs) / 1000),
          step: String(stepMs / 1000),
        });
        const res = await fetch(`${this.url}/api/v1/query_range`, { method: 'POST', body });
        const json = (await res.json()) as { status: string; error?: string; data: { result: { values: [number, string][] }[] } };
        if (json.status !== 'success') throw new Error(`range query failed: ${json.error}: ${query}`);
        if (json.data.result.length > 1) throw new Error(`expected one series from ${query}, got ${json.data.result.length}`);
        for (const [t, v] of json.data.result[0]?.values ?? []) out[Math.round((t * 1000 - fromMs) / stepMs)] = Number(v);
      }
    };
    await Promise.all([worker(), worker()]);
    return out;
  }
}

/** `promtool tsdb create-blocks-from openmetrics` with blocks as long as promtool allows (fewer passes over the file). */
export async function backfillOpenMetrics(file: string, dataDir: string): Promise<void> {
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=500h', '-q', file, dataDir], { maxBuffer: 64 << 20 });
}

/**
 * `promtool tsdb create-blocks-from rules` for one rule file over [fromMs, toMs], its blocks moved
 * into `dataDir`. The rules of one file must only read series already in `dataDir`: promtool
 * evaluates every rule as a range query against the server and never sees its own output.
 */
export async function backfillRules(prom: Prom, ruleFile: string, fromMs: number, toMs: number, outDir: string, dataDir: string): Promise<void> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  await run(
    'promtool',
    [
      'tsdb',
      'create-blocks-from',
      'rules',
      '-q',
      `--url=${prom.url}`,
      `--start=${fromMs / 1000}`,
      `--end=${toMs / 1000}`,
      `--output-dir=${outDir}`,
      '--eval-interval=60s',
      ruleFile,
    ],
    { maxBuffer: 64 << 20 },
  );
  for (const b of fs.readdirSync(outDir)) fs.renameSync(path.join(outDir, b), path.join(dataDir, b));
}

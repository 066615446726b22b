import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { GpuSnapshot, GpuSource, XidEvent } from '../../types.js';
import { SourceError, type FailureReason } from '../../types.js';
import { NVML_PROTOTYPES } from './nvml-api.js';

export interface NvmlSourceOptions {
  /** Library to load (default `libnvidia-ml.so.1`). */
  readonly library?: string;
  /** Read per-process memory (default false). */
  readonly processes?: boolean;
  /** A single NVML call that makes no progress for this long is wedged, ms (default 3000). */
  readonly callTimeoutMs?: number;
  /** Watch XID events on an event set (default true). */
  readonly xidEvents?: boolean;
  readonly logger?: Logger;
}

/**
 * Starts the worker script next to this module: the built .js, or under tsx/vitest the .ts source
 * through a bootstrap that registers tsx in the worker (workers do not inherit loader hooks).
 */
function spawnWorker(workerData: unknown): Worker {
  const js = new URL('./nvml-worker.js', import.meta.url);
  if (fs.existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  const ts = new URL('./nvml-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`, { eval: true, workerData });
}

interface Reply {
  id?: number;
  ok?: boolean;
  snapshot?: GpuSnapshot;
  reason?: FailureReason;
  message?: string;
  events?: XidEvent[];
  ready?: boolean;
  loadFailed?: boolean;
}

/**
 * NvmlSource reads GPUs through NVML in a worker thread, so a call that hangs in the driver never
 * blocks the event loop. A call that makes no progress for `callTimeoutMs` fails the collection as
 * `timeout`; the wedged worker is abandoned and a fresh one (a fresh NVML session) is used next.
 * XID events come from a second worker that waits on an NVML event set.
 */
export class NvmlSource implements GpuSource {
  readonly name = 'nvml';
  private worker: Worker | undefined;
  private progress: Int32Array | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void }>();
  private events: Worker | undefined;
  private eventsStop: Int32Array | undefined;
  private xid: XidEvent[] = [];

  constructor(private readonly options: NvmlSourceOptions = {}) {}

  /** XIDs come from the event worker unless it is turned off. */
  get watchesXid(): boolean {
    return this.options.xidEvents !== false;
  }

  async collect(signal: AbortSignal): Promise<GpuSnapshot> {
    if (this.options.xidEvents !== false && !this.events) this.startEvents();
    const worker = this.worker ?? this.startWorker();
    const progress = this.progress!;
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      let last = Atomics.load(progress, 0);
      let lastChange = Date.now();
      const timeout = this.options.callTimeoutMs ?? 3000;
      const watchdog = setInterval(
        () => {
          const now = Atomics.load(progress, 0);
          if (now !== last) {
            last = now;
            lastChange = Date.now();
          } else if (Date.now() - lastChange > timeout)
            fail(new SourceError(`NVML call ${symbolName(Atomics.load(progress, 1))} made no progress for ${timeout} ms`, 'timeout'));
        },
        Math.min(100, timeout),
      );
      const onAbort = () => fail(new SourceError('collection aborted', 'timeout'));
      const fail = (err: Error) => {
        clearInterval(watchdog);
        signal.removeEventListener('abort', onAbort);
        this.waiting.delete(id);
        this.abandon(worker);
        reject(err);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, {
        resolve: (r) => {
          clearInterval(watchdog);
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
      });
      worker.postMessage({ id, type: 'collect' });
    });
    // A library that did not load may appear later (driver installed): try a fresh worker next time.
    if (reply.loadFailed) this.abandon(worker);
    if (!reply.ok || !reply.snapshot) throw new SourceError(reply.message ?? 'NVML collection failed', reply.reason ?? 'error');
    return reply.snapshot;
  }

  drainXidEvents(): XidEvent[] {
    const out = this.xid;
    this.xid = [];
    return out;
  }

  async close(): Promise<void> {
    if (this.eventsStop) Atomics.store(this.eventsStop, 2, 1);
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      // nvmlShutdown in the worker, bounded: a wedged worker will not answer.
      const id = this.nextId++;
      const answered = new Promise<void>((resolve) => this.waiting.set(id, { resolve: () => resolve() }));
      w.postMessage({ id, type: 'close' });
      await Promise.race([answered, new Promise((r) => setTimeout(r, 1000).unref())]);
      this.waiting.delete(id);
      void w.terminate();
    }
    const e = this.events;
    this.events = undefined;
    if (e) setTimeout(() => void e.terminate(), 1500).unref();
  }

  private startWorker(): Worker {
    const sab = new SharedArrayBuffer(12);
    this.progress = new Int32Array(sab);
    const worker = spawnWorker({
      library: this.options.library ?? 'libnvidia-ml.so.1',
      processes: this.options.processes ?? false,
      mode: 'collect',
      progress: sab,
    });
    worker.unref();
    worker.on('message', (r: Reply) => {
      if (r.id === undefined) return;
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      w?.resolve(r);
    });
    worker.on('error', (err) => {
      this.options.logger?.error({ err: err.message }, 'NVML worker failed');
      this.abandon(worker);
      for (const [id, w] of this.waiting) {
        this.waiting.delete(id);
        w.resolve({ ok: false, reason: 'error', message: `NVML worker failed: ${err.message}` });
      }
    });
    this.worker = worker;
    return worker;
  }

  private startEvents(): void {
    const sab = new SharedArrayBuffer(12);
    this.eventsStop = new Int32Array(sab);
    const w = spawnWorker({ library: this.options.library ?? 'libnvidia-ml.so.1', processes: false, mode: 'events', progress: sab });
    w.unref();
    w.on('message', (r: Reply) => {
      if (r.events) this.xid.push(...r.events.slice(0, 10_000 - this.xid.length));
    });
    w.on('error', (err) => this.options.logger?.warn({ err: err.message }, 'NVML event worker failed'));
    this.events = w;
  }

  /** Drops a wedged worker: it cannot be interrupted inside a driver call, so it is left to die. */
  private abandon(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate().catch(() => {});
  }
}

function symbolName(i: number): string {
  return Object.keys(NVML_PROTOTYPES)[i] ?? 'unknown';
}

/**
 * Worker-thread host of the NVML adapter: loads koffi and libnvidia-ml.so.1, then answers
 * `collect` requests (mode `collect`) or loops on the XID event set (mode `events`). Every NVML
 * call bumps a shared counter so the main thread can tell a wedged call from a slow collection.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SourceError } from '../../types.js';
import { bindNvml, REQUIRED_SYMBOLS, NVML_PROTOTYPES, type NvmlApi, type NvmlSymbol } from './nvml-api.js';
import { NvmlSession } from './nvml-session.js';
import { XidWatcher } from './nvml-events.js';

interface Data {
  readonly library: string;
  readonly processes: boolean;
  readonly mode: 'collect' | 'events';
  /** Int32Array view: [0] call counter, [1] index of the current symbol, [2] stop flag (events). */
  readonly progress: SharedArrayBuffer;
}

const data = workerData as Data;
const progress = new Int32Array(data.progress);
const symbols = Object.keys(NVML_PROTOTYPES) as NvmlSymbol[];
const port = parentPort!;

async function load(): Promise<{ api: Partial<NvmlApi> } | { error: string }> {
  let koffi: { load(path: string): { func(proto: string): unknown } };
  try {
    const mod = (await import('koffi')) as unknown as { default?: typeof koffi } & typeof koffi;
    koffi = mod.default ?? mod;
  } catch {
    return { error: 'koffi is not installed (optional dependency); use --source nvidia-smi' };
  }
  let lib;
  try {
    lib = koffi.load(data.library);
  } catch (err) {
    return { error: `cannot load ${data.library}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const { api, missing } = bindNvml(lib);
  const absent = REQUIRED_SYMBOLS.filter((s) => missing.includes(s));
  if (absent.length > 0) return { error: `${data.library} lacks ${absent.join(', ')}` };
  return { api };
}

const loaded = await load();

if (data.mode === 'collect') {
  const session =
    'api' in loaded
      ? new NvmlSession(loaded.api, {
          processes: data.processes,
          onCall: (s) => {
            Atomics.add(progress, 0, 1);
            Atomics.store(progress, 1, symbols.indexOf(s));
          },
        })
      : undefined;
  port.on('message', (msg: { id: number; type: 'collect' | 'close' }) => {
    if (msg.type === 'close') {
      session?.shutdown();
      port.postMessage({ id: msg.id, ok: true });
      return;
    }
    if (!session) {
      port.postMessage({ id: msg.id, ok: false, reason: 'driver', loadFailed: true, message: (loaded as { error: string }).error });
      return;
    }
    try {
      port.postMessage({ id: msg.id, ok: true, snapshot: session.collect() });
    } catch (err) {
      port.postMessage({
        id: msg.id,
        ok: false,
        reason: err instanceof SourceError ? err.reason : 'error',
        message: err instanceof Error ? err.message : String(err),
      });
    }
  });
  port.postMessage({ ready: true });
} else if ('api' in loaded) {
  const watcher = new XidWatcher(loaded.api);
  const loop = () => {
    if (Atomics.load(progress, 2) === 1) {
      watcher.teardown();
      port.close();
      return;
    }
    // Waits at most 1 s so a stop request is seen soon.
    const events = watcher.poll(1000);
    if (events.length > 0) port.postMessage({ events });
    setImmediate(loop);
  };
  loop();
}

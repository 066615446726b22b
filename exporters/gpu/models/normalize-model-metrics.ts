import type { ModelStatus } from '../collectors/models.js';
import type { ParsedSample } from './parse-prometheus-text.js';
import type { ModelServerSpec } from './models-schema.js';

/** Samples of one metric, optionally only those with these label values. */
interface Selector {
  readonly metric: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Where queue depth and running requests live for one server type. Each value lists selectors in
 * order of preference: per model, the first selector that has samples for it wins, and its samples
 * are summed (versions, engines); later selectors are ignored for that model.
 */
interface Mapping {
  readonly queue: readonly Selector[];
  readonly running: readonly Selector[];
  /** Label with the model name; undefined → the server serves one model. */
  readonly modelLabel: string | undefined;
}

/**
 * Known server types; the table in docs/model-queues.md says the same (facts from each server's
 * metric documentation and, for TensorRT-LLM, its Triton backend's metrics reporter).
 */
export function mappingFor(server: ModelServerSpec): Mapping {
  switch (server.type) {
    case 'triton':
      return {
        // A TensorRT-LLM model takes requests from Triton at once and queues them in its own
        // in-flight batcher, so Triton's pending count reads 0 while `waiting` holds the real queue.
        queue: [{ metric: 'nv_trt_llm_request_metrics', labels: { request_type: 'waiting' } }, { metric: 'nv_inference_pending_request_count' }],
        // `scheduled`: requests in this iteration's batch (context and generation phase together);
        // `active` would add the ones still waiting. Plain Triton has no running gauge.
        running: [{ metric: 'nv_trt_llm_request_metrics', labels: { request_type: 'scheduled' } }],
        modelLabel: 'model',
      };
    case 'vllm':
      return { queue: [{ metric: 'vllm:num_requests_waiting' }], running: [{ metric: 'vllm:num_requests_running' }], modelLabel: 'model_name' };
    case 'tgi':
      return { queue: [{ metric: 'tgi_queue_size' }], running: [{ metric: 'tgi_batch_current_size' }], modelLabel: undefined };
    case 'generic': {
      const m = server.mapping!;
      return {
        queue: [m.queueDepth],
        running: m.running ? [m.running] : [],
        modelLabel: m.modelLabel ?? (server.models?.length === 1 ? undefined : 'model'),
      };
    }
  }
}

/** Most models one server may report when none are declared (keeps series bounded). */
export const MAX_MODELS_PER_SERVER = 256;

const matches = (s: ParsedSample, sel: Selector) =>
  s.name === sel.metric && Number.isFinite(s.value) && (!sel.labels || Object.entries(sel.labels).every(([k, v]) => s.labels[k] === v));

/** Per-model sums of the most preferred selector that has samples for each model. */
class PreferredSums {
  private readonly best = new Map<string, { rank: number; value: number }>();

  constructor(private readonly selectors: readonly Selector[]) {}

  add(model: string, s: ParsedSample): void {
    const rank = this.selectors.findIndex((sel) => matches(s, sel));
    if (rank < 0) return;
    const cur = this.best.get(model);
    if (!cur || rank < cur.rank) this.best.set(model, { rank, value: s.value });
    else if (rank === cur.rank) cur.value += s.value;
  }

  get(model: string): number | undefined {
    return this.best.get(model)?.value;
  }

  models(): IterableIterator<string> {
    return this.best.keys();
  }
}

/**
 * Turns one server's parsed samples into per-model statuses: values are summed over the other
 * labels (versions, engines). Declared models that are missing report up=0; with no declared
 * models every model found is reported.
 */
export function normalizeModelMetrics(server: ModelServerSpec, samples: readonly ParsedSample[]): ModelStatus[] {
  const map = mappingFor(server);
  const single = server.models?.[0]?.name ?? server.name;
  const queue = new PreferredSums(map.queue);
  const running = new PreferredSums(map.running);
  for (const s of samples) {
    const model = map.modelLabel === undefined ? single : s.labels[map.modelLabel];
    if (model === undefined || model === '') continue;
    queue.add(model, s);
    running.add(model, s);
  }
  const declared = server.models?.map((m) => m.name);
  const names = declared && declared.length > 0 ? declared : [...new Set([...queue.models(), ...running.models()])].sort().slice(0, MAX_MODELS_PER_SERVER);
  return names.map((model) => {
    const q = queue.get(model);
    const r = running.get(model);
    return {
      server: server.name,
      model,
      up: q !== undefined || r !== undefined,
      ...(q !== undefined ? { queueDepth: q } : {}),
      ...(r !== undefined ? { running: r } : {}),
    };
  });
}

/** Statuses for a server that could not be scraped: every declared model down. */
export function downStatuses(server: ModelServerSpec, previous: readonly ModelStatus[]): ModelStatus[] {
  const names = server.models?.length ? server.models.map((m) => m.name) : previous.map((p) => p.model);
  return (names.length > 0 ? names : [server.name]).map((model) => ({ server: server.name, model, up: false }));
}

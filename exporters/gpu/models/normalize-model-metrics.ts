import type { ModelStatus } from '../collectors/models.js';
import type { ParsedSample } from './parse-prometheus-text.js';
import type { ModelServerSpec } from './models-schema.js';

/** Where queue depth and running requests live for one server type. */
interface Mapping {
  readonly queue: { metric: string; labels?: Record<string, string> };
  readonly running?: { metric: string; labels?: Record<string, string> };
  /** Label with the model name; undefined → the server serves one model. */
  readonly modelLabel: string | undefined;
}

/** Known server types (facts from each server's metric documentation). */
export function mappingFor(server: ModelServerSpec): Mapping {
  switch (server.type) {
    case 'triton':
      return {
        queue: { metric: 'nv_inference_pending_request_count' },
        running: { metric: 'nv_trt_llm_request_metrics', labels: { request_type: 'scheduled' } },
        modelLabel: 'model',
      };
    case 'vllm':
      return { queue: { metric: 'vllm:num_requests_waiting' }, running: { metric: 'vllm:num_requests_running' }, modelLabel: 'model_name' };
    case 'tgi':
      return { queue: { metric: 'tgi_queue_size' }, running: { metric: 'tgi_batch_current_size' }, modelLabel: undefined };
    case 'generic': {
      const m = server.mapping!;
      return {
        queue: m.queueDepth,
        ...(m.running ? { running: m.running } : {}),
        modelLabel: m.modelLabel ?? (server.models?.length === 1 ? undefined : 'model'),
      };
    }
  }
}

/** Most models one server may report when none are declared (keeps series bounded). */
export const MAX_MODELS_PER_SERVER = 256;

const matches = (s: ParsedSample, metric: string, labels: Record<string, string> | undefined) =>
  s.name === metric && Number.isFinite(s.value) && (!labels || Object.entries(labels).every(([k, v]) => s.labels[k] === v));

/**
 * Turns one server's parsed samples into per-model statuses: values are summed over the other
 * labels (versions, engines). Declared models that are missing report up=0; with no declared
 * models every model found is reported.
 */
export function normalizeModelMetrics(server: ModelServerSpec, samples: readonly ParsedSample[]): ModelStatus[] {
  const map = mappingFor(server);
  const single = server.models?.[0]?.name ?? server.name;
  const queue = new Map<string, number>();
  const running = new Map<string, number>();
  for (const s of samples) {
    const inQueue = matches(s, map.queue.metric, map.queue.labels);
    const inRunning = !!map.running && matches(s, map.running.metric, map.running.labels);
    if (!inQueue && !inRunning) continue;
    const model = map.modelLabel === undefined ? single : s.labels[map.modelLabel];
    if (model === undefined || model === '') continue;
    const target = inQueue ? queue : running;
    target.set(model, (target.get(model) ?? 0) + s.value);
  }
  const declared = server.models?.map((m) => m.name);
  const names = declared && declared.length > 0 ? declared : [...new Set([...queue.keys(), ...running.keys()])].sort().slice(0, MAX_MODELS_PER_SERVER);
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

import { Type, type Static } from '@sinclair/typebox';
import { Duration as DurationSchema, EnvironmentOverrides } from '../../../src/load/schema-primitives.js';

const Duration = DurationSchema('a duration like 500ms, 10s or 1m');
const Name = Type.String({ pattern: '^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$', description: 'lower-case letters, digits, dots and dashes (a Kubernetes name)' });

/** Where a normalized value comes from in a generic server's metrics. */
const Selector = Type.Object(
  {
    /** Metric name in the server's exposition. */
    metric: Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$', description: 'a Prometheus metric name' }),
    /** Only samples with these label values count (summed). */
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

/** Queue-depth autoscaling of the workload serving one model (KEDA + prometheus-adapter). */
const Scale = Type.Object(
  {
    /** Deployment (or other scalable kind) that serves the model. */
    target: Name,
    kind: Type.Optional(Type.Union([Type.Literal('Deployment'), Type.Literal('StatefulSet')])),
    namespace: Type.Optional(Name),
    minReplicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    maxReplicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Queue depth per replica the autoscaler aims for. */
    queueDepthPerReplica: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);

const Model = Type.Object(
  {
    /** The model's name as the server labels it. */
    name: Type.String({ minLength: 1, maxLength: 128 }),
    scale: Type.Optional(Scale),
  },
  { additionalProperties: false },
);

const Server = Type.Object(
  {
    /** Value of the `server` label. */
    name: Name,
    type: Type.Union([Type.Literal('triton'), Type.Literal('vllm'), Type.Literal('tgi'), Type.Literal('generic')]),
    /** The server's Prometheus endpoint. */
    url: Type.String({ pattern: '^https?://[^\\s]+$', description: 'an http:// or https:// URL' }),
    /** Models expected on this server; a missing one reports vigil_model_up 0. Empty: every model found. */
    models: Type.Optional(Type.Array(Model)),
    /** generic servers: where queue depth, running requests and the model name come from. */
    mapping: Type.Optional(
      Type.Object(
        {
          queueDepth: Selector,
          running: Type.Optional(Selector),
          /** Label holding the model name (default `model`); absent → the single declared model. */
          modelLabel: Type.Optional(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Overrides the file's scrapeTimeout for this server. */
    timeout: Type.Optional(Duration),
  },
  { additionalProperties: false },
);

/** The `--models` file: model-server endpoints whose queues the exporter normalizes. */
export const ModelsFileSchema = Type.Object(
  {
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('ModelServers'),
    environments: EnvironmentOverrides('models file'),
    /** How often each server is scraped (default 10s). */
    scrapeInterval: Type.Optional(Duration),
    /** Per-scrape timeout (default 2s). */
    scrapeTimeout: Type.Optional(Duration),
    /** Namespace of the exporter's Kubernetes objects and default namespace of scale targets. */
    namespace: Type.Optional(Name),
    servers: Type.Array(Server, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type ModelsFile = Static<typeof ModelsFileSchema>;
export type ModelServerSpec = ModelsFile['servers'][number];
export type ModelSpec = NonNullable<ModelServerSpec['models']>[number];

import { Type, type Static } from '@sinclair/typebox';
import { DECIMAL_DURATION_PATTERN } from '../runtime/duration.js';
import { Duration as DurationSchema, EnvironmentOverrides, KebabName as KebabNameSchema } from './schema-primitives.js';

/** Kebab-case name: service names and SLO names. */
const KebabName = KebabNameSchema();
const LabelName = Type.String({
  pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$',
  description: 'a Prometheus label name: letters, digits and "_", not starting with a digit',
});
const Labels = Type.Record(Type.String(), Type.String(), { description: 'label name → value' });
/** Prometheus-style duration: `30d`, `4w`, `720h`, `1h30m`. */
const Duration = DurationSchema('a duration such as 30d, 4w, 2s or 250ms');

const Tier = Type.Union([Type.Literal(false), Type.Object({ severity: Type.String({ minLength: 1 }) }, { additionalProperties: false })], {
  description: '`false` disables this tier, or a mapping with `severity`',
});

/** Alerting options: file-level defaults, overridable per SLO. */
export const AlertingSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', description: 'alert name: letters, digits and "_"' })),
    page: Type.Optional(Tier),
    ticket: Type.Optional(Tier),
    runbook: Type.Optional(Type.String({ pattern: '^(https?://|/)\\S+$', description: 'an http(s) URL or an absolute path' })),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);

const RatioIndicator = Type.Object(
  {
    errors: Type.Optional(Type.String({ minLength: 1 })),
    good: Type.Optional(Type.String({ minLength: 1 })),
    total: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

const LatencyIndicator = Type.Object(
  {
    histogram: Type.String({ minLength: 1 }),
    threshold: Type.Union([Type.String({ pattern: `${DECIMAL_DURATION_PATTERN}|^[0-9]+(\\.[0-9]+)?$` }), Type.Number()], {
      description: "the latency bound: a duration such as 2s, 0.5s or 250ms, or a plain number in the histogram's unit (0.25 for a _seconds histogram)",
    }),
  },
  { additionalProperties: false },
);

const RawIndicator = Type.Object({ errorRatio: Type.String({ minLength: 1 }) }, { additionalProperties: false });

/** Exactly one of ratio, latency, boolGauge, raw (the count is checked with a clear message). */
const Indicator = Type.Object(
  {
    ratio: Type.Optional(RatioIndicator),
    latency: Type.Optional(LatencyIndicator),
    boolGauge: Type.Optional(Type.String({ minLength: 1 })),
    raw: Type.Optional(RawIndicator),
  },
  { additionalProperties: false },
);

export const SloSchema = Type.Object(
  {
    name: KebabName,
    description: Type.Optional(Type.String({ maxLength: 1050 })),
    objective: Type.Number({ description: 'percent, 0 < x < 100' }),
    indicator: Indicator,
    groupBy: Type.Optional(Type.Array(LabelName, { uniqueItems: true })),
    alerting: Type.Optional(AlertingSchema),
    sla: Type.Optional(
      Type.Object(
        {
          text: Type.String({ minLength: 1, maxLength: 200, description: 'the commitment as people know it, e.g. "99.9% availability" or "P95 < 2 s"' }),
          objective: Type.Optional(
            Type.Number({
              exclusiveMinimum: 0,
              exclusiveMaximum: 100,
              description: "percent the SLA promises (default: the SLO's objective); may be looser than the objective",
            }),
          ),
        },
        { additionalProperties: false, description: 'the SLA line this SLO measures: `vigil report` shows it met or missed over the period' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SloFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('ServiceLevelObjectives'),
    environments: EnvironmentOverrides('SLO file'),
    service: KebabName,
    labels: Type.Optional(Labels),
    period: Type.Optional(Duration),
    evaluationInterval: Type.Optional(
      DurationSchema(
        "how often this file's SLO rule groups are evaluated (their `interval`), e.g. 30s or 1m: overrides slos.evaluationInterval of vigil.config.yaml; must divide the base window (5m for 30d)",
      ),
    ),
    alerting: Type.Optional(AlertingSchema),
    slos: Type.Array(SloSchema, { minItems: 1 }),
  },
  {
    additionalProperties: false,
    $id: 'https://vigil.dev/schemas/slo.v1.json',
    title: 'vigil SLO spec v1',
    description: 'Service level objectives of one service (slos/<service>.yaml).',
  },
);

export type SloFileSpec = Static<typeof SloFileSchema>;
export type SloSpec = Static<typeof SloSchema>;
export type AlertingSpec = Static<typeof AlertingSchema>;

/** The apiVersions this vigil reads for SLO specs. */
export const SLO_API_VERSIONS = ['vigil/v1'] as const;

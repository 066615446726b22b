import { Type, type Static } from '@sinclair/typebox';
import { EnvironmentOverrides, KebabName as KebabNameSchema } from '../load/schema-primitives.js';
import { DURATION_BODY } from '../runtime/duration.js';

/**
 * Alert pack spec v1 (`alerts/<pack>.yaml`, kind AlertPack) and parameter overlays
 * (kind AlertParams). One schema gives types, runtime validation and the published JSON Schema.
 */

const KebabName = KebabNameSchema();
const Labels = Type.Record(Type.String(), Type.String(), { description: 'label name → value (templates allowed)' });
/** `${param}` is allowed wherever a duration goes, so durations are checked after substitution. */
const DurationOrParam = Type.String({
  pattern: `^(${DURATION_BODY}|\\$\\{[A-Za-z][A-Za-z0-9_]*\\})$`,
  description: 'a duration such as 5m or 1h, or a ${param}',
});
const ParamValue = Type.Union([Type.String(), Type.Number()], { description: 'a string or a number' });
const Params = Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }), ParamValue, { description: 'parameter name → value; used as ${name}' });

/** Severity: critical pages, warning goes to chat, info opens a ticket (mixin convention). */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One promtool unit-test case: input series, an evaluation time and the alerts expected to fire. */
const AlertTestSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    interval: Type.Optional(DurationOrParam),
    series: Type.Record(Type.String({ minLength: 1 }), Type.Union([Type.String(), Type.Number()]), {
      description: 'series selector → promtool expanding notation, e.g. "0x30 48x30"',
    }),
    at: DurationOrParam,
    fires: Type.Array(
      Type.Object(
        {
          labels: Type.Optional(Labels),
          value: Type.Optional(Type.Number({ description: 'the alert expression value at `at` (needed when annotations use $value)' })),
        },
        { additionalProperties: false },
      ),
      { description: 'every alert expected to fire at `at`; [] asserts that nothing fires' },
    ),
  },
  { additionalProperties: false },
);

export const AlertSchema = Type.Object(
  {
    alert: Type.String({ pattern: '^[A-Z][A-Za-z0-9]*$', maxLength: 60, description: 'CamelCase alert name' }),
    expr: Type.String({ minLength: 1 }),
    for: Type.Optional(DurationOrParam),
    severity: Type.Union(SEVERITIES.map((s) => Type.Literal(s))),
    labels: Type.Optional(Labels),
    summary: Type.String({ minLength: 1 }),
    description: Type.String({ minLength: 1 }),
    runbook_url: Type.Optional(Type.String({ minLength: 1 })),
    annotations: Type.Optional(Labels),
    tests: Type.Optional(Type.Array(AlertTestSchema)),
  },
  { additionalProperties: false },
);

export const AlertGroupSchema = Type.Object(
  {
    name: KebabName,
    datasource: Type.Optional(Type.Union([Type.Literal('prometheus'), Type.Literal('loki')])),
    interval: Type.Optional(DurationOrParam),
    alerts: Type.Array(AlertSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const AlertPackSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('AlertPack'),
    name: KebabName,
    description: Type.Optional(Type.String()),
    labels: Type.Optional(Labels),
    params: Type.Optional(Params),
    environments: Type.Optional(Type.Record(KebabName, Params, { description: 'environment name (--env) → parameter overrides' })),
    groups: Type.Array(AlertGroupSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

const AlertName = Type.String({ pattern: '^[A-Z][A-Za-z0-9]*$', maxLength: 60, description: 'CamelCase alert name' });

/**
 * A pack that uses a built-in pack (vigil-monitoring/packs/<uses>.yaml) by reference: its labels
 * and params are merged over the built-in's, `overrides` change single alerts, `disable` drops
 * alerts; the built-in's groups are not copied.
 */
export const AlertPackUseSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('AlertPack'),
    name: KebabName,
    uses: KebabName,
    description: Type.Optional(Type.String()),
    labels: Type.Optional(Labels),
    params: Type.Optional(Params),
    environments: Type.Optional(Type.Record(KebabName, Params, { description: 'environment name (--env) → parameter overrides' })),
    overrides: Type.Optional(
      Type.Record(
        AlertName,
        Type.Object(
          {
            for: Type.Optional(DurationOrParam),
            severity: Type.Optional(Type.Union(SEVERITIES.map((s) => Type.Literal(s)))),
            labels: Type.Optional(Labels),
            summary: Type.Optional(Type.String({ minLength: 1 })),
            description: Type.Optional(Type.String({ minLength: 1 })),
            runbook_url: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
        { description: 'alert name → the fields to change in it' },
      ),
    ),
    disable: Type.Optional(Type.Array(AlertName, { uniqueItems: true, description: 'alerts of the built-in pack to leave out' })),
  },
  { additionalProperties: false },
);

/** Overrides a pack's parameters without copying it; applies to every env, or to `env` only. */
export const AlertParamsSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('AlertParams'),
    env: Type.Optional(KebabName),
    packs: Type.Record(KebabName, Params),
  },
  { additionalProperties: false },
);

/** Metrics produced outside the project (model servers, kube-state-metrics, ...). */
export const ExternalMetricsSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('ExternalMetrics'),
    environments: EnvironmentOverrides('list of external metrics'),
    metrics: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' }), source: Type.String({ minLength: 1 }), description: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
      ),
    ),
    prefixes: Type.Optional(
      Type.Array(Type.Object({ prefix: Type.String({ minLength: 1 }), source: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
    ),
  },
  { additionalProperties: false },
);

export type AlertPackSpec = Static<typeof AlertPackSchema>;
export type AlertPackUseSpec = Static<typeof AlertPackUseSchema>;
export type AlertGroupSpec = Static<typeof AlertGroupSchema>;
export type AlertSpec = Static<typeof AlertSchema>;
export type AlertTestSpec = Static<typeof AlertTestSchema>;
export type AlertParamsSpec = Static<typeof AlertParamsSchema>;
export type ExternalMetricsSpec = Static<typeof ExternalMetricsSchema>;
export type ParamValueSpec = Static<typeof ParamValue>;

export const ALERT_SCHEMA_CODES = { unknownKey: 'ALR003', missingKey: 'ALR004', wrongType: 'ALR005', badValue: 'ALR006' } as const;

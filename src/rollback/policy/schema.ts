import { Type, type Static } from '@sinclair/typebox';
import { Duration as DurationSchema } from '../../load/schema-primitives.js';

/** A duration such as `30s`, `10m`, `1h`, `1d` (compound ones like `1h30m` too). */
const Duration = DurationSchema('a duration like 30s, 10m, 1h or 1d');
/** A string enum as one JSON Schema `enum` (one clear error message instead of an anyOf per literal). */
function StringEnum<T extends string>(values: readonly T[], description?: string) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
}
const Environment = StringEnum(['dev', 'staging', 'prod'] as const);
/** Strings may hold `{{label}}` templates, filled from the alert's labels. */
const Templated = Type.String({ minLength: 1 });

const settingsProps = {
  /** No second action on the same target within this time after one ran (default 30m). */
  cooldown: Type.Optional(Duration),
  /** At most this many actions on one target per rolling hour (default 2). */
  maxActionsPerHour: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Record what would be done, do nothing (default false). */
  dryRun: Type.Optional(Type.Boolean()),
  /** Wait for `POST /v1/approvals/{id}` before acting (default false). */
  requireApproval: Type.Optional(Type.Boolean()),
};
export const SettingsSchema = Type.Object(settingsProps, { additionalProperties: false });

export const ArgoRolloutSchema = Type.Object(
  { namespace: Templated, name: Templated, operation: StringEnum(['abort', 'undo'] as const) },
  { additionalProperties: false },
);
export const FlagdFlagSchema = Type.Object(
  { file: Templated, flag: Templated, variant: Templated },
  { additionalProperties: false, description: 'rewrites the flag so that `variant` is served to everyone' },
);
export const MlflowAliasSchema = Type.Object({ model: Templated, alias: Templated }, { additionalProperties: false });
export const WebhookSchema = Type.Object({ url: Templated }, { additionalProperties: false });

export const TargetSchema = Type.Object(
  {
    ...settingsProps,
    argoRollout: Type.Optional(ArgoRolloutSchema),
    flagdFlag: Type.Optional(FlagdFlagSchema),
    mlflowAlias: Type.Optional(MlflowAliasSchema),
    webhook: Type.Optional(WebhookSchema),
  },
  { additionalProperties: false },
);

export const RuleSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_.-]+$', description: 'letters, digits, _ . -' }),
    /** Exact label values the alert must carry (all of them). */
    match: Type.Record(Type.String(), Type.String(), { minProperties: 1 }),
    /** Label values as anchored regular expressions. */
    matchRegex: Type.Optional(Type.Record(Type.String(), Type.String())),
    /** Environments this rule applies to (default: all). */
    environments: Type.Optional(Type.Array(Environment, { minItems: 1, uniqueItems: true })),
    target: Type.String(),
    ...settingsProps,
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('RollbackPolicy'),
    /** Alert label that names the environment (default `environment`). */
    environmentLabel: Type.Optional(Type.String({ minLength: 1 })),
    /** Environment assumed when an alert lacks that label. */
    defaultEnvironment: Type.Optional(Environment),
    defaults: Type.Optional(SettingsSchema),
    /** Per-environment settings; they win over target and rule settings (a safety scope). */
    environments: Type.Optional(
      Type.Object(
        { dev: Type.Optional(SettingsSchema), staging: Type.Optional(SettingsSchema), prod: Type.Optional(SettingsSchema) },
        { additionalProperties: false },
      ),
    ),
    retry: Type.Optional(
      Type.Object(
        {
          /** Attempts per action, first one included (default 5). */
          maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
          /** First backoff (default 500ms), doubled per attempt up to `maxBackoff` (default 10s). */
          initialBackoff: Type.Optional(Duration),
          maxBackoff: Type.Optional(Duration),
          /** Total time for all attempts of one action (default 2m). */
          budget: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    kubernetes: Type.Optional(
      Type.Object({ kubeconfig: Type.Optional(Type.String()), context: Type.Optional(Type.String()) }, { additionalProperties: false }),
    ),
    mlflow: Type.Optional(
      Type.Object({ url: Type.String({ pattern: '^https?://' }), tokenFile: Type.Optional(Type.String()) }, { additionalProperties: false }),
    ),
    webhook: Type.Optional(Type.Object({ secretFile: Type.String() }, { additionalProperties: false })),
    /** Poll mode: evaluate SLO burn rates in Prometheus so a rollback happens without Alertmanager. */
    poll: Type.Optional(
      Type.Object(
        {
          prometheusUrl: Type.String({ pattern: '^https?://' }),
          interval: Type.Optional(Duration),
          checks: Type.Array(
            Type.Object(
              {
                slo: Type.String({ minLength: 1 }),
                // Leave out long, short and burnRateFactor to poll the SLO's own page pairs (from slos/).
                long: Type.Optional(Duration),
                short: Type.Optional(Duration),
                burnRateFactor: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
                severity: Type.Optional(Type.String()),
                alertname: Type.Optional(Type.String()),
              },
              { additionalProperties: false },
            ),
            { minItems: 1 },
          ),
        },
        { additionalProperties: false },
      ),
    ),
    targets: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), TargetSchema),
    rules: Type.Array(RuleSchema),
  },
  { additionalProperties: false },
);

export type PolicyDocument = Static<typeof PolicySchema>;
export type TargetDocument = Static<typeof TargetSchema>;
export type RuleDocument = Static<typeof RuleSchema>;
export type SettingsDocument = Static<typeof SettingsSchema>;
export type EnvironmentName = Static<typeof Environment>;

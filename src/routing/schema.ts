import { Type, type Static } from '@sinclair/typebox';
import { Duration as DurationSchema, EnvironmentOverrides, KebabName } from '../load/schema-primitives.js';

/**
 * Routing policy v1 (`alerts/routing.yaml`, kind AlertRouting): receivers, teams with a receiver
 * list per severity, explicit routes, inhibitions, time intervals and declared route tests.
 * Secrets only by `*_file` references: the inline forms are accepted by the schema so that the
 * loader can say exactly which `*_file` key to use instead (RTE030).
 */

const Name = KebabName('lower-case letters, digits and "-"');
const LabelName = Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', description: 'a Prometheus label name' });
const Duration = DurationSchema('a duration such as 30s, 5m or 4h');
const Matchers = Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'matchers such as severity="critical" or alertname=~"Gpu.+"' });
const FilePath = Type.String({ pattern: '^/', description: 'an absolute path to a file holding the secret' });
/** Inline secret keys: allowed by the schema only to be reported with a precise message. */
const InlineSecret = Type.Optional(Type.String());

const PagerDuty = Type.Object(
  {
    routing_key_file: Type.Optional(FilePath),
    service_key_file: Type.Optional(FilePath),
    routing_key: InlineSecret,
    service_key: InlineSecret,
    severity: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    url: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'Events API endpoint (default https://events.pagerduty.com/v2/enqueue; EU accounts: https://events.eu.pagerduty.com/v2/enqueue)',
      }),
    ),
    send_resolved: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Slack = Type.Object(
  {
    api_url_file: Type.Optional(FilePath),
    api_url: InlineSecret,
    channel: Type.String({ minLength: 1 }),
    title: Type.Optional(Type.String()),
    text: Type.Optional(Type.String()),
    send_resolved: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Email = Type.Object(
  { to: Type.String({ minLength: 3 }), auth_password_file: Type.Optional(FilePath), auth_password: InlineSecret, send_resolved: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const Webhook = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    credentials_file: Type.Optional(FilePath),
    credentials: InlineSecret,
    send_resolved: Type.Optional(Type.Boolean()),
    max_alerts: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const Receiver = Type.Object(
  { pagerduty: Type.Optional(PagerDuty), slack: Type.Optional(Slack), email: Type.Optional(Email), webhook: Type.Optional(Webhook) },
  { additionalProperties: false, minProperties: 1, description: 'at least one of pagerduty, slack, email, webhook' },
);

const SEVERITY_KEYS = ['critical', 'warning', 'info'] as const;
const Receivers = Type.Array(Name, { minItems: 1, uniqueItems: true });

/** Escalation of one severity: how often to repeat, and when notifications may go out. */
const EscalationStep = Type.Object(
  { repeat: Type.Optional(Duration), activeIn: Type.Optional(Type.Array(Name, { minItems: 1 })), muteIn: Type.Optional(Type.Array(Name, { minItems: 1 })) },
  { additionalProperties: false },
);

const Team = Type.Object(
  {
    critical: Type.Optional(Receivers),
    warning: Type.Optional(Receivers),
    info: Type.Optional(Receivers),
  },
  { additionalProperties: false, minProperties: 1, description: 'severity (critical, warning, info) → receivers' },
);

const Route = Type.Object(
  {
    name: Type.Optional(Type.String()),
    matchers: Matchers,
    team: Type.Optional(Name),
    receivers: Type.Optional(Receivers),
    continue: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Inhibition = Type.Object(
  { name: Type.Optional(Type.String()), source: Matchers, target: Matchers, equal: Type.Array(LabelName, { minItems: 1 }) },
  { additionalProperties: false },
);

const TimeRange = Type.Object(
  { start_time: Type.String({ pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' }), end_time: Type.String({ pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' }) },
  { additionalProperties: false },
);
const TimeInterval = Type.Object(
  {
    weekdays: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z]+(:[a-z]+)?$' }))),
    times: Type.Optional(Type.Array(TimeRange)),
    days_of_month: Type.Optional(Type.Array(Type.String())),
    months: Type.Optional(Type.Array(Type.String())),
    location: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const RouteTest = Type.Object(
  { name: Type.String({ minLength: 1 }), labels: Type.Record(Type.String(), Type.String(), { minProperties: 1 }), receivers: Receivers },
  { additionalProperties: false },
);

/**
 * Where the Prometheus rule files are deployed besides build/prometheus/rules: the Kubernetes
 * namespace of each file's PrometheusRule and the Mimir/Cortex ruler tenant and rule namespace
 * (build/mimir/rules/<tenant>/<namespace>.yaml). A file goes by `files:`, else by the one team
 * its rules carry (`teams:`), else by `default:`.
 */
const KubeNamespace = Type.String({
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  maxLength: 63,
  description: 'a Kubernetes namespace name (also the Mimir rule namespace)',
});
const Tenant = Type.String({
  pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$',
  maxLength: 150,
  description: 'a Mimir/Cortex tenant id (X-Scope-OrgID): letters, digits, "_", ".", "-"',
});
const Placement = Type.Object({ namespace: Type.Optional(KubeNamespace), tenant: Type.Optional(Tenant) }, { additionalProperties: false, minProperties: 1 });
export const RulePlacementSchema = Type.Object(
  {
    default: Type.Optional(Placement),
    teams: Type.Optional(Type.Record(Name, Placement)),
    files: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*$' }), Placement, {
        description: 'rule file name without .yaml, e.g. gpu.alerts.rules or gpu-inference.slo.rules',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RoutingSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('AlertRouting'),
    environments: EnvironmentOverrides('routing policy'),
    defaultReceiver: Name,
    grouping: Type.Optional(
      Type.Object(
        { by: Type.Optional(Type.Array(LabelName, { uniqueItems: true })), wait: Type.Optional(Duration), interval: Type.Optional(Duration) },
        { additionalProperties: false },
      ),
    ),
    smtp: Type.Optional(
      Type.Object(
        {
          smarthost: Type.String({ pattern: '^[^:]+:[0-9]+$' }),
          from: Type.String({ minLength: 3 }),
          auth_username: Type.Optional(Type.String()),
          auth_password_file: Type.Optional(FilePath),
          auth_password: InlineSecret,
          require_tls: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    escalation: Type.Object(
      { critical: Type.Optional(EscalationStep), warning: Type.Optional(EscalationStep), info: Type.Optional(EscalationStep) },
      { additionalProperties: false },
    ),
    timeIntervals: Type.Optional(Type.Record(Name, Type.Array(TimeInterval, { minItems: 1 }))),
    receivers: Type.Record(Name, Receiver),
    teams: Type.Record(Name, Team),
    routes: Type.Optional(Type.Array(Route)),
    inhibitions: Type.Optional(Type.Array(Inhibition)),
    tests: Type.Optional(Type.Array(RouteTest)),
    rulePlacement: Type.Optional(RulePlacementSchema),
  },
  { additionalProperties: false },
);

export { SEVERITY_KEYS };
export type RoutingSpec = Static<typeof RoutingSchema>;
export type ReceiverSpec = Static<typeof Receiver>;
export type RouteSpec = Static<typeof Route>;
export type TeamSpec = Static<typeof Team>;
export type RulePlacementSpec = Static<typeof RulePlacementSchema>;
export const ROUTING_SCHEMA_CODES = { unknownKey: 'RTE003', missingKey: 'RTE004', wrongType: 'RTE005', badValue: 'RTE006' } as const;

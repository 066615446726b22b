import { Ajv } from 'ajv';
import { Type, type Static } from '@sinclair/typebox';

const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
const LabelSet = Type.Record(Type.String({ maxLength: 1024 }), Type.String({ maxLength: 16_384 }), { maxProperties: 256 });

/** One alert of an Alertmanager webhook notification. Unknown keys are ignored, as upstream advises. */
export const WebhookAlertSchema = Type.Object({
  status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  labels: LabelSet,
  annotations: Type.Optional(LabelSet),
  startsAt: Type.String({ pattern: RFC3339 }),
  endsAt: Type.Optional(Type.String({ pattern: RFC3339 })),
  generatorURL: Type.Optional(Type.String()),
  fingerprint: Type.String({ minLength: 1, maxLength: 128 }),
});

/** Alertmanager webhook body, payload version 4 (Alertmanager 0.25 … 0.34). */
export const WebhookPayloadSchema = Type.Object({
  version: Type.Literal('4'),
  groupKey: Type.String({ maxLength: 16_384 }),
  truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  receiver: Type.String({ maxLength: 1024 }),
  groupLabels: Type.Optional(LabelSet),
  commonLabels: Type.Optional(LabelSet),
  commonAnnotations: Type.Optional(LabelSet),
  externalURL: Type.Optional(Type.String()),
  notification_reason: Type.Optional(Type.String()),
  routeLabels: Type.Optional(LabelSet),
  alerts: Type.Array(WebhookAlertSchema, { maxItems: 1000 }),
});

export type WebhookPayload = Static<typeof WebhookPayloadSchema>;
export type WebhookAlert = Static<typeof WebhookAlertSchema>;

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile<WebhookPayload>(WebhookPayloadSchema);

/**
 * Per-alert size limits: what one decision may store. A label or annotation value of at most
 * 4 KiB, and at most 16 KiB of labels and annotations (names and values, UTF-8) per alert.
 */
export const ALERT_LIMITS = { valueBytes: 4 * 1024, alertBytes: 16 * 1024 } as const;

/** Parses and validates a webhook body; the error is a short reason safe to send back, with 413 for an alert over the size limits. */
export function parseWebhookPayload(body: string): { ok: true; payload: WebhookPayload } | { ok: false; reason: string; status?: 413 } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  if (validate(value)) {
    const tooBig = oversizeAlert(value);
    return tooBig ? { ok: false, reason: tooBig, status: 413 } : { ok: true, payload: value };
  }
  const e = validate.errors?.[0];
  const where = e?.instancePath || '(body)';
  if (e?.keyword === 'const' && e.instancePath === '/version') return { ok: false, reason: 'unsupported payload version, expected "4"' };
  return { ok: false, reason: `${where}: ${e?.message ?? 'invalid'}` };
}

/** Why an alert of the payload is over `ALERT_LIMITS`, or undefined. */
function oversizeAlert(payload: WebhookPayload): string | undefined {
  for (const [i, a] of payload.alerts.entries()) {
    let total = 0;
    for (const [kind, set] of [
      ['labels', a.labels],
      ['annotations', a.annotations ?? {}],
    ] as const) {
      for (const [k, v] of Object.entries(set)) {
        const bytes = Buffer.byteLength(v, 'utf8');
        if (bytes > ALERT_LIMITS.valueBytes)
          return `/alerts/${i}/${kind}/${k.slice(0, 64)}: value is ${bytes} bytes, the limit is ${ALERT_LIMITS.valueBytes} bytes per label or annotation value`;
        total += bytes + Buffer.byteLength(k, 'utf8');
      }
    }
    if (total > ALERT_LIMITS.alertBytes)
      return `/alerts/${i}: labels and annotations are ${total} bytes, the limit is ${ALERT_LIMITS.alertBytes} bytes per alert`;
  }
  return undefined;
}

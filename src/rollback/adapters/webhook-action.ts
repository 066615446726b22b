import { createHmac } from 'node:crypto';
import { redactUrl } from '../redact-url.js';
import type { ActionContext, ActionOutcome, RollbackAction } from '../ports.js';
import { HttpClient, retryableStatus } from '../../runtime/http-client.js';
import { ACTION_HTTP } from './action-http.js';

/** Header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = 'x-vigil-signature';
/** Unix seconds the signature covers; receivers reject old ones to stop replays. */
export const TIMESTAMP_HEADER = 'x-vigil-timestamp';

/** Signs a webhook body the way `WebhookAction` does (receivers verify with the same secret). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Generic rollback webhook: POSTs `{decisionId, correlationId, reason, service, slo, environment,
 * target, rule, alert: {fingerprint, startsAt, labels}, lease?: {holder, generation}}` as JSON (what is
 * known; `lease` with leader election: receivers may refuse generations older than one they saw), HMAC-signed. 2xx is
 * success; 208 Already Reported or 409 with `{"alreadyDone": true}` means already done; the
 * decision id doubles as an idempotency key (`Idempotency-Key` header) for the receiver.
 */
export class WebhookAction implements RollbackAction {
  readonly kind = 'webhook';
  readonly target: string;
  private readonly http = new HttpClient(ACTION_HTTP);

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.target = `webhook:${redactUrl(url)}`;
  }

  async execute(ctx: ActionContext): Promise<ActionOutcome> {
    const body = JSON.stringify({
      decisionId: ctx.decisionId,
      correlationId: ctx.correlationId,
      reason: ctx.reason,
      ...ctx.subject,
      ...(ctx.fencing ? { lease: ctx.fencing } : {}),
    });
    const ts = String(Math.floor(this.now() / 1000));
    const res = await this.http.request({
      url: this.url,
      method: 'POST',
      anyStatus: true,
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(this.secret, ts, body),
        [TIMESTAMP_HEADER]: ts,
        'idempotency-key': ctx.decisionId,
        'x-correlation-id': ctx.correlationId,
      },
      body,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const where = redactUrl(this.url);
    if (res.status === 208 || (res.status === 409 && (res.body as { alreadyDone?: boolean } | undefined)?.alreadyDone === true))
      return { status: 'already-done', detail: `${where} reports it was already done` };
    if (res.status >= 200 && res.status < 300) return { status: 'success', detail: `${where} answered ${res.status}` };
    return { status: 'failed', detail: `${where} answered HTTP ${res.status}`, retryable: retryableStatus(res.status) && res.status !== 409 };
  }
}

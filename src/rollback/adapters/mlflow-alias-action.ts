import type { ActionContext, ActionOutcome, RollbackAction } from '../ports.js';
import { previousVersion, type ChampionHistory } from './champion-history.js';
import { HttpClient, retryableStatus, type HttpResponse } from '../../runtime/http-client.js';
import { ACTION_HTTP } from './action-http.js';

/** MlflowClient calls the MLflow model-registry REST API (`/api/2.0/mlflow/...`). */
export class MlflowClient {
  private readonly http: HttpClient;

  constructor(baseUrl: string, token?: string) {
    this.http = new HttpClient({ ...ACTION_HTTP, baseUrl: `${baseUrl.replace(/\/$/, '')}/api/2.0/mlflow`, ...(token ? { bearerToken: token } : {}) });
  }

  /** GET with query parameters (MLflow reads GET parameters from the query string). */
  get(route: string, query: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    const qs = new URLSearchParams(query).toString();
    return this.http.request({ url: `/${route}?${qs}`, anyStatus: true, ...(signal ? { signal } : {}) });
  }

  /** POST with a JSON body (MLflow requires Content-Type: application/json). */
  post(route: string, body: unknown, signal?: AbortSignal): Promise<HttpResponse> {
    return this.http.request({ method: 'POST', url: `/${route}`, json: body, anyStatus: true, ...(signal ? { signal } : {}) });
  }

  /** Current version behind `alias`, undefined when the alias does not exist. */
  async aliasVersion(
    model: string,
    alias: string,
    signal?: AbortSignal,
  ): Promise<{ ok: true; version: string | undefined } | { ok: false; res: HttpResponse }> {
    const res = await this.get('registered-models/alias', { name: model, alias }, signal);
    if (res.status === 404) return { ok: true, version: undefined };
    if (res.status !== 200) return { ok: false, res };
    const v = (res.body as { model_version?: { version?: string } } | undefined)?.model_version?.version;
    return { ok: true, version: v === undefined ? undefined : String(v) };
  }
}

/**
 * Moves an MLflow alias (e.g. `champion`) back to the previous version. MLflow keeps no alias
 * history, so the previous version comes from the trigger's own ChampionHistory, else from the
 * registered model's `previous_champion` tag. The move is recorded before it is made, so a
 * restart recognises it as already done.
 */
export class MlflowAliasAction implements RollbackAction {
  readonly kind = 'mlflow-alias';
  readonly target: string;
  private readonly key: string;

  constructor(
    private readonly client: MlflowClient,
    private readonly history: ChampionHistory,
    private readonly model: string,
    private readonly alias: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = `${model}@${alias}`;
    this.target = `mlflow:${this.key}`;
  }

  /** Records the alias's current version; call at start and periodically. */
  async observe(signal?: AbortSignal): Promise<string | undefined> {
    const cur = await this.client.aliasVersion(this.model, this.alias, signal);
    if (cur.ok && cur.version !== undefined) await this.history.observe(this.key, cur.version, new Date(this.now()).toISOString());
    return cur.ok ? cur.version : undefined;
  }

  async execute(ctx: ActionContext): Promise<ActionOutcome> {
    const cur = await this.client.aliasVersion(this.model, this.alias, ctx.signal);
    if (!cur.ok) return failure(`read alias ${this.key}`, cur.res);
    if (cur.version === undefined) return { status: 'failed', detail: `alias ${this.key} does not exist`, retryable: false };
    const entries = await this.history.entries(this.key);
    const mine = entries.find((e) => e.rollbackDecision === ctx.decisionId);
    if (mine && mine.version === cur.version) return { status: 'already-done', detail: `alias ${this.key} already points to version ${mine.version}` };
    const to = mine?.version ?? previousVersion(entries, cur.version) ?? (await this.tagPrevious(ctx.signal));
    if (to === undefined || to === cur.version)
      return {
        status: 'failed',
        detail: `no previous version of ${this.key} is known (current ${cur.version}); the trigger records versions it observes, or set the model tag previous_champion`,
        retryable: false,
      };
    await this.history.recordRollback(this.key, ctx.decisionId, cur.version, to, new Date(this.now()).toISOString());
    const res = await this.client.post('registered-models/alias', { name: this.model, alias: this.alias, version: to }, ctx.signal);
    if (res.status !== 200) return failure(`move alias ${this.key} to ${to}`, res);
    // Audit on the version we left; best effort, the move is what matters.
    await this.client
      .post(
        'model-versions/set-tag',
        { name: this.model, version: cur.version, key: 'vigil_rollback', value: `${ctx.decisionId}: ${ctx.reason}`.slice(0, 250) },
        ctx.signal,
      )
      .catch(() => undefined);
    return { status: 'success', detail: `alias ${this.key} moved from version ${cur.version} back to ${to}` };
  }

  private async tagPrevious(signal?: AbortSignal): Promise<string | undefined> {
    const res = await this.client.get('registered-models/get', { name: this.model }, signal);
    if (res.status !== 200) return undefined;
    const tags = (res.body as { registered_model?: { tags?: { key: string; value: string }[] } }).registered_model?.tags ?? [];
    return tags.find((t) => t.key === 'previous_champion')?.value;
  }
}

function failure(what: string, res: HttpResponse): ActionOutcome {
  const b = res.body as { error_code?: string; message?: string } | undefined;
  return {
    status: 'failed',
    detail: `${what}: HTTP ${res.status} ${b?.error_code ?? ''} ${b?.message ?? res.text.slice(0, 200)}`.trim(),
    retryable: retryableStatus(res.status),
  };
}

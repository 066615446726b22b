import { HttpClient, HttpError } from '../runtime/http-client.js';
import { withRetry, type RetryOptions } from '../runtime/retry.js';

/** A dashboard as Grafana returns it from `GET /api/dashboards/uid/:uid`. */
export interface RemoteDashboard {
  readonly dashboard: Record<string, unknown>;
  readonly meta: { readonly folderUid?: string; readonly version?: number; readonly url?: string; readonly provisioned?: boolean };
}

/** A folder from `/api/folders`. */
export interface RemoteFolder {
  readonly uid: string;
  readonly title: string;
}

/** A hit of `/api/search`. */
export interface SearchHit {
  readonly uid: string;
  readonly title: string;
  readonly type: string;
  readonly tags?: readonly string[];
  readonly folderUid?: string;
}

/** A Grafana API failure with a message a person can act on. */
export class GrafanaApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly grafanaStatus?: string,
  ) {
    super(message);
    this.name = 'GrafanaApiError';
  }
}

/** Options of the client. */
export interface GrafanaClientOptions {
  readonly url: string;
  /** Service account token (sent as a Bearer token). */
  readonly token: string;
  /** Per-request timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
  readonly retry?: Partial<Omit<RetryOptions, 'retryable'>>;
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ERR_BAD_RESPONSE']);

/** Transient: 429, 5xx, timeouts and dropped connections. A number is the server's Retry-After in ms. */
export function isTransient(err: unknown): boolean | number {
  if (!(err instanceof HttpError)) return false;
  const status = err.status;
  if (status === 429 || (status !== undefined && status >= 500)) {
    const after = Number(err.response?.headers['retry-after']);
    return Number.isFinite(after) && after > 0 ? after * 1000 : true;
  }
  return status === undefined && TRANSIENT_CODES.has(err.code ?? '');
}

/** Turns an HTTP failure into what to do about it, naming the operation. */
export function explain(err: unknown, what: string): GrafanaApiError {
  if (!(err instanceof HttpError)) return new GrafanaApiError(`${what}: ${err instanceof Error ? err.message : String(err)}`, undefined);
  const status = err.status;
  const body = (err.response?.body ?? {}) as { message?: string; status?: string };
  const said = body.message ? ` (Grafana said: ${body.message})` : '';
  switch (status) {
    case undefined:
      return new GrafanaApiError(`${what}: cannot reach Grafana: ${err.code ?? err.message}`, undefined);
    case 401:
      return new GrafanaApiError(`${what}: Grafana rejected the token (401)${said}; check --token-file holds a valid service account token`, 401);
    case 403:
      return new GrafanaApiError(
        `${what}: the token lacks permission (403)${said}; the service account needs dashboards:create/write/delete and folders:create/read on the folder (Editor role)`,
        403,
      );
    case 404:
      return new GrafanaApiError(`${what}: not found (404)${said}`, 404);
    case 412:
      if (body.status === 'name-exists')
        return new GrafanaApiError(
          `${what}: a different dashboard with the same title already exists in the folder (412 name-exists; Grafana before 11.3 requires unique titles per folder): rename one of them or move it`,
          412,
          'name-exists',
        );
      if (body.status === 'version-mismatch')
        return new GrafanaApiError(
          `${what}: the dashboard was changed in Grafana meanwhile (412 version-mismatch); run vigil diff and apply again`,
          412,
          'version-mismatch',
        );
      if (body.status === 'plugin-dashboard')
        return new GrafanaApiError(`${what}: the uid belongs to a plugin's dashboard (412 plugin-dashboard); choose another uid`, 412, 'plugin-dashboard');
      return new GrafanaApiError(`${what}: precondition failed (412)${said}`, 412, body.status);
    default:
      return new GrafanaApiError(`${what}: Grafana answered ${status}${said}`, status, body.status);
  }
}

/**
 * The slice of Grafana's HTTP API (legacy `/api`, served by Grafana 9–13) that apply needs.
 * Every call retries transient failures; saves are idempotent (upsert by uid), so a retry after
 * a lost response cannot create a duplicate.
 */
export class GrafanaClient {
  private readonly http: HttpClient;
  /** Retries done, for reports and tests. */
  retries = 0;

  constructor(private readonly o: GrafanaClientOptions) {
    this.http = new HttpClient({
      baseUrl: o.url,
      timeoutMs: o.timeoutMs ?? 10_000,
      bearerToken: o.token,
      headers: { Accept: 'application/json' },
      followRedirects: true,
    });
    // HttpClient never uses proxies from the environment: CI talks to the Grafana it was given.
  }

  private async call<T>(what: string, f: (http: HttpClient) => Promise<T>): Promise<T> {
    try {
      return await withRetry(() => f(this.http), {
        ...this.o.retry,
        retryable: isTransient,
        onRetry: () => {
          this.retries++;
        },
      });
    } catch (err) {
      throw explain(err, what);
    }
  }

  /** The dashboard with `uid`, or undefined when Grafana has none. */
  async getDashboard(uid: string): Promise<RemoteDashboard | undefined> {
    try {
      return await this.call(`get dashboard ${uid}`, async (h) => (await h.get<RemoteDashboard>(`/api/dashboards/uid/${encodeURIComponent(uid)}`)).body!);
    } catch (err) {
      if (err instanceof GrafanaApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Creates or overwrites the dashboard with the uid in `dashboard`. */
  async saveDashboard(dashboard: Record<string, unknown>, folderUid: string | undefined, message: string): Promise<{ version: number; url: string }> {
    const body = { dashboard: { ...dashboard, id: null }, ...(folderUid ? { folderUid } : {}), overwrite: true, message: message.slice(0, 500) };
    return this.call(
      `save dashboard ${String(dashboard.uid)}`,
      async (h) => (await h.post<{ version: number; url: string }>('/api/dashboards/db', { json: body })).body!,
    );
  }

  async deleteDashboard(uid: string): Promise<void> {
    try {
      await this.call(`delete dashboard ${uid}`, (h) => h.delete(`/api/dashboards/uid/${encodeURIComponent(uid)}`));
    } catch (err) {
      // Gone already (e.g. a retried delete whose first response was lost): the goal is met.
      if (err instanceof GrafanaApiError && err.status === 404) return;
      throw err;
    }
  }

  async listFolders(): Promise<RemoteFolder[]> {
    const out: RemoteFolder[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.call('list folders', async (h) => (await h.get<RemoteFolder[]>('/api/folders', { query: { limit: 1000, page } })).body!);
      out.push(...batch);
      if (batch.length < 1000) return out;
    }
  }

  /** Creates a folder; an existing one with the uid (409, e.g. a retried create) is returned. */
  async createFolder(uid: string, title: string): Promise<RemoteFolder> {
    try {
      return await this.call(
        `create folder ${JSON.stringify(title)}`,
        async (h) => (await h.post<RemoteFolder>('/api/folders', { json: { uid, title } })).body!,
      );
    } catch (err) {
      if (err instanceof GrafanaApiError && err.status === 409) {
        const existing = (await this.listFolders()).find((f) => f.uid === uid || f.title === title);
        if (existing) return existing;
      }
      throw err;
    }
  }

  /** Dashboards tagged `tag` (optionally in one folder), all pages. */
  async searchByTag(tag: string, folderUid?: string): Promise<SearchHit[]> {
    const out: SearchHit[] = [];
    const limit = 1000;
    for (let page = 1; ; page++) {
      const params: Record<string, string | number> = { type: 'dash-db', tag, limit, page };
      if (folderUid) params.folderUIDs = folderUid;
      const batch = await this.call('search dashboards', async (h) => (await h.get<SearchHit[]>('/api/search', { query: params })).body!);
      out.push(...batch);
      if (batch.length < limit) return out;
    }
  }
}

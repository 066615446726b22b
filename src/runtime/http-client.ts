import https from 'node:https';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';

/** TLS material beyond the system roots; certificates are always verified. */
export interface TlsOptions {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

/** Settings shared by every request of one client. */
export interface HttpClientOptions {
  /** Prefix for relative request URLs (a trailing `/` is dropped). */
  readonly baseUrl?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `Authorization: Bearer …` when non-empty. */
  readonly bearerToken?: string;
  /** Socket inactivity timeout in ms (default 10 000; 0: none). */
  readonly timeoutMs?: number;
  readonly tls?: TlsOptions;
  /** Largest response body read, bytes (default: no limit); a bigger one fails the request. */
  readonly maxBodyBytes?: number;
  /** Follow 3xx redirects as axios does (default false: the status is the caller's to see). */
  readonly followRedirects?: boolean;
}

/** One request. */
export interface HttpRequest {
  /** Default GET. */
  readonly method?: string;
  /** Absolute, or relative to the client's `baseUrl`. */
  readonly url: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** A raw body, sent byte for byte. */
  readonly body?: string;
  /** A body sent as JSON (`content-type: application/json` unless the headers say otherwise). */
  readonly json?: unknown;
  /** Overrides the client's timeout. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Resolve for any HTTP status (callers that judge the status themselves); default: non-2xx throws HttpError. */
  readonly anyStatus?: boolean;
}

/** A response with its text and, when the text is JSON, the parsed body. */
export interface HttpResponse<T = unknown> {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The text parsed as JSON; undefined when empty or not JSON. */
  readonly body: T | undefined;
}

/**
 * A failed request: `status` and `response` for an HTTP error status, else `code` names the
 * transport failure (ECONNREFUSED, ECONNABORTED for a timeout, ERR_CANCELED for an abort,
 * ERR_BODY_TOO_LARGE, ...).
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status?: number,
    readonly response?: HttpResponse,
  ) {
    super(message);
  }
}

/** Whether an HTTP status is worth retrying: 408, 409 (conflict), 429, 5xx. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * vigil's one HTTP client (axios underneath). Never uses proxies from the environment: vigil
 * talks to the endpoints it was given. Never retries by itself; callers wrap it in `withRetry`
 * where a retry is safe.
 */
export class HttpClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: HttpClientOptions = {}) {
    const tls = options.tls;
    this.http = axios.create({
      ...(options.baseUrl !== undefined ? { baseURL: options.baseUrl.replace(/\/+$/, '') } : {}),
      headers: { ...(options.bearerToken ? { Authorization: `Bearer ${options.bearerToken}` } : {}), ...options.headers },
      proxy: false,
      ...(options.followRedirects ? {} : { maxRedirects: 0 }),
      ...(options.maxBodyBytes !== undefined ? { maxContentLength: options.maxBodyBytes } : {}),
      ...(tls && (tls.ca || tls.cert || tls.key)
        ? {
            httpsAgent: new https.Agent({
              rejectUnauthorized: true,
              ...(tls.ca ? { ca: tls.ca } : {}),
              ...(tls.cert ? { cert: tls.cert } : {}),
              ...(tls.key ? { key: tls.key } : {}),
            }),
          }
        : {}),
      // Bodies go out exactly as given (webhook signatures cover the bytes) and come back as text.
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      responseType: 'text',
    });
  }

  /** Sends one request. */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const json = req.json !== undefined;
    const config: AxiosRequestConfig = {
      method: req.method ?? 'GET',
      url: req.url,
      timeout: timeoutMs,
      headers: { ...(json ? { 'Content-Type': 'application/json' } : {}), ...req.headers },
      ...(req.query ? { params: req.query } : {}),
      ...(json ? { data: JSON.stringify(req.json) } : req.body !== undefined ? { data: req.body } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      validateStatus: req.anyStatus ? () => true : (s) => s >= 200 && s < 300,
    };
    try {
      const res = await this.http.request<string>(config);
      return toResponse<T>(res.status, res.headers, res.data);
    } catch (err) {
      throw toHttpError(err, timeoutMs, this.options.maxBodyBytes);
    }
  }

  get<T = unknown>(url: string, req: Omit<HttpRequest, 'url' | 'method'> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...req, url, method: 'GET' });
  }

  post<T = unknown>(url: string, req: Omit<HttpRequest, 'url' | 'method'> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...req, url, method: 'POST' });
  }

  delete<T = unknown>(url: string, req: Omit<HttpRequest, 'url' | 'method'> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...req, url, method: 'DELETE' });
  }
}

function toResponse<T>(status: number, rawHeaders: Record<string, unknown>, data: unknown): HttpResponse<T> {
  const text = data === undefined || data === null ? '' : asText(data);
  let body: T | undefined;
  try {
    body = text ? (JSON.parse(text) as T) : undefined;
  } catch {
    body = undefined;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHeaders ?? {}))
    if (v !== undefined && v !== null) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : asText(v);
  return { status, headers, text, body };
}

/** A body or header value as text: strings as they are, Buffers as UTF-8, other scalars via String, anything else as JSON. */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

function toHttpError(err: unknown, timeoutMs: number, maxBodyBytes: number | undefined): HttpError {
  if (!(err instanceof AxiosError)) return new HttpError(err instanceof Error ? err.message : String(err), undefined);
  if (err.response) {
    const response = toResponse(err.response.status, err.response.headers as Record<string, unknown>, err.response.data);
    return new HttpError(`HTTP ${err.response.status}`, err.code, err.response.status, response);
  }
  if (err.code === AxiosError.ECONNABORTED && /timeout/i.test(err.message)) return new HttpError(`timeout after ${timeoutMs}ms`, err.code);
  if (err.code === AxiosError.ERR_CANCELED) return new HttpError('request aborted', err.code);
  if (/maxContentLength/.test(err.message)) return new HttpError(`response larger than ${maxBodyBytes} bytes`, 'ERR_BODY_TOO_LARGE');
  return new HttpError(err.message, err.code);
}

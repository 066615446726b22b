import http from 'node:http';
import https from 'node:https';

/** One HTTP response with its body parsed as JSON when it is JSON. */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** Options of `requestJson`. TLS is always verified; `ca` adds trusted roots. */
export interface RequestOptions {
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Largest response body read (bytes); a bigger one is cut and fails to parse. */
const MAX_RESPONSE = 8 * 1024 * 1024;

/** A small HTTP(S) client for the actions' JSON APIs (no retries here; executeRollback retries). */
export function requestJson(url: string, opts: RequestOptions): Promise<JsonResponse> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method: opts.method,
        headers: { accept: 'application/json', ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers },
        timeout: opts.timeoutMs ?? 10_000,
        ...(u.protocol === 'https:' ? { rejectUnauthorized: true, ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.cert ? { cert: opts.cert } : {}), ...(opts.key ? { key: opts.key } : {}) } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_RESPONSE) chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = undefined;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 10_000}ms`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Whether a status is worth retrying: 408, 409 (conflict), 429, 5xx. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

import type { HttpClientOptions } from '../../runtime/http-client.js';

/**
 * HTTP settings of every adapter that talks to a JSON API (Kubernetes, MLflow, webhooks,
 * Prometheus): JSON accepted, 10 s socket timeout, bodies up to 8 MiB, redirects not followed,
 * no retries here (executeRollback retries).
 */
export const ACTION_HTTP: HttpClientOptions = { headers: { accept: 'application/json' }, timeoutMs: 10_000, maxBodyBytes: 8 * 1024 * 1024 };

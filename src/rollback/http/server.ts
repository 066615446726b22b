import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { handleAlertmanagerWebhook } from '../app/handle-alertmanager-webhook.js';
import { StorageError, type RollbackTrigger } from '../app/rollback-trigger.js';
import { FORWARDED_HEADER, noopLogger, noopMetrics, type Logger, type TriggerMetrics } from '../ports.js';
import { parseWebhookPayload } from './alertmanager-payload.js';
import { bearerTokenMatches } from './bearer-auth.js';
import { limitConnections, type ConnectionLimits } from './connection-limits.js';

/** Options of the trigger's HTTP API. */
export interface RollbackServerOptions {
  readonly trigger: RollbackTrigger;
  /** Bearer token for every endpoint except /healthz and /metrics; never logged. */
  readonly token: string;
  readonly registry: Registry;
  readonly logger?: Logger;
  readonly metrics?: TriggerMetrics;
  /** Largest accepted request body in bytes (default 1 MiB); larger → 413. */
  readonly maxBodyBytes?: number;
  /** Connection count and idle limits (defaults: 1024 connections, 15 s idle). */
  readonly connections?: ConnectionLimits;
  /** With leader election: standbys answer deliveries and approvals with 503 and forward decision reads to the leader. */
  readonly role?: ReplicaRole;
}

/** This replica's place in leader election, as the HTTP API needs it. */
export interface ReplicaRole {
  readonly identity: string;
  isLeader(): boolean;
  /** The holder last seen and the API URL it advertises in the Lease. */
  leader(): { identity: string | undefined; url: string | undefined };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CORRELATION = /^[A-Za-z0-9._-]{1,64}$/;
const APPROVAL_PATH = /^\/v1\/approvals\/([A-Za-z0-9_-]{1,64})$/;

/**
 * The trigger's HTTP API on node:http. Bad input gets 400/401/404/405/413 with a reason;
 * only a storage failure (decision not durable) answers 503, which Alertmanager retries.
 */
export function createRollbackServer(opts: RollbackServerOptions): http.Server {
  const logger = opts.logger ?? noopLogger;
  const metrics = opts.metrics ?? noopMetrics;
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const server = http.createServer((req, res) => {
    const header = req.headers['x-correlation-id'];
    const correlationId = typeof header === 'string' && CORRELATION.test(header) ? header : randomUUID();
    res.setHeader('x-correlation-id', correlationId);
    route(req, res, correlationId).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof StorageError ? 503 : 500;
      const reason = err instanceof HttpError || err instanceof StorageError ? err.message : 'internal error';
      if (status >= 500) logger.error({ correlationId, path: req.url, err: err instanceof Error ? err.message : String(err) }, 'request failed');
      else logger.debug({ correlationId, path: req.url, status, reason }, 'request rejected');
      send(res, status, { error: reason, correlationId }, status === 413 || status === 401);
      if (req.url === '/v1/alertmanager') metrics.webhookRequest(status);
    });
  });
  // Slow senders: headers within 10 s, the whole request within 30 s. Silent or idle
  // connections, and how many there may be, are limitConnections' (keep-alive idles as long as
  // any connection without a request in flight).
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = opts.connections?.idleTimeoutMs ?? 15_000;
  limitConnections(server, opts.connections);

  async function route(req: http.IncomingMessage, res: http.ServerResponse, correlationId: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz') {
      allow(method, 'GET');
      return send(res, 200, { status: 'ok' });
    }
    if (url.pathname === '/readyz') {
      allow(method, 'GET');
      // The Service selects ready pods only: with leader election that is the leader.
      if (opts.role && !opts.role.isLeader())
        return send(res, 503, { status: 'standby', identity: opts.role.identity, leader: opts.role.leader().identity ?? null });
      return send(res, 200, { status: 'ready', ...(opts.role ? { identity: opts.role.identity } : {}) });
    }
    if (url.pathname === '/metrics') {
      allow(method, 'GET');
      const text = await opts.registry.metrics();
      res.writeHead(200, { 'content-type': opts.registry.contentType });
      res.end(text);
      return;
    }
    if (url.pathname === '/v1/alertmanager') {
      allow(method, 'POST');
      authenticate(req);
      const body = await readBody(req, maxBody);
      standbyRefuses('deliveries');
      const parsed = parseWebhookPayload(body);
      if (!parsed.ok) throw new HttpError(parsed.status ?? 400, parsed.reason);
      const results = await handleAlertmanagerWebhook(opts.trigger, parsed.payload, correlationId);
      logger.debug({ correlationId, groupKey: parsed.payload.groupKey, alerts: results.length }, 'webhook handled');
      metrics.webhookRequest(200);
      return send(res, 200, { correlationId, results });
    }
    if (url.pathname === '/v1/decisions') {
      allow(method, 'GET');
      authenticate(req);
      const raw = url.searchParams.get('limit');
      const limit = raw === null ? 100 : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HttpError(400, 'limit must be an integer from 1 to 10000');
      if (opts.role && !opts.role.isLeader()) return forwardToLeader(opts.role, `/v1/decisions?limit=${limit}`, req, res);
      return send(res, 200, { decisions: opts.trigger.decisions(limit) });
    }
    const approval = APPROVAL_PATH.exec(url.pathname);
    if (approval) {
      allow(method, 'POST');
      authenticate(req);
      const body = await readBody(req, 16 * 1024);
      standbyRefuses('approvals');
      const { approved, by } = parseApproval(body);
      const r = await opts.trigger.approve(approval[1]!, approved, by, correlationId);
      if (r.status === 'not-found') throw new HttpError(404, r.reason ?? 'not found');
      if (r.status === 'conflict') throw new HttpError(409, r.reason ?? 'conflict');
      return send(res, 200, { correlationId, id: approval[1], approved, by });
    }
    throw new HttpError(404, `no such endpoint ${url.pathname}`);
  }

  /** Only the leader decides: a standby answers 503 (Alertmanager retries; the Service routes to the ready leader). */
  function standbyRefuses(what: string): void {
    if (!opts.role || opts.role.isLeader()) return;
    const leader = opts.role.leader().identity;
    throw new HttpError(503, `standby: ${opts.role.identity} does not take ${what}; the leader is ${leader ?? 'not known yet'}`);
  }

  function authenticate(req: http.IncomingMessage): void {
    if (!bearerTokenMatches(req.headers.authorization, opts.token)) throw new HttpError(401, 'missing or wrong bearer token');
  }

  return server;
}

/** A standby's decision read: the leader's answer, passed through with the same credentials. */
async function forwardToLeader(role: ReplicaRole, pathAndQuery: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { identity, url } = role.leader();
  // Two standbys that each think the other leads must not bounce a request between them.
  if (req.headers[FORWARDED_HEADER] !== undefined) throw new HttpError(503, `standby: ${role.identity} is not the leader either`);
  if (!url) throw new HttpError(503, `standby: ${role.identity} cannot read decisions, the leader advertises no URL`);
  let upstream: Response;
  try {
    upstream = await fetch(`${url.replace(/\/$/, '')}${pathAndQuery}`, {
      headers: { authorization: req.headers.authorization ?? '', [FORWARDED_HEADER]: role.identity },
      redirect: 'manual',
      signal: AbortSignal.timeout(5_000),
    });
  } catch (err) {
    throw new HttpError(503, `standby: the leader ${identity ?? ''} at ${url} did not answer (${(err as Error).message})`);
  }
  res.setHeader('x-vigil-served-by', identity ?? 'leader');
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
  res.end(Buffer.from(await upstream.arrayBuffer()));
}

function allow(method: string, expected: string): void {
  if (method !== expected) throw new HttpError(405, `method ${method} not allowed, use ${expected}`);
}

function parseApproval(body: string): { approved: boolean; by: string } {
  if (body.trim() === '') return { approved: true, by: 'unknown' };
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'body must be a JSON object {"approved": true, "by": "name"}');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'approved' && k !== 'by') throw new HttpError(400, `unknown key ${JSON.stringify(k).slice(0, 80)}`);
  if (o.approved !== undefined && typeof o.approved !== 'boolean') throw new HttpError(400, 'approved must be true or false');
  if (o.by !== undefined && (typeof o.by !== 'string' || o.by.length === 0 || o.by.length > 200))
    throw new HttpError(400, 'by must be a non-empty string of at most 200 characters');
  return { approved: o.approved !== false, by: o.by ?? 'unknown' };
}

/** Reads the body as UTF-8, refusing more than `limit` bytes (413) before buffering it. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, `body larger than ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `body larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(new HttpError(400, `could not read body: ${e.message}`));
      }
    });
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

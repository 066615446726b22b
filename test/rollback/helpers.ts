import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Diagnostics } from '../../src/diagnostics.js';
import { compilePolicy, type Policy } from '../../src/rollback/policy/load-policy.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';
import type { DecisionView } from '../../src/rollback/app/decision-state.js';
import type { AlertResult } from '../../src/rollback/app/rollback-trigger.js';

export const TOKEN = 'test-token-0123456789abcdef';

/** A fresh temp dir, removed by the caller's afterEach via `cleanup`. */
export async function tempDir(prefix = 'vigil-rb-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Compiles an inline policy YAML; throws with the diagnostics when invalid. */
export function policyFrom(yaml: string): Policy {
  const diags = new Diagnostics();
  const src = parseYamlSource('policy.yaml', yaml, diags);
  const p = src && compilePolicy(src, diags);
  if (!p) throw new Error(diags.items.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n'));
  return p;
}

/** One alert of a webhook payload. */
export function alert(labels: Record<string, string>, opts: { status?: 'firing' | 'resolved'; fingerprint?: string; startsAt?: string } = {}) {
  const status = opts.status ?? 'firing';
  return {
    status,
    labels,
    annotations: { summary: 'budget burning' },
    startsAt: opts.startsAt ?? '2026-08-20T10:00:00Z',
    endsAt: status === 'resolved' ? '2026-08-20T10:30:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: opts.fingerprint ?? 'c0ffee1234abcd56',
  };
}

/** An Alertmanager v4 notification around `alerts`. */
export function payload(alerts: ReturnType<typeof alert>[], reason = 'first notification') {
  const status = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
  return {
    version: '4',
    groupKey: '{}/{severity="critical"}:{alertname="ErrorBudgetBurn"}',
    truncatedAlerts: 0,
    status,
    receiver: 'rollback-trigger',
    groupLabels: { alertname: 'ErrorBudgetBurn' },
    commonLabels: alerts[0]?.labels ?? {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    notification_reason: reason,
    alerts,
  };
}

/**
 * A JSON answer of the rollback service, as far as the tests read it: each endpoint fills some of
 * these (`POST /v1/alertmanager` results, `GET /v1/decisions` decisions, any refusal an error).
 */
export interface ServiceBody {
  correlationId?: string;
  results?: AlertResult[];
  decisions?: DecisionView[];
  error?: string;
}

/**
 * POSTs/GETs JSON with the bearer token (or `token: null` for none). The body is what the caller
 * declares it to be: a service answer by default, `call<string>` for a text endpoint (metrics).
 */
export async function call<B = ServiceBody>(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  opts: { token?: string | null; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: B; headers: Headers }> {
  const token = opts.token === undefined ? TOKEN : opts.token;
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...opts.headers },
    ...(opts.raw !== undefined ? { body: opts.raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text body (metrics)
  }
  return { status: res.status, body: parsed as B, headers: res.headers };
}

/** Starts a node:http server on a random 127.0.0.1 port. */
export async function listen(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>,
): Promise<{ url: string; server: http.Server; close: () => Promise<void> }> {
  // node:http ignores a handler's promise; so does this (a rejection stays unhandled, as it was).
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Reads a request body as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A flagd flag file with a 25% canary of v2 for model `resnet`. */
export function flagFile(): object {
  return {
    $schema: 'https://flagd.dev/schema/v0/flags.json',
    flags: {
      'model-version-resnet': {
        state: 'ENABLED',
        variants: { stable: 'resnet@1', canary: 'resnet@2' },
        defaultVariant: 'canary',
        targeting: { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'targetingKey' }] }, ['canary', 25], ['stable', 75]] },
      },
    },
  };
}

/** Polls `fn` until it returns truthy or `ms` elapse. */
export async function waitFor<T>(fn: () => T | Promise<T>, ms = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

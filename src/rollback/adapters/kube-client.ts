import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { HttpClient, type HttpResponse } from '../../runtime/http-client.js';
import { ACTION_HTTP } from './action-http.js';

/** Where and how to reach the Kubernetes API server. */
export interface KubeConnection {
  readonly server: string;
  readonly token?: string;
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Finds the API server: in-cluster service account (KUBERNETES_SERVICE_HOST + token + ca.crt),
 * else a kubeconfig (`kubeconfig` option, $KUBECONFIG, ~/.kube/config) and its current or named
 * context. TLS is verified against the cluster CA; `insecure-skip-tls-verify` is refused.
 */
export function resolveKubeConnection(opts: { kubeconfig?: string; context?: string; env?: NodeJS.ProcessEnv; saDir?: string } = {}): KubeConnection {
  const env = opts.env ?? process.env;
  const saDir = opts.saDir ?? SA_DIR;
  if (!opts.kubeconfig && env.KUBERNETES_SERVICE_HOST && fs.existsSync(path.join(saDir, 'token'))) {
    const host = env.KUBERNETES_SERVICE_HOST.includes(':') ? `[${env.KUBERNETES_SERVICE_HOST}]` : env.KUBERNETES_SERVICE_HOST;
    return {
      server: `https://${host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`,
      token: fs.readFileSync(path.join(saDir, 'token'), 'utf8').trim(),
      ca: fs.readFileSync(path.join(saDir, 'ca.crt')),
    };
  }
  const file = opts.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(env.HOME ?? '', '.kube', 'config');
  const cfg = parse(fs.readFileSync(file, 'utf8')) as KubeConfig;
  const base = path.dirname(file);
  const ctxName = opts.context ?? cfg['current-context'];
  const ctx = cfg.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`kubeconfig ${file}: context ${String(ctxName)} not found`);
  const cluster = cfg.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`kubeconfig ${file}: cluster ${ctx.cluster} has no server`);
  if (cluster['insecure-skip-tls-verify']) throw new Error(`kubeconfig ${file}: insecure-skip-tls-verify is not supported; give the cluster CA`);
  const user = cfg.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const read = (data?: string, f?: string) => (data ? Buffer.from(data, 'base64') : f ? fs.readFileSync(path.resolve(base, f)) : undefined);
  const token = user.token ?? (user.tokenFile ? fs.readFileSync(path.resolve(base, user.tokenFile), 'utf8').trim() : undefined);
  const ca = read(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = read(user['client-certificate-data'], user['client-certificate']);
  const key = read(user['client-key-data'], user['client-key']);
  return { server: cluster.server.replace(/\/$/, ''), ...(token ? { token } : {}), ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

interface KubeConfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: {
    name: string;
    cluster: { server: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean };
  }[];
  users?: {
    name: string;
    user: {
      token?: string;
      tokenFile?: string;
      'client-certificate'?: string;
      'client-certificate-data'?: string;
      'client-key'?: string;
      'client-key-data'?: string;
    };
  }[];
}

/** KubeClient sends raw requests to the API server with the connection's credentials. */
export class KubeClient {
  private readonly http: HttpClient;

  constructor(conn: KubeConnection) {
    this.http = new HttpClient({
      ...ACTION_HTTP,
      baseUrl: conn.server,
      ...(conn.token ? { bearerToken: conn.token } : {}),
      tls: { ...(conn.ca ? { ca: conn.ca } : {}), ...(conn.cert ? { cert: conn.cert } : {}), ...(conn.key ? { key: conn.key } : {}) },
    });
  }

  get(apiPath: string, signal?: AbortSignal): Promise<HttpResponse> {
    return this.request('GET', apiPath, undefined, undefined, signal);
  }

  /** PATCH with an explicit patch content type (merge-patch+json, json-patch+json). */
  patch(
    apiPath: string,
    contentType: 'application/merge-patch+json' | 'application/json-patch+json',
    body: unknown,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    return this.request('PATCH', apiPath, contentType, JSON.stringify(body), signal);
  }

  /** PUT (replace) or POST (create) a whole object as JSON. */
  send(method: 'PUT' | 'POST', apiPath: string, body: unknown, signal?: AbortSignal): Promise<HttpResponse> {
    return this.request(method, apiPath, 'application/json', JSON.stringify(body), signal);
  }

  private request(method: string, apiPath: string, contentType: string | undefined, body: string | undefined, signal?: AbortSignal): Promise<HttpResponse> {
    return this.http.request({
      method,
      url: apiPath,
      anyStatus: true,
      ...(contentType ? { headers: { 'content-type': contentType } } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}

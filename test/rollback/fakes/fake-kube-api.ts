import type http from 'node:http';
import { listen, readBody } from '../helpers.js';

/** The parts of an Argo Rollout the fake reads and writes; the rest is stored and served as given. */
export interface Rollout {
  metadata: { resourceVersion: string };
  spec: { template: unknown };
  status?: Record<string, unknown>;
}

/** The parts of a ReplicaSet the fake's label-selector list reads. */
export interface ReplicaSet {
  metadata: { namespace: string; labels?: Record<string, string> };
}

/** A JSON merge patch as the fake applies it: only `status` and `spec` are looked at. */
interface MergePatch {
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
}

/** One JSON patch operation, unchecked: the fake rejects all but `replace /spec/template`. */
interface JsonPatchOp {
  op?: unknown;
  path?: unknown;
  value?: unknown;
}

/**
 * A strict stand-in for the Kubernetes API server's Rollout and ReplicaSet endpoints: bearer
 * auth (401), known paths only (404), PATCH content types as the real server accepts them
 * (415 otherwise), merge patches on `/status` apply only to status, JSON patches must be a list
 * of operations whose paths exist (422).
 */
export async function startFakeKubeApi(opts: { token: string; statusSubresource?: boolean }) {
  const rollouts = new Map<string, Rollout>();
  const replicasets: ReplicaSet[] = [];
  const requests: { method: string; path: string; contentType: string | undefined; body: string }[] = [];
  let failNext: number[] = [];

  const srv = await listen(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, contentType: req.headers['content-type'], body });
    const send = (status: number, obj: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const status = (code: number, reason: string, message: string) =>
      send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
    if (req.headers.authorization !== `Bearer ${opts.token}`) return status(401, 'Unauthorized', 'Unauthorized');
    const injected = failNext.shift();
    if (injected) return status(injected, 'InternalError', 'injected failure');
    const ro = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/rollouts\/([^/]+)(\/status)?$/.exec(url.pathname);
    const rsList = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets$/.exec(url.pathname);
    if (ro) {
      const key = `${ro[1]}/${ro[2]}`;
      const obj = rollouts.get(key);
      if (!obj) return status(404, 'NotFound', `rollouts.argoproj.io "${ro[2]}" not found`);
      if (ro[3] && opts.statusSubresource === false) return status(404, 'NotFound', 'the server could not find the requested resource');
      if (req.method === 'GET' && !ro[3]) return send(200, obj);
      if (req.method !== 'PATCH') return status(405, 'MethodNotAllowed', 'method not allowed');
      const ct = req.headers['content-type'];
      if (ct === 'application/merge-patch+json') {
        let patch: MergePatch;
        try {
          patch = JSON.parse(body) as MergePatch;
        } catch {
          return status(400, 'BadRequest', 'invalid JSON');
        }
        if (ro[3]) {
          // The status subresource ignores everything but status.
          obj.status = { ...(obj.status ?? {}), ...(patch.status ?? {}) };
        } else {
          if (patch.status) obj.status = { ...(obj.status ?? {}), ...patch.status };
          if (patch.spec) obj.spec = { ...obj.spec, ...patch.spec };
        }
        obj.metadata.resourceVersion = String(Number(obj.metadata.resourceVersion) + 1);
        return send(200, obj);
      }
      if (ct === 'application/json-patch+json') {
        let ops: unknown;
        try {
          ops = JSON.parse(body);
        } catch {
          return status(400, 'BadRequest', 'invalid JSON');
        }
        if (!Array.isArray(ops)) return status(422, 'Invalid', 'json patch must be a list of operations');
        for (const op of ops as JsonPatchOp[]) {
          if (op.op !== 'replace' || op.path !== '/spec/template' || op.value === undefined)
            return status(422, 'Invalid', `unsupported operation ${JSON.stringify(op)}`);
          obj.spec.template = op.value;
        }
        return send(200, obj);
      }
      return status(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
    }
    if (rsList && req.method === 'GET') {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const want = selector ? selector.split(',').map((p) => p.split('=')) : [];
      const items = replicasets.filter((rs) => rs.metadata.namespace === rsList[1] && want.every(([k, v]) => rs.metadata.labels?.[k!] === v));
      return send(200, { kind: 'ReplicaSetList', apiVersion: 'apps/v1', items });
    }
    return status(404, 'NotFound', 'the server could not find the requested resource');
  });
  return {
    ...srv,
    rollouts,
    replicasets,
    requests,
    /** The next requests answer these statuses (e.g. [503, 503]). */
    failNext(statuses: number[]) {
      failNext = [...statuses];
    },
  };
}

export type FakeKubeApi = Awaited<ReturnType<typeof startFakeKubeApi>>;
export type { http };

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One stored Lease (what the API server would return). */
export interface StoredLease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion: string; uid: string; creationTimestamp: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** A write the fake accepted or refused, for assertions. */
export interface LeaseWrite {
  readonly method: 'POST' | 'PUT';
  readonly at: number;
  readonly status: number;
  readonly holder: unknown;
  readonly transitions: unknown;
}

const PATH = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([a-z0-9-]+)\/leases(?:\/([a-z0-9.-]+))?$/;
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * An in-process stand-in for the part of the Kubernetes API that leader election uses: GET, POST
 * and PUT of coordination.k8s.io/v1 Leases. Strict where the real server is: a bearer token is
 * required, PUT must carry the current metadata.resourceVersion (stale → 409 Conflict, missing →
 * 409 as well, since the elector never means an unconditional update), a POST of an existing
 * name is 409 AlreadyExists, spec fields are type-checked (422 Invalid), and every write gets a
 * new resourceVersion.
 */
export async function startFakeLeaseApi(token: string) {
  const leases = new Map<string, StoredLease>();
  const writes: LeaseWrite[] = [];
  let version = 1000;
  let uid = 0;
  const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (code: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.headers.authorization !== `Bearer ${token}`) return reply(401, status(401, 'Unauthorized', 'Unauthorized'));
      const m = PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
      if (!m) return reply(404, status(404, 'NotFound', `no route ${req.url}`));
      const [, ns, name] = m;
      const method = req.method ?? 'GET';
      if (method === 'GET' && name) {
        const lease = leases.get(`${ns}/${name}`);
        return lease ? reply(200, lease) : reply(404, status(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`));
      }
      if (method !== 'POST' && method !== 'PUT') return reply(405, status(405, 'MethodNotAllowed', `${method} is not supported`));
      if (req.headers['content-type'] !== 'application/json') return reply(415, status(415, 'UnsupportedMediaType', 'want application/json'));
      let body: { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return reply(400, status(400, 'BadRequest', 'body is not JSON'));
      }
      const record = (code: number) =>
        writes.push({ method, at: Date.now(), status: code, holder: body.spec?.holderIdentity, transitions: body.spec?.leaseTransitions });
      const invalid = validate(body, ns!, name);
      if (invalid) {
        record(422);
        return reply(422, status(422, 'Invalid', invalid));
      }
      const leaseName = String(body.metadata!.name);
      const key = `${ns}/${leaseName}`;
      const existing = leases.get(key);
      if (method === 'POST') {
        if (name) return reply(405, status(405, 'MethodNotAllowed', 'POST to the collection'));
        if (existing) {
          record(409);
          return reply(409, status(409, 'AlreadyExists', `leases.coordination.k8s.io "${leaseName}" already exists`));
        }
        const lease: StoredLease = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: leaseName,
            namespace: ns!,
            resourceVersion: String(++version),
            uid: `uid-${++uid}`,
            creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            ...(body.metadata!.annotations ? { annotations: body.metadata!.annotations as Record<string, string> } : {}),
          },
          spec: body.spec ?? {},
        };
        leases.set(key, lease);
        record(201);
        return reply(201, lease);
      }
      if (!name) return reply(405, status(405, 'MethodNotAllowed', 'PUT to an item'));
      if (!existing) {
        record(404);
        return reply(404, status(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`));
      }
      if (body.metadata!.resourceVersion !== existing.metadata.resourceVersion) {
        record(409);
        return reply(
          409,
          status(
            409,
            'Conflict',
            `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          ),
        );
      }
      const lease: StoredLease = {
        ...existing,
        metadata: {
          ...existing.metadata,
          resourceVersion: String(++version),
          ...(body.metadata!.annotations ? { annotations: body.metadata!.annotations as Record<string, string> } : {}),
        },
        spec: body.spec ?? {},
      };
      if (!body.metadata!.annotations) delete lease.metadata.annotations;
      leases.set(key, lease);
      record(200);
      return reply(200, lease);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    writes,
    lease: (ns: string, name: string) => leases.get(`${ns}/${name}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The checks the API server's validation makes on a Lease write, as far as the elector's fields go. */
function validate(
  body: { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown>; spec?: Record<string, unknown> },
  ns: string,
  name?: string,
): string | undefined {
  if (body.apiVersion !== 'coordination.k8s.io/v1' || body.kind !== 'Lease') return 'apiVersion/kind must be coordination.k8s.io/v1 Lease';
  if (typeof body.metadata !== 'object' || body.metadata === null || typeof body.metadata.name !== 'string') return 'metadata.name: Required value';
  if (name !== undefined && body.metadata.name !== name) return `metadata.name: Invalid value: "${String(body.metadata.name)}": must match the name in the URL`;
  if (body.metadata.namespace !== undefined && body.metadata.namespace !== ns) return 'metadata.namespace: does not match the namespace of the request';
  const spec = body.spec ?? {};
  const known = ['holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime', 'leaseTransitions', 'strategy', 'preferredHolder'];
  for (const k of Object.keys(spec)) if (!known.includes(k)) return `spec.${k}: unknown field`;
  if (spec.holderIdentity !== undefined && typeof spec.holderIdentity !== 'string') return 'spec.holderIdentity: must be a string';
  for (const k of ['leaseDurationSeconds', 'leaseTransitions'])
    if (spec[k] !== undefined && !(Number.isInteger(spec[k]) && (spec[k] as number) >= 0 && (spec[k] as number) < 2 ** 31))
      return `spec.${k}: must be an int32 ≥ 0`;
  if (spec.leaseDurationSeconds === 0) return 'spec.leaseDurationSeconds: must be greater than 0';
  for (const k of ['acquireTime', 'renewTime'])
    if (spec[k] !== undefined && !(typeof spec[k] === 'string' && MICRO_TIME.test(spec[k])))
      return `spec.${k}: must be a MicroTime (RFC 3339, 6 fractional digits)`;
  return undefined;
}

import type { LeaseObject, LeaseStore } from '../ports.js';
import type { KubeClient } from './kube-client.js';

/** LeaseStore on the Kubernetes API: GET, POST (create) and PUT (update) of one coordination.k8s.io/v1 Lease. */
export class KubeLeaseStore implements LeaseStore {
  private readonly collection: string;
  private readonly item: string;

  constructor(
    private readonly kube: Pick<KubeClient, 'get' | 'send'>,
    readonly namespace: string,
    readonly name: string,
  ) {
    this.collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
    this.item = `${this.collection}/${encodeURIComponent(name)}`;
  }

  async get(signal?: AbortSignal): Promise<LeaseObject | undefined> {
    const res = await this.kube.get(this.item, signal);
    if (res.status === 404) return undefined;
    return this.expect(res.status, res.body, 'GET');
  }

  async create(lease: LeaseObject, signal?: AbortSignal): Promise<LeaseObject | 'conflict'> {
    const res = await this.kube.send('POST', this.collection, withKind(lease), signal);
    // 409 AlreadyExists: another replica created it first; the next round reads it.
    if (res.status === 409) return 'conflict';
    return this.expect(res.status, res.body, 'POST');
  }

  async update(lease: LeaseObject, signal?: AbortSignal): Promise<LeaseObject | 'conflict'> {
    const res = await this.kube.send('PUT', this.item, withKind(lease), signal);
    // 409 Conflict: the resourceVersion was stale, someone else wrote the lease since we read it.
    if (res.status === 409) return 'conflict';
    return this.expect(res.status, res.body, 'PUT');
  }

  private expect(status: number, body: unknown, method: string): LeaseObject {
    if (status < 200 || status >= 300) {
      const message = (body as { message?: unknown } | undefined)?.message;
      throw new Error(`${method} lease ${this.namespace}/${this.name}: HTTP ${status}${typeof message === 'string' ? `: ${message}` : ''}`);
    }
    const lease = body as LeaseObject | undefined;
    if (!lease?.metadata || typeof lease.spec !== 'object') throw new Error(`${method} lease ${this.namespace}/${this.name}: the answer is not a Lease`);
    return lease;
  }
}

function withKind(lease: LeaseObject): LeaseObject {
  return { ...lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
}

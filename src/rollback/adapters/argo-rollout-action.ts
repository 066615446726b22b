import type { ActionContext, ActionOutcome, RollbackAction } from '../ports.js';
import { retryableStatus, type HttpResponse } from '../../runtime/http-client.js';
import type { KubeClient } from './kube-client.js';

const GROUP = '/apis/argoproj.io/v1alpha1';
const REVISION = 'rollout.argoproj.io/revision';
const HASH_LABEL = 'rollouts-pod-template-hash';

/**
 * Argo Rollouts abort or undo through the Kubernetes API, as `kubectl argo rollouts` does:
 * abort = JSON merge patch `{"status":{"abort":true}}` on the status subresource (falling back
 * to the main resource for CRDs without it); undo = JSON patch replacing `/spec/template` with
 * the pod template of the previous revision's ReplicaSet. Under GitOps self-heal prefer abort
 * and revert in Git: an undo is put back by the sync.
 */
export class ArgoRolloutAction implements RollbackAction {
  readonly kind: string;
  readonly target: string;

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    private readonly name: string,
    private readonly operation: 'abort' | 'undo',
  ) {
    this.kind = `argo-${operation}`;
    this.target = `argo:${namespace}/${name}`;
  }

  private get path(): string {
    return `${GROUP}/namespaces/${encodeURIComponent(this.namespace)}/rollouts/${encodeURIComponent(this.name)}`;
  }

  async execute(ctx: ActionContext): Promise<ActionOutcome> {
    const got = await this.kube.get(this.path, ctx.signal);
    if (got.status !== 200) return failure(`get rollout ${this.namespace}/${this.name}`, got);
    const rollout = got.body as Rollout;
    return this.operation === 'abort' ? this.abort(rollout, ctx) : this.undo(rollout, ctx);
  }

  private async abort(rollout: Rollout, ctx: ActionContext): Promise<ActionOutcome> {
    if (rollout.status?.abort === true) return { status: 'already-done', detail: `rollout ${this.namespace}/${this.name} is already aborted` };
    const patch = { status: { abort: true } };
    let res = await this.kube.patch(`${this.path}/status`, 'application/merge-patch+json', patch, ctx.signal);
    if (res.status === 404) res = await this.kube.patch(this.path, 'application/merge-patch+json', patch, ctx.signal);
    if (res.status !== 200) return failure(`abort rollout ${this.namespace}/${this.name}`, res);
    return {
      status: 'success',
      detail: `rollout ${this.namespace}/${this.name} aborted; traffic returns to stable (spec still names the new version: revert it in Git)`,
    };
  }

  private async undo(rollout: Rollout, ctx: ActionContext): Promise<ActionOutcome> {
    const uid = rollout.metadata?.uid;
    const selector = rollout.spec?.selector?.matchLabels ?? {};
    const labelSelector = Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const list = await this.kube.get(
      `/apis/apps/v1/namespaces/${encodeURIComponent(this.namespace)}/replicasets${labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : ''}`,
      ctx.signal,
    );
    if (list.status !== 200) return failure(`list replicasets of ${this.namespace}/${this.name}`, list);
    const owned = ((list.body as { items?: ReplicaSet[] }).items ?? [])
      .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid && o.controller === true))
      .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION] ?? NaN) }))
      .filter((x) => Number.isFinite(x.revision))
      .sort((a, b) => b.revision - a.revision);
    const current = Number(rollout.metadata?.annotations?.[REVISION] ?? owned[0]?.revision ?? NaN);
    const previous = owned.find((x) => x.revision < current);
    if (!previous)
      return { status: 'failed', detail: `rollout ${this.namespace}/${this.name} has no revision before ${current} to go back to`, retryable: false };
    const template = structuredClone<PodTemplate>(previous.rs.spec?.template ?? {});
    if (template.metadata?.labels) delete template.metadata.labels[HASH_LABEL];
    if (canonical(template) === canonical(rollout.spec?.template ?? {})) {
      return { status: 'already-done', detail: `rollout ${this.namespace}/${this.name} already runs the template of revision ${previous.revision}` };
    }
    const res = await this.kube.patch(this.path, 'application/json-patch+json', [{ op: 'replace', path: '/spec/template', value: template }], ctx.signal);
    if (res.status !== 200) return failure(`undo rollout ${this.namespace}/${this.name}`, res);
    return { status: 'success', detail: `rollout ${this.namespace}/${this.name} set back to the template of revision ${previous.revision}` };
  }
}

function failure(what: string, res: HttpResponse): ActionOutcome {
  const message = (res.body as { message?: string } | undefined)?.message ?? res.text.slice(0, 200);
  return { status: 'failed', detail: `${what}: HTTP ${res.status} ${message}`, retryable: retryableStatus(res.status) };
}

/** JSON with sorted keys, so equal templates compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}
interface Rollout {
  metadata?: { uid?: string; annotations?: Record<string, string> };
  spec?: { selector?: { matchLabels?: Record<string, string> }; template?: PodTemplate };
  status?: { abort?: boolean };
}
interface ReplicaSet {
  metadata?: { annotations?: Record<string, string>; ownerReferences?: { uid: string; controller?: boolean }[] };
  spec?: { template?: PodTemplate };
}

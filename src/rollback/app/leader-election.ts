import { noopLogger, type Clock, type Fence, type FencingToken, type LeaseObject, type LeaseStore, type Logger } from '../ports.js';

/** Timings of leader election, in ms; the defaults are client-go's (15 s / 10 s / 2 s). */
export interface LeaseTimings {
  /** How long a standby waits after it last saw the lease change before taking it over. */
  readonly leaseDurationMs: number;
  /** A leader that has not renewed for this long stops acting and steps down (< leaseDurationMs). */
  readonly renewDeadlineMs: number;
  /** How often a candidate tries to acquire, and the leader renews (about leaseDuration / 3 or less). */
  readonly retryPeriodMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** Annotation on the Lease carrying the leader's API URL, so standbys can forward reads to it. */
export const LEADER_URL_ANNOTATION = 'vigil.dev/leader-url';

/** What a LeaderElector needs. */
export interface LeaderElectorDeps {
  readonly store: LeaseStore;
  readonly namespace: string;
  readonly name: string;
  /** This replica's holderIdentity (the pod name in Kubernetes). */
  readonly identity: string;
  /** This replica's API URL, written into the Lease while it leads. */
  readonly advertiseUrl?: string;
  readonly timings?: LeaseTimings;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Called when this replica starts leading (with its generation) and when it stops. */
  readonly onStartedLeading?: (token: FencingToken) => void;
  readonly onStoppedLeading?: () => void;
}

/** Checks `leaseDuration > renewDeadline > 1.2 × retryPeriod > 0`, as client-go does. */
export function leaseTimingsProblem(t: LeaseTimings): string | undefined {
  if (!(t.retryPeriodMs > 0)) return 'the retry period must be positive';
  if (!(t.renewDeadlineMs > 1.2 * t.retryPeriodMs)) return 'the renew deadline must exceed 1.2 × the retry period';
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) return 'the lease duration must exceed the renew deadline';
  return undefined;
}

/** MicroTime: RFC 3339 in UTC with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go's LeaseLock: the leader
 * renews every retry period with the object it last wrote (a stale resourceVersion is a 409);
 * a candidate takes the lease over once it has seen no change for the lease duration (judged on
 * its own clock, so clock skew between pods does not matter) and bumps `leaseTransitions`, which
 * is the generation every action carries. A leader that could not renew within the renew
 * deadline stops acting at once, before any standby may take over.
 */
export class LeaderElector implements Fence {
  private readonly timings: LeaseTimings;
  private readonly logger: Logger;
  private readonly clock: Clock;
  /** The lease as last read or written, and when (local clock) it last changed. */
  private observed: { lease: LeaseObject; at: number } | undefined;
  /** While leading: the generation, and when the last successful renew was sent. */
  private leading: { generation: number; renewedAt: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(private readonly deps: LeaderElectorDeps) {
    this.timings = deps.timings ?? DEFAULT_LEASE_TIMINGS;
    this.logger = (deps.logger ?? noopLogger).child({ lease: `${deps.namespace}/${deps.name}`, identity: deps.identity });
    this.clock = deps.clock ?? Date.now;
  }

  get identity(): string {
    return this.deps.identity;
  }

  /** Starts trying to acquire (first round at once). */
  start(): void {
    const loop = () => {
      if (this.stop.signal.aborted) return;
      this.round = this.tryAcquireOrRenew().finally(() => {
        // Candidates jitter their retries (up to +20 %) so replicas do not collide each round.
        const delay = this.timings.retryPeriodMs * (this.leading ? 1 : 1 + 0.2 * Math.random());
        if (!this.stop.signal.aborted) this.timer = setTimeout(loop, delay);
      });
    };
    loop();
  }

  /** True while this replica leads and renewed within the renew deadline (local clock, no I/O). */
  isLeader(): boolean {
    return this.leading !== undefined && this.clock() - this.leading.renewedAt < this.timings.renewDeadlineMs;
  }

  /** The current holder as last observed, and its advertised URL. */
  leader(): { identity: string | undefined; url: string | undefined } {
    const lease = this.observed?.lease;
    return { identity: lease?.spec.holderIdentity || undefined, url: lease?.metadata.annotations?.[LEADER_URL_ANNOTATION] };
  }

  /**
   * Fencing: right before an action, reads the Lease and answers the token only if this replica
   * is still its holder under the same generation and within its renew deadline.
   */
  async check(signal?: AbortSignal): Promise<FencingToken | undefined> {
    const mine = this.leading;
    if (!mine || !this.isLeader()) return undefined;
    let lease: LeaseObject | undefined;
    try {
      lease = await this.deps.store.get(signal);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot read the lease before acting; not acting');
      return undefined;
    }
    const still = lease?.spec.holderIdentity === this.deps.identity && (lease.spec.leaseTransitions ?? 0) === mine.generation;
    if (!still) {
      this.logger.warn({ holder: lease?.spec.holderIdentity, generation: lease?.spec.leaseTransitions, mine: mine.generation }, 'lease lost; not acting');
      if (lease) this.observe(lease);
      this.stepDown('the lease has another holder or generation');
      return undefined;
    }
    // The read took time: the deadline must still hold after it.
    return this.isLeader() && this.leading === mine ? { holder: this.deps.identity, generation: mine.generation } : undefined;
  }

  /** Stops the loop; a leader releases the lease (empty holder, 1 s) so a standby takes over at once. */
  async close(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
    if (!this.leading) return;
    this.stepDown('shutting down');
    // A renew aborted mid-flight may have landed: on a conflict, re-read and retry while it is ours.
    let lease = this.observed?.lease;
    for (let attempt = 0; attempt < 3 && lease?.spec.holderIdentity === this.deps.identity; attempt++) {
      try {
        const released = await this.deps.store.update({
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.clock()) },
        });
        if (released !== 'conflict') return;
        lease = await this.deps.store.get();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'could not release the lease');
        return;
      }
    }
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const sentAt = this.clock();
    try {
      if (this.leading && this.observed) {
        // Fast path: renew with the object we last wrote; a 409 means someone else wrote since.
        if (this.isLeader() && (await this.write(this.renewed(this.observed.lease, sentAt), sentAt))) return;
      }
      const lease = await this.deps.store.get(this.stop.signal);
      if (!lease) {
        const created = await this.deps.store.create(this.fresh(sentAt, 0), this.stop.signal);
        if (created !== 'conflict') this.acquired(created, sentAt);
        return;
      }
      this.observe(lease);
      const holder = lease.spec.holderIdentity;
      const durationMs = (lease.spec.leaseDurationSeconds ?? this.timings.leaseDurationMs / 1000) * 1000;
      if (holder && holder !== this.deps.identity && this.clock() < this.observed!.at + durationMs) {
        if (this.leading) this.stepDown(`${holder} holds the lease`);
        return;
      }
      const next =
        holder === this.deps.identity && this.leading
          ? this.renewed(lease, sentAt)
          : {
              ...lease,
              metadata: this.metadata(lease),
              spec: {
                holderIdentity: this.deps.identity,
                leaseDurationSeconds: Math.ceil(this.timings.leaseDurationMs / 1000),
                acquireTime: microTime(sentAt),
                renewTime: microTime(sentAt),
                leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1,
              },
            };
      await this.write(next, sentAt);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'lease round failed');
    } finally {
      if (this.leading && !this.isLeader()) this.stepDown('could not renew within the renew deadline');
    }
  }

  /** Writes the lease; true when it is ours now. */
  private async write(next: LeaseObject, sentAt: number): Promise<boolean> {
    const written = await this.deps.store.update(next, this.stop.signal);
    if (written === 'conflict') return false;
    this.acquired(written, sentAt);
    return true;
  }

  private acquired(lease: LeaseObject, sentAt: number): void {
    this.observe(lease);
    const generation = lease.spec.leaseTransitions ?? 0;
    if (this.leading && this.leading.generation === generation) {
      this.leading.renewedAt = sentAt;
      return;
    }
    if (this.leading) this.stepDown('the lease generation changed');
    this.leading = { generation, renewedAt: sentAt };
    this.logger.info({ generation }, 'started leading');
    this.deps.onStartedLeading?.({ holder: this.deps.identity, generation });
  }

  private stepDown(reason: string): void {
    if (!this.leading) return;
    this.logger.warn({ generation: this.leading.generation, reason }, 'stopped leading');
    this.leading = undefined;
    this.deps.onStoppedLeading?.();
  }

  private observe(lease: LeaseObject): void {
    if (this.observed?.lease.metadata.resourceVersion !== lease.metadata.resourceVersion || !this.observed) this.observed = { lease, at: this.clock() };
    else this.observed = { lease, at: this.observed.at };
  }

  private renewed(lease: LeaseObject, now: number): LeaseObject {
    return { ...lease, metadata: this.metadata(lease), spec: { ...lease.spec, renewTime: microTime(now) } };
  }

  private fresh(now: number, transitions: number): LeaseObject {
    return {
      metadata: this.metadata({ metadata: { name: this.deps.name, namespace: this.deps.namespace } }),
      spec: {
        holderIdentity: this.deps.identity,
        leaseDurationSeconds: Math.ceil(this.timings.leaseDurationMs / 1000),
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: transitions,
      },
    };
  }

  private metadata(lease: Pick<LeaseObject, 'metadata'>): LeaseObject['metadata'] {
    const annotations = { ...lease.metadata.annotations };
    if (this.deps.advertiseUrl) annotations[LEADER_URL_ANNOTATION] = this.deps.advertiseUrl;
    else delete annotations[LEADER_URL_ANNOTATION];
    return { ...lease.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) };
  }
}

import fs from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ChampionHistory } from './adapters/champion-history.js';
import { createActionFactory } from './adapters/action-factory.js';
import { DEFAULT_DECISION_RETENTION_MS, FileDecisionLog } from './adapters/file-decision-log.js';
import { checkDecisionRetention } from './app/decision-retention.js';
import { KubeClient, resolveKubeConnection } from './adapters/kube-client.js';
import { MlflowAliasAction, MlflowClient } from './adapters/mlflow-alias-action.js';
import { PrometheusHttpQuery } from './adapters/prometheus-http-query.js';
import { createPromMetrics } from './adapters/prom-metrics.js';
import { BurnRatePoller } from './app/poll-burn-rates.js';
import { RollbackTrigger } from './app/rollback-trigger.js';
import { createRollbackServer } from './http/server.js';
import { KubeLeaseStore } from './adapters/kube-lease-store.js';
import { fenceActions } from './app/fenced-actions.js';
import { DEFAULT_LEASE_TIMINGS, LeaderElector, type LeaseTimings } from './app/leader-election.js';
import { LeaderDecisions } from './adapters/leader-decisions.js';
import type { ConnectionLimits } from './http/connection-limits.js';
import type { Policy } from './policy/load-policy.js';
import { UserError } from '../diagnostics.js';
import { parseDurationMs } from '../runtime/duration.js';
import { noopLogger, type ActionFactory, type LeaseStore, type Logger } from './ports.js';

/** Everything `vigil rollback serve` needs, already validated. */
export interface ServeOptions {
  readonly policy: Policy;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token: string;
  readonly stateDir: string;
  readonly logger?: Logger;
  readonly registry?: Registry;
  /** Overrides the adapters built from the policy (tests). */
  readonly actions?: ActionFactory;
  /** Set false to ignore the policy's `poll:` section (default true). */
  readonly poll?: boolean;
  readonly maxBodyBytes?: number;
  readonly fsync?: boolean;
  /** Connection count and idle limits of the HTTP API (defaults: 1024 connections, 15 s idle). */
  readonly connections?: ConnectionLimits;
  /** How long decisions are kept (ms, default 30 days); at least the policy's longest cooldown. */
  readonly decisionRetentionMs?: number;
  /** Leader election: only the holder of this Lease decides and acts; the others are standbys. */
  readonly ha?: HaOptions;
}

/** Where the Lease is and who this replica is. */
export interface HaOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** This replica's API URL as other replicas reach it (standbys forward decision reads to the leader's). */
  readonly advertiseUrl?: string;
  readonly timings?: LeaseTimings;
  /** Overrides the Kubernetes API adapter (tests). */
  readonly store?: LeaseStore;
}

/** A running trigger service. */
export interface RunningService {
  readonly url: string;
  readonly trigger: RollbackTrigger;
  readonly server: http.Server;
  readonly log: FileDecisionLog;
  /** With `ha`: the elector. */
  readonly elector?: LeaderElector;
  close(): Promise<void>;
}

/** Wires policy, state dir, adapters and HTTP server together and starts listening. */
export async function startRollbackService(opts: ServeOptions): Promise<RunningService> {
  const logger = opts.logger ?? noopLogger;
  const registry = opts.registry ?? new Registry();
  const metrics = createPromMetrics(registry);
  const doc = opts.policy.document;
  const retentionMs = opts.decisionRetentionMs ?? DEFAULT_DECISION_RETENTION_MS;
  const retentionProblem = checkDecisionRetention(opts.policy, retentionMs);
  if (retentionProblem) throw new UserError(`decision retention ${retentionProblem}`);
  // Every file the trigger needs is checked before the decision log is opened or a port taken.
  const mlflowToken = doc.mlflow?.tokenFile ? await readSecret(doc.mlflow.tokenFile, 'mlflow.tokenFile', opts.policy.file) : undefined;
  const webhookSecret = doc.webhook ? await readSecret(doc.webhook.secretFile, 'webhook.secretFile', opts.policy.file) : undefined;
  const log = await openStateDir(opts.stateDir, () =>
    FileDecisionLog.open(opts.stateDir, { logger, retentionMs, ...(opts.fsync === false ? { fsync: false } : {}) }),
  );
  const history = ChampionHistory.inStateDir(opts.stateDir);
  const mlflow = doc.mlflow ? new MlflowClient(doc.mlflow.url, mlflowToken) : undefined;
  let kube: KubeClient | undefined;
  const kubeClient = () =>
    (kube ??= new KubeClient(
      resolveKubeConnection({
        ...(doc.kubernetes?.kubeconfig ? { kubeconfig: doc.kubernetes.kubeconfig } : {}),
        ...(doc.kubernetes?.context ? { context: doc.kubernetes.context } : {}),
      }),
    ));
  // The elector is built before the trigger it resumes once this replica leads.
  const late: { trigger?: RollbackTrigger } = {};
  const elector = opts.ha ? createElector(opts.ha, () => late.trigger?.resumePending(), kubeClient, logger) : undefined;
  const unfenced =
    opts.actions ??
    createActionFactory({
      kube: kubeClient,
      ...(mlflow ? { mlflow } : {}),
      championHistory: history,
      ...(webhookSecret !== undefined ? { webhookSecret } : {}),
    });
  const actions = elector ? fenceActions(unfenced, elector) : unfenced;
  const trigger = new RollbackTrigger({ policy: opts.policy, log, actions, logger, metrics, retentionMs, ...(elector ? { resumeOnStart: false } : {}) });
  late.trigger = trigger;
  await trigger.start();
  const active = trigger;

  const stop = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  // MLflow keeps no alias history: observe fixed (untemplated) aliases so a rollback knows the version before.
  if (mlflow) {
    const watched = Object.values(doc.targets).flatMap((t) =>
      t.mlflowAlias && !t.mlflowAlias.model.includes('{{') && !t.mlflowAlias.alias.includes('{{')
        ? [new MlflowAliasAction(mlflow, history, t.mlflowAlias.model, t.mlflowAlias.alias)]
        : [],
    );
    const observe = () =>
      Promise.all(
        watched.map((a) =>
          a.observe(stop.signal).catch((err: unknown) => logger.warn({ target: a.target, err: (err as Error).message }, 'could not observe MLflow alias')),
        ),
      );
    if (watched.length) {
      void observe();
      timers.push(setInterval(() => void observe(), 60_000).unref());
    }
  }
  if (doc.poll && opts.poll !== false) {
    const poller = new BurnRatePoller(opts.policy.pollChecks, new PrometheusHttpQuery(doc.poll.prometheusUrl), metrics);
    let busy = false;
    const tick = async () => {
      if (busy || (elector && !elector.isLeader())) return;
      busy = true;
      try {
        const correlationId = `poll-${Date.now().toString(36)}`;
        for (const alert of await poller.poll(stop.signal)) await active.handleAlert(alert, correlationId);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'poll round failed');
      } finally {
        busy = false;
      }
    };
    timers.push(setInterval(() => void tick(), parseDurationMs(doc.poll.interval ?? '30s')).unref());
  }

  if (elector) timers.push(startDecisionSync(elector, active, new LeaderDecisions(opts.token, elector.identity), opts.ha!, logger, stop.signal));

  const server = createRollbackServer({
    trigger: active,
    ...(elector ? { role: elector } : {}),
    token: opts.token,
    registry,
    logger,
    metrics,
    ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}),
    ...(opts.connections ? { connections: opts.connections } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      void log.close();
      reject(new UserError(`cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}`));
    });
    // A deep accept queue: a burst of hostile connects must not leave real clients waiting in it.
    server.listen({ port: opts.port, host: opts.host, backlog: 4096 }, () => resolve());
  });
  elector?.start();
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  logger.info({ url, policy: opts.policy.file, stateDir: opts.stateDir }, 'rollback trigger listening');
  return {
    url,
    trigger: active,
    server,
    log,
    ...(elector ? { elector } : {}),
    async close() {
      stop.abort();
      for (const t of timers) clearInterval(t);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await active.close();
      await elector?.close();
      await log.close();
    },
  };
}

/** Decisions a standby copies from the leader per sync (newest first). */
const SYNC_LIMIT = 1000;

/**
 * Standby replication: every 2.5 retry periods (5 s by default) a standby copies the leader's
 * newest decisions into its own log, so that after a failover the new leader knows them.
 */
function startDecisionSync(
  elector: LeaderElector,
  trigger: RollbackTrigger,
  source: LeaderDecisions,
  ha: HaOptions,
  logger: Logger,
  signal: AbortSignal,
): NodeJS.Timeout {
  let busy = false;
  const sync = async () => {
    const { url } = elector.leader();
    if (busy || elector.isLeader() || !url || url === ha.advertiseUrl) return;
    busy = true;
    try {
      const views = await source.fetch(url, SYNC_LIMIT, signal);
      // Leadership may have come to us while the read was in flight: the leader's log is ours then.
      if (!elector.isLeader()) {
        const written = await trigger.replicate(views);
        if (written > 0) logger.debug({ leader: url, events: written }, 'replicated decisions from the leader');
      }
    } catch (err) {
      logger.debug({ leader: url, err: (err as Error).message }, 'could not replicate decisions from the leader');
    } finally {
      busy = false;
    }
  };
  return setInterval(() => void sync(), 2.5 * (ha.timings ?? DEFAULT_LEASE_TIMINGS).retryPeriodMs).unref();
}

/** The elector of `--ha-lease`, on the policy's Kubernetes connection unless a store is given. */
function createElector(ha: HaOptions, onLeading: () => void, kube: () => KubeClient, logger: Logger): LeaderElector {
  let store = ha.store;
  if (!store) {
    try {
      store = new KubeLeaseStore(kube(), ha.namespace, ha.name);
    } catch (err) {
      throw new UserError(`--ha-lease ${ha.namespace}/${ha.name}: cannot reach the Kubernetes API: ${(err as Error).message}`);
    }
  }
  return new LeaderElector({
    store,
    namespace: ha.namespace,
    name: ha.name,
    identity: ha.identity,
    ...(ha.advertiseUrl ? { advertiseUrl: ha.advertiseUrl } : {}),
    ...(ha.timings ? { timings: ha.timings } : {}),
    logger,
    onStartedLeading: onLeading,
  });
}

/** A secret file the policy names; unreadable or empty is a start-up error naming the key. */
async function readSecret(file: string, key: string, policyFile: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${key} ${file} (named in ${policyFile}): ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (text.trim() === '') throw new UserError(`${key} ${file} (named in ${policyFile}) is empty`);
  return text.trim();
}

/** Opens the decision log; a state dir that cannot be created or written is a start-up error. */
async function openStateDir<T>(dir: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    throw new UserError(`--state-dir ${dir} is not usable (${code}): the trigger must create and append to its decision log there`);
  }
}

import type { ActionFactory, ResolvedActionSpec, RollbackAction } from '../ports.js';
import { ArgoRolloutAction } from './argo-rollout-action.js';
import type { ChampionHistory } from './champion-history.js';
import { FlagdFlagFileAction } from './flagd-flag-file-action.js';
import type { KubeClient } from './kube-client.js';
import { MlflowAliasAction, type MlflowClient } from './mlflow-alias-action.js';
import { WebhookAction } from './webhook-action.js';

/** Clients the actions use; each is optional and only needed by the policies that use it. */
export interface ActionClients {
  /** Created lazily: a policy without Argo targets never needs a kubeconfig. */
  readonly kube?: () => KubeClient;
  readonly mlflow?: MlflowClient;
  readonly championHistory?: ChampionHistory;
  readonly webhookSecret?: string;
  readonly now?: () => number;
}

/** Builds the adapter for each resolved policy action. */
export function createActionFactory(clients: ActionClients): ActionFactory {
  return {
    create(spec: ResolvedActionSpec): RollbackAction {
      switch (spec.kind) {
        case 'argoRollout':
          if (!clients.kube) throw new Error('no Kubernetes connection configured');
          return new ArgoRolloutAction(clients.kube(), spec.namespace, spec.name, spec.operation);
        case 'flagdFlag':
          return new FlagdFlagFileAction(spec.file, spec.flag, spec.variant);
        case 'mlflowAlias':
          if (!clients.mlflow || !clients.championHistory) throw new Error('no MLflow registry configured');
          return new MlflowAliasAction(clients.mlflow, clients.championHistory, spec.model, spec.alias, clients.now);
        case 'webhook':
          if (clients.webhookSecret === undefined) throw new Error('no webhook secret configured');
          return new WebhookAction(spec.url, clients.webhookSecret, clients.now);
      }
    },
  };
}

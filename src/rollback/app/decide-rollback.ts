import { effectiveSettings, type Policy, type PolicyRule } from '../policy/load-policy.js';
import { resolveAction, targetKeyOf } from '../policy/resolve-action.js';
import type { AlertView, DecisionRecord } from '../ports.js';
import type { DecisionState } from './decision-state.js';
import { redactUrl } from '../redact-url.js';
import { SLI_HEALTH_ALERT_NAME } from '../../conventions.js';

/** What the trigger does with one firing alert. */
export type Decision = { readonly kind: 'duplicate'; readonly id: string } | { readonly kind: 'new'; readonly record: DecisionRecord };

const HOUR_MS = 3_600_000;

/** Idempotency key of an alert instance: Alertmanager redelivers the same fingerprint and startsAt. */
export function alertKey(alert: Pick<AlertView, 'fingerprint' | 'startsAt'>): string {
  return `${alert.fingerprint}|${alert.startsAt}`;
}

/**
 * Decides what to do about one firing alert: a pure function of the alert, the policy and what
 * was already decided. First matching rule wins; safety checks run in the order
 * cooldown → rate limit → dry-run → approval.
 */
export function decideRollback(alert: AlertView, policy: Policy, state: DecisionState, nowMs: number, ids: { id: string; correlationId: string }): Decision {
  const key = alertKey(alert);
  const known = state.idForKey(key);
  if (known !== undefined) return { kind: 'duplicate', id: known };
  const environment = alert.labels[policy.environmentLabel] ?? policy.defaultEnvironment;
  const base = {
    type: 'decision' as const,
    id: ids.id,
    key,
    at: new Date(nowMs).toISOString(),
    correlationId: ids.correlationId,
    alert: { fingerprint: alert.fingerprint, startsAt: alert.startsAt, labels: alert.labels, source: alert.source },
    ...(environment !== undefined ? { environment } : {}),
  };
  // SLOIndicatorBroken carries the SLO's slo/service labels, so a rule matching only those would
  // catch it; but it says the measurement is broken, not the release: never a reason to roll back.
  if (alert.labels.alertname === SLI_HEALTH_ALERT_NAME)
    return {
      kind: 'new',
      record: {
        ...base,
        verdict: 'no-rule',
        reason: `${SLI_HEALTH_ALERT_NAME} reports a broken SLI (the measurement), not a failing release; it never triggers a rollback`,
      },
    };
  const rule = policy.rules.find((r) => ruleMatches(r, alert.labels, environment));
  if (!rule) return { kind: 'new', record: { ...base, verdict: 'no-rule', reason: 'no policy rule matches this alert' } };
  const resolved = resolveAction(rule.target, alert.labels);
  if (!resolved.ok) {
    return {
      kind: 'new',
      record: {
        ...base,
        rule: rule.name,
        targetName: rule.targetName,
        verdict: 'no-rule',
        reason: `target ${rule.targetName} needs alert label(s) ${resolved.missing.join(', ')}, which the alert lacks`,
      },
    };
  }
  const target = targetKeyOf(resolved.spec);
  const envSettings = environment === 'dev' || environment === 'staging' || environment === 'prod' ? policy.document.environments?.[environment] : undefined;
  const s = effectiveSettings(policy.document.defaults, rule.target, rule.settings, envSettings);
  const withTarget = { ...base, rule: rule.name, targetName: rule.targetName, target, action: resolved.spec };
  const recent = state.actionsSince(target, nowMs - Math.max(s.cooldownMs, HOUR_MS));
  const last = recent.at(-1);
  if (last !== undefined && nowMs - last < s.cooldownMs) {
    return {
      kind: 'new',
      record: {
        ...withTarget,
        verdict: 'skip-cooldown',
        reason: `${target} was acted on ${Math.round((nowMs - last) / 1000)}s ago, cooldown is ${Math.round(s.cooldownMs / 1000)}s`,
      },
    };
  }
  const lastHour = recent.filter((t) => t >= nowMs - HOUR_MS).length;
  if (lastHour >= s.maxActionsPerHour) {
    return {
      kind: 'new',
      record: {
        ...withTarget,
        verdict: 'skip-rate-limit',
        reason: `${target} already had ${lastHour} action(s) in the last hour (max ${s.maxActionsPerHour})`,
      },
    };
  }
  if (s.dryRun) return { kind: 'new', record: { ...withTarget, verdict: 'dry-run', reason: `dry run: would ${describe(resolved.spec)}` } };
  if (s.requireApproval)
    return { kind: 'new', record: { ...withTarget, verdict: 'await-approval', reason: `waiting for approval to ${describe(resolved.spec)}` } };
  return { kind: 'new', record: { ...withTarget, verdict: 'act', reason: `rule ${rule.name}: ${describe(resolved.spec)}` } };
}

function ruleMatches(rule: PolicyRule, labels: Readonly<Record<string, string>>, environment: string | undefined): boolean {
  if (rule.environments && (environment === undefined || !rule.environments.includes(environment as never))) return false;
  for (const [k, v] of Object.entries(rule.match)) if (labels[k] !== v) return false;
  for (const [k, re] of Object.entries(rule.matchRegex)) if (!re.test(labels[k] ?? '')) return false;
  return true;
}

function describe(spec: NonNullable<DecisionRecord['action']>): string {
  switch (spec.kind) {
    case 'argoRollout':
      return `${spec.operation} rollout ${spec.namespace}/${spec.name}`;
    case 'flagdFlag':
      return `serve variant ${spec.variant} of flag ${spec.flag} in ${spec.file}`;
    case 'mlflowAlias':
      return `move alias ${spec.alias} of model ${spec.model} back to the previous version`;
    case 'webhook':
      return `call webhook ${redactUrl(spec.url)}`;
  }
}

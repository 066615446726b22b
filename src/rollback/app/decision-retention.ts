import { effectiveSettings, type Policy } from '../policy/load-policy.js';

const HOUR_MS = 3_600_000;
const ENVIRONMENTS = [undefined, 'dev', 'staging', 'prod'] as const;

/**
 * The shortest decision retention the policy allows: its longest cooldown (any rule, any
 * environment), and at least the hour that `maxActionsPerHour` counts over. A decision forgotten
 * sooner would let a redelivered alert act again inside its cooldown.
 */
export function minimumDecisionRetention(policy: Policy): { ms: number; why: string } {
  let best = { ms: HOUR_MS, why: 'maxActionsPerHour counts actions over the last hour' };
  const doc = policy.document;
  const consider = (ms: number, why: string) => {
    if (ms > best.ms) best = { ms, why };
  };
  consider(effectiveSettings(doc.defaults).cooldownMs, 'the default cooldown');
  for (const rule of policy.rules) {
    for (const env of ENVIRONMENTS) {
      const s = effectiveSettings(doc.defaults, rule.target, rule.settings, env ? doc.environments?.[env] : undefined);
      consider(s.cooldownMs, `the cooldown of rule ${rule.name}${env ? ` in ${env}` : ''}`);
    }
  }
  return best;
}

/** Why `retentionMs` is too short for the policy, or undefined when it is long enough. */
export function checkDecisionRetention(policy: Policy, retentionMs: number): string | undefined {
  const min = minimumDecisionRetention(policy);
  if (retentionMs >= min.ms) return undefined;
  return `${formatMs(retentionMs)} is shorter than ${min.why} (${formatMs(min.ms)}) in ${policy.file}; a redelivered alert could act twice`;
}

function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', HOUR_MS],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

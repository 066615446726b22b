import type { ActionFactory, Fence, RollbackAction } from '../ports.js';

/**
 * Wraps every action so that it runs only under a fencing token: right before each attempt the
 * fence re-reads the Lease, and a replica that is no longer its holder (or holds a newer
 * generation than the decision's replica acquired) reports a failure instead of acting. The
 * failure is retryable: a leader that merely renewed late acts on the next attempt once it has
 * renewed, while a deposed one stays fenced on every attempt. The token travels with the action (the webhook body carries it).
 */
export function fenceActions(inner: ActionFactory, fence: Fence): ActionFactory {
  return {
    create(spec): RollbackAction {
      const action = inner.create(spec);
      return {
        kind: action.kind,
        target: action.target,
        async execute(ctx) {
          const token = await fence.check(ctx.signal);
          if (!token) return { status: 'failed', detail: 'fenced: this replica no longer holds the leader lease; it did not act', retryable: true };
          return action.execute({ ...ctx, fencing: token });
        },
      };
    },
  };
}

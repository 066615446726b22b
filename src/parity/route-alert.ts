import { matcherMatches } from '../query/promql.js';
import { parseMatcher } from '../routing/matchers.js';

/** One node of a rendered Alertmanager routing tree (the fields routing reads). */
interface RouteNode {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly continue?: boolean;
  readonly routes?: readonly RouteNode[];
}

/**
 * The receivers an alert with `labels` reaches in a rendered Alertmanager configuration, the way
 * Alertmanager walks its tree: depth first, children in order, a matching child stops its
 * siblings unless it says `continue`, a node with no matching child delivers to its receiver
 * (inherited from the parent when it names none). Time intervals are not applied: the route is
 * where the alert goes when it is delivered at all.
 */
export function routeAlert(config: Record<string, unknown>, labels: Readonly<Record<string, string>>): string[] {
  const root = config.route as RouteNode | undefined;
  if (!root) return [];
  const out: string[] = [];
  walk(root, root.receiver ?? '', labels, out);
  return [...new Set(out)];
}

function matches(node: RouteNode, labels: Readonly<Record<string, string>>): boolean {
  return (node.matchers ?? []).every((text) => {
    const m = parseMatcher(text).matcher;
    return m !== undefined && matcherMatches(m, labels[m.name]);
  });
}

function walk(node: RouteNode, inherited: string, labels: Readonly<Record<string, string>>, out: string[]): void {
  const receiver = node.receiver ?? inherited;
  let matched = false;
  for (const child of node.routes ?? []) {
    if (!matches(child, labels)) continue;
    matched = true;
    walk(child, receiver, labels, out);
    if (!child.continue) break;
  }
  if (!matched) out.push(receiver);
}

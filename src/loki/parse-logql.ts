import { parser } from '@grafana/lezer-logql';
import { firstSyntaxError, type ExprError } from '../query/promql.js';

/**
 * Parses LogQL with Grafana's lezer grammar (Loki itself cannot run here). Returns the first
 * syntax error and whether the query is a metric query (the only kind the Loki ruler accepts).
 */
export function parseLogql(expr: string): { error?: ExprError; metric: boolean } {
  if (expr.trim() === '') return { error: { offset: 0, message: 'empty expression' }, metric: false };
  const tree = parser.parse(expr);
  const error = firstSyntaxError(expr, tree);
  const top = tree.topNode.firstChild?.firstChild;
  const metric = top?.name === 'MetricExpr';
  if (error) return { error, metric };
  // The grammar accepts `{app=~".*"}`; Loki rejects selectors whose matchers all accept "".
  const empty = emptyMatchingSelector(expr, tree);
  if (empty !== undefined)
    return {
      error: { offset: empty, message: 'a stream selector needs at least one matcher that rejects the empty string (e.g. app=~".+", not app=~".*")' },
      metric,
    };
  return { metric };
}

function emptyMatchingSelector(expr: string, tree: ReturnType<typeof parser.parse>): number | undefined {
  let found: number | undefined;
  tree.iterate({
    enter(node) {
      if (found !== undefined || node.name !== 'Selector') return undefined;
      const matchers: boolean[] = [];
      node.node
        .getChild('Matchers')
        ?.getChildren('Matcher')
        .forEach((m) => {
          const op = m.firstChild?.nextSibling?.name;
          const str = m.getChild('String');
          const value = str ? (JSON.parse(expr.slice(str.from, str.to).replace(/^`|`$/g, '"')) as string) : '';
          let acceptsEmpty = true;
          if (op === 'Eq') acceptsEmpty = value === '';
          else if (op === 'Neq') acceptsEmpty = value !== '';
          else if (op === 'Re') acceptsEmpty = safeTest(value, '');
          else if (op === 'Nre') acceptsEmpty = !safeTest(value, '');
          matchers.push(acceptsEmpty);
        });
      if (matchers.length === 0 || matchers.every((x) => x)) found = node.from;
      return false;
    },
  });
  return found;
}

function safeTest(re: string, s: string): boolean {
  try {
    return new RegExp(`^(?:${re})$`).test(s);
  } catch {
    return false;
  }
}

import type { ParityReport } from './compare-environments.js';

const show = (v: unknown): string => (v === null ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The report as text for a CI log: a summary line, then one block per subject, one line per
 * difference with both values and its verdict (`declared at FILE:LINE:COL` or `DRIFT`).
 */
export function formatParity(r: ParityReport): string {
  const lines = [
    `vigil parity ${r.envA} ${r.envB}: ${r.differences.length} difference(s), ${r.declared} declared, ${r.drift} drift` +
      ` (compared ${r.compared.slo} SLO(s), ${r.compared.alert} alert(s), ${r.compared.route} route(s), ${r.compared.dashboard} dashboard(s), ${r.compared.rollback} rollback policy(ies))`,
  ];
  let last = '';
  for (const d of r.differences) {
    const head = `${d.kind} ${d.subject}`;
    if (head !== last) lines.push(head);
    last = head;
    const verdict = d.because
      ? `declared${d.because.env ? ` (${d.because.env})` : ''} at ${d.because.file}:${d.because.line}:${d.because.column} ${d.because.path}`
      : 'DRIFT: no override explains it';
    lines.push(`  ${d.path || '(value)'}: ${r.envA}=${show(d.a)} ${r.envB}=${show(d.b)}  ${verdict}`);
  }
  return `${lines.join('\n')}\n`;
}

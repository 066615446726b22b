import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes `files` synthetic SLO spec files of `perFile` SLOs each under `root/slos/`, mixing all
 * indicator kinds, periods, groupBy and alerting overrides the way a large platform would.
 */
export function writeSyntheticSpecs(root: string, files: number, perFile: number): void {
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(path.join(root, 'slos'), { recursive: true });
  const periods = ['30d', '28d', '7d', '30d'];
  for (let f = 0; f < files; f++) {
    const service = `svc-${String(f).padStart(4, '0')}`;
    const lines = [
      'apiVersion: vigil/v1',
      'kind: ServiceLevelObjectives',
      `service: ${service}`,
      `labels: { team: team-${f % 17}, tier: "${f % 3}" }`,
      `period: ${periods[f % periods.length]}`,
      'slos:',
    ];
    for (let i = 0; i < perFile; i++) {
      const job = `${service}-api`;
      lines.push(`  - name: slo-${i}`, `    description: Synthetic SLO ${i} of ${service}.`);
      switch (i % 4) {
        case 0:
          lines.push(
            '    objective: 99.9',
            '    indicator:',
            '      ratio:',
            `        errors: http_requests_total{job="${job}", route="/r${i}", code=~"5.."}`,
            `        total: http_requests_total{job="${job}", route="/r${i}"}`,
          );
          break;
        case 1:
          lines.push(
            '    objective: 99',
            '    groupBy: [model]',
            '    indicator:',
            '      latency:',
            `        histogram: http_request_duration_seconds{job="${job}", route="/r${i}"}`,
            '        threshold: 500ms',
          );
          break;
        case 2:
          lines.push(
            '    objective: 99.5',
            '    indicator:',
            `      boolGauge: probe_success{job="blackbox", target="${job}-${i}"}`,
            '    alerting:',
            '      ticket: false',
          );
          break;
        default:
          lines.push(
            '    objective: 99.95',
            '    indicator:',
            '      ratio:',
            `        good: rpc_ok_total{service="${service}", method="m${i}"}`,
            `        total: rpc_total{service="${service}", method="m${i}"}`,
          );
      }
    }
    fs.writeFileSync(path.join(root, 'slos', `${service}.yaml`), `${lines.join('\n')}\n`);
  }
}

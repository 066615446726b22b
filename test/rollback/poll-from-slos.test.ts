import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { loadPolicy } from '../../src/rollback/policy/load-policy.js';
import { loadSlos } from '../../src/load/load-slos.js';
import { tempDir } from './helpers.js';

const SLO = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
slos:
  - name: availability
    objective: 99.9
    indicator:
      ratio:
        errors: http_requests_total{job="api", code=~"5.."}
        total: http_requests_total{job="api"}
`;

const policy = (checks: string) => `apiVersion: vigil/v1
kind: RollbackPolicy
poll:
  prometheusUrl: http://127.0.0.1:9090
  checks:
${checks}targets:
  t:
    flagdFlag: { file: /tmp/f.json, flag: f, variant: stable }
rules: []
`;

describe('poll checks that take their windows from the SLO', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('vigil-poll-slo-');
    await fs.mkdir(path.join(root, 'slos'));
    await fs.writeFile(path.join(root, 'slos/api.yaml'), SLO);
  });
  afterAll(async () => fs.rm(root, { recursive: true, force: true }));

  it("poll the SLO's page pairs with its factors, severity and alert name", async () => {
    await fs.writeFile(
      path.join(root, 'policy.yaml'),
      policy('    - slo: api-availability\n    - { slo: api-availability, long: 6h, short: 30m, burnRateFactor: 7 }\n'),
    );
    const diags = new Diagnostics();
    const slos = await loadSlos(root, diags);
    const p = await loadPolicy('policy.yaml', diags, root, slos);
    expect(diags.items).toEqual([]);
    expect(p!.pollChecks).toEqual([
      { slo: 'api-availability', long: '1h', short: '5m', burnRateFactor: 14.4, severity: 'critical', alertname: 'ErrorBudgetBurn' },
      { slo: 'api-availability', long: '6h', short: '30m', burnRateFactor: 6, severity: 'critical', alertname: 'ErrorBudgetBurn' },
      { slo: 'api-availability', long: '6h', short: '30m', burnRateFactor: 7 },
    ]);
  });

  it('report an SLO the project does not define, at its position (exit 1)', async () => {
    await fs.writeFile(path.join(root, 'policy.yaml'), policy('    - slo: api-latency\n'));
    let err = '';
    const code = await run(['rollback', 'check', '--policy', 'policy.yaml'], {
      cwd: root,
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
    });
    expect(code).toBe(1);
    expect(err).toContain('policy.yaml:6:12: error POL107: poll.checks[0].slo: no SLO "api-latency" to take the windows from');
    expect(err).toContain('known SLOs: api-availability');
  });

  it('reject a check that gives only some of the windows (exit 1)', async () => {
    await fs.writeFile(path.join(root, 'policy.yaml'), policy('    - { slo: api-availability, long: 1h }\n'));
    let err = '';
    const code = await run(['rollback', 'check', '--policy', 'policy.yaml'], {
      cwd: root,
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
    });
    expect(code).toBe(1);
    expect(err).toContain('policy.yaml:6:7: error POL108: poll.checks[0]');
  });
});

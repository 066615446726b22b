import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { writeProject } from './scenario.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-report-cli-'));
writeProject(root);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function vigil(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await run(argv, { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, cwd: root });
  return { code, err };
}

describe('vigil report flags', () => {
  const cases: [string, string[], string][] = [
    ['needs --out', ['report', '--prometheus-url', 'http://p:9090'], '--out DIR is required'],
    ['takes --period or --from, not both', ['report', '--out', 'r', '--period', '7d', '--from', '2026-11-01'], 'give --period or --from, not both'],
    ['wants --from with --to', ['report', '--out', 'r', '--to', '2026-11-01'], '--to needs --from'],
    [
      'rejects a time it cannot read',
      ['report', '--out', 'r', '--prometheus-url', 'http://p:9090', '--from', 'last tuesday'],
      '--from must be an RFC 3339 time',
    ],
    [
      'rejects an empty range',
      ['report', '--out', 'r', '--prometheus-url', 'http://p:9090', '--from', '2026-11-02', '--to', '2026-11-01'],
      'the range is empty',
    ],
    ['rejects a period that is not a duration', ['report', '--out', 'r', '--period', 'month'], '--period must be a duration like 30d'],
    ['rejects a URL that is not http(s)', ['report', '--out', 'r', '--prometheus-url', 'prometheus:9090'], '--prometheus-url must be an http(s) URL'],
    [
      'names the services there are for an unknown --service',
      ['report', '--out', 'r', '--prometheus-url', 'http://p:9090', '--service', 'nope'],
      'known: document-processing, gpu-inference',
    ],
    ['needs a Prometheus URL from the flag or the config', ['report', '--out', 'r'], 'give --prometheus-url URL or set prometheus.url in vigil.config.yaml'],
    ['bounds --concurrency', ['status', '--prometheus-url', 'http://p:9090', '--concurrency', '0'], '--concurrency must be a whole number from 1 to 64'],
  ];
  for (const [what, argv, message] of cases) {
    it(`${what} (exit 2, one line, nothing written)`, async () => {
      const r = await vigil(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(path.join(root, 'r'))).toBe(false);
    });
  }
});

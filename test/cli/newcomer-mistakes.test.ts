import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures/newcomer');

/** A valid project (one service, two SLOs, routing with a pager and a chat receiver), with one file edited. */
function project(edit: { file: 'slos/api.yaml' | 'alerts/routing.yaml'; from: string; to: string }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-newcomer-'));
  const files = { 'slos/api.yaml': 'api.slos.yaml', 'alerts/routing.yaml': 'routing.yaml' };
  for (const [rel, fixture] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    let text = fs.readFileSync(path.join(FIXTURES, fixture), 'utf8');
    if (rel === edit.file) {
      expect(text).toContain(edit.from);
      text = text.replace(edit.from, edit.to);
    }
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

async function render(root: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await run(['render', '--root', root], { cwd: root, stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stderr };
}

/** The five mistakes a newcomer makes: each is one diagnostic at its position, with a hint; render writes nothing. */
const mistakes = [
  { name: 'a typo in a key', file: 'slos/api.yaml', from: 'objective: 99.9', to: 'objectve: 99.9', at: '7:5', code: 'SLO003', hint: /rename it to objective/ },
  {
    name: 'a percentage written without its decimal point',
    file: 'slos/api.yaml',
    from: 'objective: 99.9',
    to: 'objective: 995',
    at: '7:16',
    code: 'SLO007',
    hint: /write 99.9 for 99.9%/,
  },
  {
    name: 'a latency threshold in the wrong unit (milliseconds meant, the histogram is in seconds)',
    file: 'slos/api.yaml',
    from: 'threshold: 2s',
    to: 'threshold: 5000',
    at: '15:84',
    code: 'SLO013',
    hint: /the time one request may take, e.g. 2s, 0.5s or 250ms/,
  },
  {
    name: 'an unclosed brace in a selector',
    file: 'slos/api.yaml',
    from: `total: 'http_requests_total{job="api"}'`,
    to: `total: 'http_requests_total{job="api"'`,
    at: '11:46',
    code: 'SLO011',
    hint: /a PromQL series selector/,
  },
  {
    name: 'a route to an undefined receiver',
    file: 'alerts/routing.yaml',
    from: 'warning: [chat]',
    to: 'warning: [chatt]',
    at: '11:45',
    code: 'RTE010',
    hint: /receivers: pager, chat/,
  },
  {
    name: 'an unquoted selector in a flow mapping (YAML)',
    file: 'slos/api.yaml',
    from: `ratio:\n        errors: 'http_requests_total{job="api", code=~"5.."}'\n        total: 'http_requests_total{job="api"}'`,
    to: `ratio: { errors: http_requests_total{job="api", code=~"5.."}, total: http_requests_total{job="api"} }`,
    at: '9:43',
    code: 'YAML001',
    hint: /quote values that contain \{ \}/,
  },
] as const;

describe('the mistakes a newcomer makes', () => {
  it('leave a valid project when undone (the fixture renders cleanly)', async () => {
    const root = project({ file: 'slos/api.yaml', from: 'objective: 99.9', to: 'objective: 99.9' });
    const r = await render(root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  for (const m of mistakes) {
    it(`${m.name}: one ${m.code} at ${m.file}:${m.at} with a hint, exit 1, nothing written`, async () => {
      const root = project(m);
      const r = await render(root);
      expect(r.code).toBe(1);
      const errors = r.stderr.split('\n').filter((l) => / error [A-Z]+\d+:/.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`${m.file}:${m.at}: error ${m.code}:`);
      const hint = r.stderr.split('\n')[r.stderr.split('\n').indexOf(errors[0]!) + 1];
      expect(hint).toMatch(/^ {2}hint: /);
      expect(hint).toMatch(m.hint);
      expect(fs.existsSync(path.join(root, 'build'))).toBe(false);
    });
  }
});

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

/**
 * Golden files: every directory test/cases/<case>/ is a self-contained project root (slos/,
 * alerts/, dashboards/, exporters/gpu/models.yaml, ...) and holds in expected/ every file that
 * `vigil render` writes for it, byte for byte. A case that needs flags keeps them in case.json
 * (`{ "args": ["--env", "prod"] }`); they are appended to `render --root <case> --out <tmp>`.
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/cases   rewrites every expected/ (delete and rewrite)
 *
 * Reviewers read the diff of expected/.
 */
const execFileAsync = promisify(execFile);
const casesDir = import.meta.dirname;
const repoRoot = path.resolve(casesDir, '../..');
const cases = fs
  .readdirSync(casesDir)
  .filter((d) => fs.statSync(path.join(casesDir, d)).isDirectory())
  .sort();
const update = Boolean(process.env.UPDATE_GOLDEN);

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-golden-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let outCounter = 0;

interface Rendered {
  readonly out: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The flags a case appends to `vigil render` (case.json `args`). */
function caseArgs(root: string): string[] {
  const file = path.join(root, 'case.json');
  if (!fs.existsSync(file)) return [];
  const { args } = JSON.parse(fs.readFileSync(file, 'utf8')) as { args?: string[] };
  return args ?? [];
}

/** Renders one case through the public CLI entry point into a fresh temp dir. */
async function render(name: string, cwd: string = repoRoot): Promise<Rendered> {
  const root = path.join(casesDir, name);
  const out = path.join(tmpRoot, `${name}-${outCounter++}`);
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (chunk: string) => ((stdout += chunk), true) },
    stderr: { write: (chunk: string) => ((stderr += chunk), true) },
    cwd,
  };
  const code = await run(['render', '--root', root, '--out', out, ...caseArgs(root)], io);
  return { out, code, stdout, stderr };
}

/** Every file under `dir` (relative path with `/` → bytes); empty when `dir` does not exist. */
function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else files.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Diagnostics of severity error, and the render's own failure lines (warnings are allowed). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /: error [A-Z]+\d+:|internal error|error\(s\)/.test(l));
}

describe('vigil render of every case (golden files)', () => {
  for (const name of cases) {
    it(`${name} renders exactly its expected files`, async () => {
      const r = await render(name);
      expect(errorLines(r.stderr), r.stderr).toEqual([]);
      expect(r.code, r.stderr).toBe(0);
      const got = readTree(r.out);
      expect(got.size).toBeGreaterThan(0);

      // Outputs must not depend on where the render ran or when.
      const today = new Date().toISOString().slice(0, 10);
      for (const [p, bytes] of got) {
        const text = bytes.toString('utf8');
        for (const leak of [r.out, tmpRoot, path.join(casesDir, name), repoRoot]) expect(text.includes(leak), `${p} contains the absolute path ${leak}`).toBe(false);
        expect(text.includes(today), `${p} contains today's date ${today} (a timestamp?)`).toBe(false);
      }

      const expectedDir = path.join(casesDir, name, 'expected');
      if (update) {
        fs.rmSync(expectedDir, { recursive: true, force: true });
        for (const [p, bytes] of got) {
          fs.mkdirSync(path.dirname(path.join(expectedDir, p)), { recursive: true });
          fs.writeFileSync(path.join(expectedDir, p), bytes);
        }
      }
      const want = readTree(expectedDir);
      // Same file set: a missing or an extra file shows up by its path in the diff.
      expect([...got.keys()], `files rendered for ${name} vs test/cases/${name}/expected/`).toEqual([...want.keys()]);
      for (const [p, bytes] of want) {
        const g = got.get(p)!;
        if (!g.equals(bytes)) expect(g.toString('utf8'), p).toBe(bytes.toString('utf8'));
        expect(g.equals(bytes), `${p} differs byte for byte`).toBe(true);
      }
    });
  }

  it('renders byte-identical output twice in a row, whatever the working directory', async () => {
    for (const name of cases) {
      const a = await render(name, repoRoot);
      const b = await render(name, os.tmpdir());
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const ta = readTree(a.out);
      const tb = readTree(b.out);
      expect([...tb.keys()], name).toEqual([...ta.keys()]);
      for (const [p, bytes] of ta) expect(tb.get(p)!.toString('utf8'), `${name}: ${p}`).toBe(bytes.toString('utf8'));
    }
  });
});

/** The real tools accept the full-platform goldens (the other cases' outputs are covered by their own suites). */
describe('full-platform goldens pass the real tools', () => {
  const expected = path.join(casesDir, 'full-platform', 'expected');
  const list = (sub: string) =>
    fs
      .readdirSync(path.join(expected, sub))
      .filter((f) => f.endsWith('.yaml'))
      .sort();

  it('promtool check rules accepts prometheus/rules', async () => {
    const rules = list('prometheus/rules').map((f) => path.join(expected, 'prometheus/rules', f));
    expect(rules.length).toBeGreaterThan(0);
    const { stdout } = await execFileAsync('/usr/bin/promtool', ['check', 'rules', ...rules]);
    expect(stdout).toMatch(/SUCCESS/);
    expect(stdout).not.toMatch(/FAILED/);
  });

  it('promtool test rules passes prometheus/tests (run from the tests dir)', async () => {
    const testsDir = path.join(expected, 'prometheus/tests');
    const tests = list('prometheus/tests');
    expect(tests.length).toBeGreaterThan(0);
    // One promtool per file, in parallel: the 30d SLO's file takes most of the time.
    const results = await Promise.all(tests.map((f) => execFileAsync('/usr/bin/promtool', ['test', 'rules', f], { cwd: testsDir })));
    for (const [i, { stdout }] of results.entries()) expect(stdout, tests[i]).toMatch(/SUCCESS/);
  });

  it('amtool check-config accepts alertmanager/alertmanager.yml and routes every declared case', async () => {
    const am = path.join(expected, 'alertmanager/alertmanager.yml');
    const { stdout } = await execFileAsync('/usr/bin/amtool', ['check-config', am]);
    expect(stdout).toMatch(/SUCCESS/);
    const routeTests = JSON.parse(fs.readFileSync(path.join(expected, 'alertmanager/route-tests.json'), 'utf8')) as { cases: { name: string; labels: Record<string, string>; receivers: string[] }[] };
    expect(routeTests.cases.length).toBeGreaterThan(0);
    for (const c of routeTests.cases) {
      const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
      const args = ['config', 'routes', 'test', `--config.file=${am}`, `--verify.receivers=${c.receivers.join(',')}`, ...labels];
      await expect(execFileAsync('/usr/bin/amtool', args), c.name).resolves.toBeTruthy();
    }
  });
});

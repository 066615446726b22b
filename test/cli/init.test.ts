import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

async function vigil(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

const repo = () => fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-init-unit-'));

describe('vigil init', () => {
  it('names the service after package.json and writes every starting file (CI pipelines are valid YAML)', async () => {
    const root = repo();
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: '@acme/Doc_API', version: '1.0.0', devDependencies: { typescript: '5' } }));
    const r = await vigil(['init'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote slos/doc-api.yaml');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
    expect(pkg.version).toBe('1.0.0');
    expect(pkg.devDependencies).toEqual({ typescript: '5', 'vigil-monitoring': expect.stringMatching(/^\^\d+\.\d+\.\d+/) as unknown });
    expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8')).toBe('/build/\n');
    for (const ci of ['.gitlab-ci.yml', '.github/workflows/vigil.yml']) expect(parse(fs.readFileSync(path.join(root, ci), 'utf8'))).toBeTypeOf('object');
    expect(fs.readFileSync(path.join(root, 'slos/doc-api.yaml'), 'utf8')).toContain('service: doc-api');
  });

  it('never overwrites a file, and replaces what it wrote with --force', async () => {
    const root = repo();
    fs.mkdirSync(path.join(root, 'alerts'));
    fs.writeFileSync(path.join(root, 'alerts/routing.yaml'), '# ours\n');
    fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules/');
    const first = await vigil(['init', '--service', 'search', '--team', 'web'], root);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('kept  alerts/routing.yaml (it exists');
    expect(fs.readFileSync(path.join(root, 'alerts/routing.yaml'), 'utf8')).toBe('# ours\n');
    expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8')).toBe('node_modules/\n/build/\n');
    const again = await vigil(['init', '--service', 'search', '--team', 'web'], root);
    expect(again.stdout).not.toContain('wrote ');
    const forced = await vigil(['init', '--service', 'search', '--team', 'web', '--force'], root);
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(root, 'alerts/routing.yaml'), 'utf8')).toContain('web-pager');
  });

  it('refuses a service name that cannot name files and series (exit 2)', async () => {
    const r = await vigil(['init', '--service', 'Doc API'], repo());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--service "Doc API": use lower-case letters, digits and "-"');
  });
});

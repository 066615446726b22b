import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

const fixtures = path.resolve(import.meta.dirname, 'fixtures');

function io(cwd: string) {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd }, out: () => out, err: () => err };
}

/** A temp project root; fixtures are addressed relative to it via `cwd: fixtures`. */
const tmpRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-import-cli-'));

describe('vigil import', () => {
  it.each([
    ['sloth', ['sloth/getting-started.yml', 'bad/sloth-crd.yaml']],
    ['pyrra', ['pyrra/prometheus-probe-success.yaml']],
    ['openslo', ['authored/openslo-v1-checkout.yaml', 'authored/openslo-v1alpha.yaml', 'openslo/go-sdk-v1-alert_policies.yaml']],
  ])('%s writes spec files that vigil check accepts, and exits 0 when everything was imported', async (kind, files) => {
    const root = tmpRoot();
    const c = io(fixtures);
    expect(await run(['import', kind, ...files, '--root', root], c.io), c.err()).toBe(0);
    expect(c.out()).toMatch(/^imported: \d+\n/);
    expect(c.out()).toContain('not importable: 0\n');
    const written = fs.readdirSync(path.join(root, 'slos'));
    expect(written.length).toBeGreaterThan(0);
    for (const f of written)
      expect(fs.readFileSync(path.join(root, 'slos', f), 'utf8')).toMatch(new RegExp(`# from ${files.map((x) => x.replace(/[.]/g, '\\.')).join('|# from ')}`));
    const check = io(root);
    expect(await run(['check', '--root', root], check.io), check.err()).toBe(0);
    expect(check.err()).toMatch(/vigil check: 0 error\(s\)/);
  });

  it('prints the three lists and exits 1 when something was not importable', async () => {
    const root = tmpRoot();
    const c = io(fixtures);
    expect(await run(['import', 'pyrra', 'pyrra', '--root', root], c.io)).toBe(1);
    expect(c.out()).toBe(
      [
        'imported: 0',
        'needs attention: 1',
        '  ServiceLevelObjective prometheus-blackbox-probe-success (pyrra/prometheus-probe-success.yaml:1:1) → default-prometheus-blackbox-probe-success',
        'not importable: 2',
        '  ServiceLevelObjective monitoring/pyrra-connect-errors (pyrra/pyrra-connect-errors.yaml:1:1)',
        '      IMP032: grouping by "service" is not possible: vigil sets that label on every SLO series itself',
        '  ServiceLevelObjective monitoring/pyrra-connect-latency (pyrra/pyrra-connect-latency.yaml:1:1)',
        '      IMP013: latencyNative (native histograms) is not supported: vigil latency indicators read classic histograms (_bucket{le})',
        `wrote 1 file(s): ${path.relative(fixtures, path.join(root, 'slos/default.yaml'))}`,
        '',
      ].join('\n'),
    );
    expect(c.err()).toContain('pyrra/pyrra-connect-latency.yaml:14:5: error IMP013');
  });

  it('--format json gives CI one document with the same buckets', async () => {
    const c = io(fixtures);
    expect(
      await run(['import', 'openslo', 'authored/openslo-v1-unsupported.yaml', 'openslo', '--dry-run', '--format', 'json', '--root', tmpRoot()], c.io),
    ).toBe(1);
    const doc = JSON.parse(c.out()) as {
      kind: string;
      ok: boolean;
      dryRun: boolean;
      imported: unknown[];
      needsAttention: unknown[];
      notImportable: { object: string; diagnostics: { code: string }[] }[];
    };
    expect(doc).toMatchObject({ kind: 'openslo', ok: false, dryRun: true, imported: [], needsAttention: [] });
    expect(doc.notImportable.map((o) => [o.object, [...new Set(o.diagnostics.map((d) => d.code))]])).toEqual([
      ['openslo/v1 SLO search-availability', ['IMP014']],
      ['openslo/v1 SLO calendar-month', ['IMP015']],
      ['openslo/v1 SLO timeslices', ['IMP016']],
    ]);
    expect(c.err()).toBe('');
  });

  it('--dry-run writes nothing; an existing spec is refused (IMP050, nothing written) unless --force', async () => {
    const root = tmpRoot();
    const dry = io(fixtures);
    expect(await run(['import', 'sloth', 'sloth/getting-started.yml', '--root', root, '--dry-run'], dry.io)).toBe(0);
    expect(fs.existsSync(path.join(root, 'slos'))).toBe(false);
    expect(dry.out()).toContain('dry run: would write 1 file(s)');
    fs.mkdirSync(path.join(root, 'slos'));
    fs.writeFileSync(path.join(root, 'slos/myservice.yaml'), 'hand-edited\n');
    const refused = io(fixtures);
    expect(await run(['import', 'sloth', 'sloth/getting-started.yml', '--root', root], refused.io)).toBe(1);
    expect(refused.err()).toMatch(/myservice\.yaml: error IMP050: already exists/);
    expect(fs.readFileSync(path.join(root, 'slos/myservice.yaml'), 'utf8')).toBe('hand-edited\n');
    const forced = io(fixtures);
    expect(await run(['import', 'sloth', 'sloth/getting-started.yml', '--root', root, '--force'], forced.io)).toBe(0);
    expect(fs.readFileSync(path.join(root, 'slos/myservice.yaml'), 'utf8')).toContain('service: myservice');
  });

  it('is a usage error (exit 2) for an unknown kind or no input', async () => {
    const a = io(fixtures);
    expect(await run(['import', 'nagios', 'x.yaml'], a.io)).toBe(2);
    expect(a.err()).toContain('unknown import kind "nagios"');
    const b = io(fixtures);
    expect(await run(['import', 'sloth'], b.io)).toBe(2);
    expect(b.err()).toContain('missing FILE or DIR');
  });
});

describe('vigil export openslo', () => {
  it("writes one OpenSLO file per service for this repo's slos/, which vigil import openslo reads back without a warning", async () => {
    const repo = path.resolve(import.meta.dirname, '../..');
    const out = tmpRoot();
    const c = io(repo);
    expect(await run(['export', 'openslo', '--out', out], c.io), c.err()).toBe(0);
    expect(c.out()).toMatch(/^exported \d+ SLO\(s\) to \d+ file\(s\)/);
    expect(c.out()).toContain('not exported: 0\n');
    const back = io(out);
    expect(await run(['import', 'openslo', '.', '--out', path.join(tmpRoot(), 'slos')], back.io), back.err()).toBe(0);
    expect(back.out()).toMatch(/needs attention: 0\nnot importable: 0\n/);
    expect(back.err()).toBe('');
  });
});

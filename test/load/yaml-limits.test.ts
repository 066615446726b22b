import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vigil, tempProject } from '../alerts/helpers.js';

/**
 * Issue 13, item 4: hostile YAML in any input is a located diagnostic, checked before anything
 * large is built: a file above 8 MiB (YAML003, refused before it is read), one scalar above
 * 256 KiB (YAML004 at the scalar), and an alias bomb (YAML005 at the alias that multiplies).
 * Exit 1, nothing written, no stack trace; memory stays bounded.
 */
const BOMB = [
  'apiVersion: vigil/v1',
  'kind: ServiceLevelObjectives',
  'service: s',
  'x: &a [l, l, l, l, l, l, l, l, l, l]',
  'y: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'z: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'slos: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
].join('\n');

const cases = [
  {
    name: 'an alias bomb',
    file: 'slos/s.yaml',
    text: () => `${BOMB}\n`,
    expect: /^slos\/s\.yaml:6:8: error YAML005: aliases here expand to more than 100 copies/m,
  },
  {
    name: 'a 300,000-character scalar',
    file: 'alerts/routing.yaml',
    text: () => `apiVersion: vigil/v1\nkind: AlertRouting\ndefaultReceiver: "${'r'.repeat(300_000)}"\n`,
    expect: /^alerts\/routing\.yaml:3:18: error YAML004: a single value of 300,000 characters, above the 262,144 vigil accepts/m,
  },
  {
    name: 'a 50 MB file',
    file: 'slos/huge.yaml',
    text: () => `apiVersion: vigil/v1\ndescription: "${'x'.repeat(50_000_000)}"\n`,
    expect: /^slos\/huge\.yaml:1:1: error YAML003: file is 47\.7 MiB, above the 8\.0 MiB vigil reads from one input file/m,
  },
];

describe('hostile YAML inputs', () => {
  for (const c of cases) {
    it(`${c.name}: one located error, exit 1, nothing written, no stack`, async () => {
      const root = tempProject();
      fs.mkdirSync(path.dirname(path.join(root, c.file)), { recursive: true });
      fs.writeFileSync(path.join(root, c.file), c.text());
      const rssBefore = process.memoryUsage().rss;
      const r = await vigil(['render', '--root', root, '--out', path.join(root, 'build')], root);
      const grewMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(c.expect);
      expect(r.stderr.split('\n').filter((l) => / error [A-Z]+\d+:/.test(l))).toHaveLength(1);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(fs.existsSync(path.join(root, 'build'))).toBe(false);
      // The 50 MB string used to cost 1.86 GB before its error.
      expect(grewMiB).toBeLessThan(200);
      fs.rmSync(root, { recursive: true, force: true });
    });
  }
});

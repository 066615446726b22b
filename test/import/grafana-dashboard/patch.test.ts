import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../../../src/cli/commands/import/grafana-dashboard.js';
import { applyPatch } from '../../../src/dashboards/index.js';
import { diffPatch, jsonEqual } from '../../../src/import/grafana-dashboard/diff-patch.js';

const json = fc.jsonValue();
const object = fc.dictionary(fc.string(), json);

describe('raw patches', () => {
  it('diffPatch(a, b) applied over a gives b, for any JSON objects', () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        const clean = (o: unknown) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
        const [x, y] = [clean(a), clean(b)];
        expect(jsonEqual(applyPatch(x, diffPatch(x, y)), y)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('merge objects, replace arrays and scalars, and remove keys set to undefined', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x', e: null };
    expect(applyPatch(base, { a: { c: [3] }, d: undefined, e: { f: true } })).toEqual({ a: { b: 1, c: [3] }, e: { f: true } });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x', e: null });
  });
});

describe('the JSON error position', () => {
  it('is -1 exactly when JSON.parse accepts the text', () => {
    const valid = (s: string) => {
      try {
        JSON.parse(s);
        return true;
      } catch {
        return false;
      }
    };
    const texts = fc.oneof(
      json.map((v) => JSON.stringify(v, null, 2)),
      fc.tuple(json, fc.nat(), fc.constantFrom(',', '}', ']', '"', 'x', '')).map(([v, n, c]) => {
        const s = JSON.stringify(v);
        const at = n % (s.length + 1);
        return s.slice(0, at) + c + s.slice(at + 1);
      }),
    );
    fc.assert(
      fc.property(texts, (s) => {
        expect(jsonErrorOffset(s) === -1, s).toBe(valid(s));
      }),
      { numRuns: 2000 },
    );
  });
});

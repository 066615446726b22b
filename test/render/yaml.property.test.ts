import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderYaml } from '../../src/render/yaml.js';

const key = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('true', 'no', 'n', '1', '- a', 'a: b', '#x', 'null', '~'));
const leaf = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constantFrom(
    'true',
    'yes',
    '0x10',
    '1e3',
    '@a',
    '*b',
    '!c',
    '- x',
    'a: b',
    ' lead',
    'trail ',
    'multi\nline',
    'a\nb\n',
    'a\n\n  b\nc: d\n',
    'x\n\n',
    ' x\ny',
    'x\n \ny',
    '# x\n- y\n',
    '"q"',
    "'s'",
    '{{ $labels.x }}',
    'sum(rate(x{a="b"}[5m])) > 0.1',
  ),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
})).node;

describe('the YAML emitter', () => {
  it('round-trips any JSON-like value through a YAML 1.2 parser', () => {
    fc.assert(
      fc.property(value, (v) => {
        const text = renderYaml({ root: v });
        expect(parse(text, { uniqueKeys: false })).toEqual(JSON.parse(JSON.stringify({ root: v })));
      }),
      { numRuns: 500 },
    );
  });

  it('writes multi-line strings as literal blocks (keeping or stripping the final newline)', () => {
    expect(renderYaml({ a: { f: 'x: 1\n\n  y\n' }, b: 'p\nq' })).toBe('a:\n  f: |\n    x: 1\n\n      y\nb: |-\n  p\n  q\n');
    expect(renderYaml({ a: ' lead\nx' })).toBe('a: " lead\\nx"\n');
  });

  it('is deterministic and keeps key order', () => {
    const v = { b: 1, a: [{ z: 'x', y: ['1', 2] }], c: {} };
    expect(renderYaml(v)).toBe(renderYaml(JSON.parse(JSON.stringify(v))));
    expect(renderYaml(v)).toBe('b: 1\na:\n- z: x\n  "y":\n  - "1"\n  - 2\nc: {}\n');
  });
});

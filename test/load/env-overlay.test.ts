import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../src/diagnostics.js';
import { applyEnvironment, applyToDocument, mergeValues, type EnvironmentContext } from '../../src/load/env-overlay.js';
import { parseYamlSource, type YamlSource } from '../../src/load/yaml-source.js';

const yaml = (file: string, text: string): YamlSource => {
  const s = parseYamlSource(file, text, new Diagnostics());
  if (!s) throw new Error(`fixture ${file} does not parse`);
  return s;
};
const ctx = (env: string | undefined, overlays: Record<string, YamlSource[]> = {}): EnvironmentContext => ({
  env,
  declared: ['prod', 'staging'],
  overlays: new Map(Object.entries(overlays)),
});

// Plain maps of scalars and nested maps (no lists, no nulls): where merge is a pure "upper wins".
const key = fc.constantFrom('a', 'b', 'c', 'd');
const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean());
const tree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((t) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.dictionary(key, t('node'), { maxKeys: 3 })),
})).node;
const map = fc.dictionary(key, tree, { maxKeys: 4 });

describe('mergeValues', () => {
  it('is the identity with an empty override, and merging a map with itself changes nothing', () => {
    fc.assert(
      fc.property(map, (a) => {
        expect(mergeValues(a, {})).toEqual(a);
        expect(mergeValues(a, a)).toEqual(a);
      }),
    );
  });

  it('keeps whatever only the base has, as it is', () => {
    fc.assert(
      fc.property(map, map, (a, b) => {
        const m = mergeValues(a, b) as Record<string, unknown>;
        for (const [k, v] of Object.entries(a)) if (!(k in b)) expect(m[k]).toEqual(v);
      }),
    );
  });

  it('applies overlays in order: the later one wins where both set a value', () => {
    fc.assert(
      fc.property(map, map, map, (a, b, c) => {
        const m = mergeValues(mergeValues(a, b), c) as Record<string, unknown>;
        for (const [k, v] of Object.entries(c)) if (typeof v !== 'object') expect(m[k]).toEqual(v);
      }),
    );
  });

  it('keeps every key of both sides, and every scalar the override sets wins', () => {
    fc.assert(
      fc.property(map, map, (a, b) => {
        const m = mergeValues(a, b) as Record<string, unknown>;
        expect(Object.keys(m).sort()).toEqual([...new Set([...Object.keys(a), ...Object.keys(b)])].sort());
        for (const [k, v] of Object.entries(b)) if (typeof v !== 'object') expect(m[k]).toEqual(v);
      }),
    );
  });

  it('replaces plain lists, merges named entries by name (new names appended), and removes a key set to null', () => {
    expect(mergeValues({ by: ['a', 'b'] }, { by: ['c'] })).toEqual({ by: ['c'] });
    expect(
      mergeValues(
        {
          slos: [
            { name: 'x', objective: 99, tags: [1] },
            { name: 'y', objective: 95 },
          ],
        },
        {
          slos: [
            { name: 'y', objective: 90 },
            { name: 'z', objective: 50 },
          ],
        },
      ),
    ).toEqual({
      slos: [
        { name: 'x', objective: 99, tags: [1] },
        { name: 'y', objective: 90 },
        { name: 'z', objective: 50 },
      ],
    });
    expect(mergeValues({ receivers: { pager: { pd: 1 }, chat: { slack: 1 } } }, { receivers: { pager: null } })).toEqual({ receivers: { chat: { slack: 1 } } });
  });
});

const BASE = `apiVersion: vigil/v1
kind: ServiceLevelObjectives
service: api
labels: { team: a }
slos:
  - name: availability
    objective: 99.9
  - name: latency
    objective: 95
environments:
  staging:
    labels: { team: b }
    slos:
      - name: latency
        objective: 90
  prod: {}
`;

describe('applyToDocument', () => {
  it('takes the inline block out, applies only the rendered environment, and points each value at the layer that set it', () => {
    const diags = new Diagnostics();
    const { source, overrides } = applyToDocument(yaml('slos/api.yaml', BASE), [], ctx('staging'), diags);
    expect(diags.items).toEqual([]);
    expect(source.value).toEqual({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevelObjectives',
      service: 'api',
      labels: { team: 'b' },
      slos: [
        { name: 'availability', objective: 99.9 },
        { name: 'latency', objective: 90 },
      ],
    });
    expect(source.positionOf(['slos', 1, 'objective'])).toEqual({ line: 15, column: 20 });
    expect(source.positionOf(['slos', 0, 'objective'])).toEqual({ line: 7, column: 16 });
    expect(source.positionOf(['slos', 1, 'name'])).toEqual({ line: 8, column: 11 });
    expect(source.positionOf(['labels', 'team'])).toEqual({ line: 12, column: 21 });
    expect(overrides.map((o) => `${o.file}:${o.line}:${o.column} ${o.path}`)).toEqual([
      'slos/api.yaml:12:21 labels.team',
      'slos/api.yaml:15:20 slos[latency].objective',
    ]);
  });

  it('leaves the base as written without an environment (only the block is taken out)', () => {
    const { source, overrides } = applyToDocument(yaml('slos/api.yaml', BASE), [], ctx(undefined), new Diagnostics());
    expect((source.value as { slos: { objective: number }[] }).slos.map((s) => s.objective)).toEqual([99.9, 95]);
    expect((source.value as Record<string, unknown>).environments).toBeUndefined();
    expect(overrides).toEqual([]);
  });

  it('applies an overlay file after the inline block, and reports its values in the overlay file', () => {
    const overlay = yaml(
      'envs/staging/slos/api.yaml',
      'apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: api\nslos:\n  - name: latency\n    objective: 97\n',
    );
    const { source } = applyToDocument(yaml('slos/api.yaml', BASE), [overlay], ctx('staging'), new Diagnostics());
    expect((source.value as { slos: { objective: number }[] }).slos[1]!.objective).toBe(97);
    expect(source.positionOf(['slos', 1, 'objective'])).toEqual({ line: 6, column: 16, file: 'envs/staging/slos/api.yaml' });
    expect(source.keyPositionOf(['labels', 'team'])).toEqual({ line: 12, column: 15 });
  });

  it('reports an undeclared environment (CFG011, with the nearest name) and a block that is not a mapping (CFG014) at their keys', () => {
    const diags = new Diagnostics();
    applyToDocument(yaml('slos/api.yaml', 'kind: ServiceLevelObjectives\nenvironments:\n  stagin: {}\n  prod: 3\n'), [], ctx('prod'), diags);
    expect(diags.items.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      'slos/api.yaml:3:3 CFG011 environment "stagin" is not declared (declared: prod, staging); did you mean staging?',
      'slos/api.yaml:4:9 CFG014 environments.prod: must be a mapping of the keys this environment overrides',
    ]);
  });
});

describe('applyEnvironment', () => {
  it('matches overlay files by kind and service, and reports one that names no base document (CFG013) at its service', () => {
    const diags = new Diagnostics();
    const other = yaml('envs/staging/slos/x.yaml', 'apiVersion: vigil/v1\nkind: ServiceLevelObjectives\nservice: apj\n');
    const good = yaml('envs/staging/slos/api.yaml', 'kind: ServiceLevelObjectives\nservice: api\nlabels: { team: c }\n');
    const { sources, overrides } = applyEnvironment([yaml('slos/api.yaml', BASE)], 'slos', ctx('staging', { slos: [other, good] }), diags);
    expect((sources[0]!.value as { labels: unknown }).labels).toEqual({ team: 'c' });
    expect(overrides.at(-1)).toMatchObject({ file: 'envs/staging/slos/api.yaml', line: 3, path: 'labels.team', target: 'slos/api.yaml' });
    expect(diags.items).toHaveLength(1);
    expect(diags.items[0]).toMatchObject({ code: 'CFG013', file: 'envs/staging/slos/x.yaml', line: 3, column: 10 });
    expect(diags.items[0]!.message).toContain('did you mean "ServiceLevelObjectives api"?');
  });

  it('patches, of several documents with the same identity, the one with the overlay file name; none of them is ambiguous (CFG013)', () => {
    const a = yaml('alerts/a.yaml', 'kind: RollbackPolicy\ndefaults: { dryRun: false }\n');
    const b = yaml('alerts/b.yaml', 'kind: RollbackPolicy\ndefaults: { dryRun: false }\n');
    const diags = new Diagnostics();
    const named = yaml('envs/staging/alerts/b.yaml', 'kind: RollbackPolicy\ndefaults: { dryRun: true }\n');
    const { sources } = applyEnvironment([a, b], 'alerts', ctx('staging', { alerts: [named] }), diags);
    expect(sources.map((s) => (s!.value as { defaults: unknown }).defaults)).toEqual([{ dryRun: false }, { dryRun: true }]);
    expect(diags.items).toEqual([]);
    const other = yaml('envs/staging/alerts/c.yaml', 'kind: RollbackPolicy\ndefaults: { dryRun: true }\n');
    applyEnvironment([a, b], 'alerts', ctx('staging', { alerts: [other] }), diags);
    expect(diags.items.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      'envs/staging/alerts/c.yaml:1:7 CFG013 overlay for environment staging matches 2 documents (alerts/a.yaml, alerts/b.yaml)',
    ]);
  });

  it('leaves the environments: of alert packs and rollback policies alone (they have their own meaning)', () => {
    const pack = yaml('alerts/p.yaml', 'kind: AlertPack\nname: p\nenvironments:\n  staging: { x: 1 }\n');
    const { sources } = applyEnvironment([pack], 'alerts', ctx('staging'), new Diagnostics());
    expect(sources[0]).toBe(pack);
  });
});

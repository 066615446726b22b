import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../src/diagnostics.js';
import { opensloImporter } from '../../src/import/openslo/import-openslo.js';
import { pyrraImporter } from '../../src/import/pyrra/import-pyrra.js';
import type { ImportOptions, Importer } from '../../src/import/registry.js';
import { slothImporter } from '../../src/import/sloth/import-sloth.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';
import { sloModelsFromSource } from '../../src/load/load-slos.js';
import type { SloModel } from '../../src/model/types.js';

const fixtures = path.resolve(import.meta.dirname, 'fixtures');

/** Imports the files and loads the written specs back as vigil models. */
function importModels(importer: Importer, files: string[], options: ImportOptions = {}): SloModel[] {
  const run = importer.importFiles(
    files.map((f) => ({ file: f, text: fs.readFileSync(path.join(fixtures, f), 'utf8') })),
    options,
  );
  const diags = new Diagnostics();
  const models = run.outputs.flatMap((o) => sloModelsFromSource(parseYamlSource(`slos/${o.path}`, o.content, diags)!, diags)?.models ?? []);
  expect(diags.errors).toEqual([]);
  return models;
}

const table = (m: SloModel) =>
  m.windows.map((w) => ({
    tier: w.tier,
    short: w.short,
    long: w.long,
    factor: Number(w.factor.toPrecision(10)),
    threshold: Number(w.threshold.toPrecision(10)),
  }));

describe('an imported Sloth SLO equals what Sloth generates', () => {
  it('for getting-started.yml: objective 99.9, period 30d, and the four window pairs, factors and thresholds of sloth.md §2.1/§2.4', () => {
    const [m] = importModels(slothImporter, ['sloth/getting-started.yml']);
    expect(m!.id).toBe('myservice-requests-availability');
    expect(m!.objective).toBeCloseTo(0.999, 12);
    expect(m!.period).toBe('30d');
    expect(m!.periodMinutes).toBe(43200);
    // Sloth's default 30d catalog: page 5m/1h 14.4, 30m/6h 6; ticket 2h/1d 3, 6h/3d 1; threshold = factor × (100 − 99.9)/100.
    const b = 0.001;
    expect(table(m!)).toEqual([
      { tier: 'page', short: '5m', long: '1h', factor: 14.4, threshold: Number((14.4 * b).toPrecision(10)) },
      { tier: 'page', short: '30m', long: '6h', factor: 6, threshold: Number((6 * b).toPrecision(10)) },
      { tier: 'ticket', short: '2h', long: '1d', factor: 3, threshold: Number((3 * b).toPrecision(10)) },
      { tier: 'ticket', short: '6h', long: '3d', factor: 1, threshold: Number((1 * b).toPrecision(10)) },
    ]);
    expect(m!.alertName).toBe('MyServiceHighErrorRate');
    expect(m!.windows.map((w) => w.severity)).toEqual(['pageteam', 'pageteam', 'slack', 'slack']);
    expect(m!.labels).toEqual({ owner: 'myteam', repo: 'myorg/myservice', tier: '2' });
  });

  it('with --period 28d (sloth generate --default-slo-period 28d): the 28d catalog, same windows, factors 13.44 / 5.6 / 2.8 / 0.9333 (sloth.md §2.1)', () => {
    const [m] = importModels(slothImporter, ['sloth/getting-started.yml'], { period: '28d' });
    expect(m!.period).toBe('28d');
    expect(table(m!).map((r) => [r.short, r.long, r.factor])).toEqual([
      ['5m', '1h', 13.44],
      ['30m', '6h', 5.6],
      ['2h', '1d', 2.8],
      ['6h', '3d', 0.9333333333],
    ]);
  });

  it("for the multifile example's 99.99 SLO: thresholds scale with the budget as Sloth's do", () => {
    const models = importModels(slothImporter, ['sloth/multifile.yml']);
    const m = models.find((x) => x.service === 'myservice2')!;
    expect(table(m).map((r) => r.threshold)).toEqual([14.4, 6, 3, 1].map((f) => Number((f * 0.0001).toPrecision(10))));
  });
});

describe('an imported OpenSLO v1alpha SLO equals what Sloth generates from it (the only tool that does)', () => {
  it('objective = target × 100 and period = count days; with 28 days, the 28d catalog factors 13.44 / 5.6 / 2.8 / 0.9333 on the same windows', () => {
    const models = importModels(opensloImporter, ['authored/openslo-v1alpha.yaml']);
    expect(models.map((m) => [m.id, m.objectivePercent, m.period])).toEqual([
      ['my-service-sloth-slo-my-service-0', 99.9, '28d'],
      ['my-service-sloth-slo-my-service-1', 99, '28d'],
    ]);
    expect(table(models[0]!).map((r) => [r.short, r.long, r.factor])).toEqual([
      ['5m', '1h', 13.44],
      ['30m', '6h', 5.6],
      ['2h', '1d', 2.8],
      ['6h', '3d', 0.9333333333],
    ]);
  });
});

describe('an imported Pyrra SLO', () => {
  it('keeps objective, period and grouping, and its thresholds keep the shape factor × (1 − target)', () => {
    const [m] = importModels(pyrraImporter, ['pyrra/prometheus-probe-success.yaml']);
    expect(m!.objective).toBeCloseTo(0.99, 12);
    expect(m!.period).toBe('7d');
    expect(m!.groupBy).toEqual(['target']);
    for (const w of m!.windows) expect(w.threshold).toBeCloseTo(w.factor * 0.01, 12);
  });

  it("differs from Pyrra's tiers exactly as IMP040 says: Pyrra 7d uses 1m/15m 14x, 8m/1h30m 7x, 30m/6h 2x, 1h30m/1d 1x (pyrra.md §2)", () => {
    const [m] = importModels(pyrraImporter, ['pyrra/prometheus-probe-success.yaml']);
    const pyrra7d = [
      ['1m', '15m', 14],
      ['8m', '1h30m', 7],
      ['30m', '6h', 2],
      ['1h30m', '1d', 1],
    ];
    const vigil = table(m!).map((r) => [r.short, r.long, Number(r.factor.toPrecision(4))]);
    // vigil keeps the Workbook's budget shares (2/5/10/10%) on its own snapped windows.
    expect(vigil).toEqual([
      ['1m', '15m', 13.44],
      ['5m', '1h', 8.4],
      ['30m', '6h', 2.8],
      ['1h', '12h', 1.4],
    ]);
    expect(vigil).not.toEqual(pyrra7d);
    // Both spend about the same share of budget on the fast page pair: 14 × 15m / 7d = 2.08% (Pyrra), 2% (vigil).
    expect(m!.windows[0]!.budgetShare).toBe(0.02);
  });
});

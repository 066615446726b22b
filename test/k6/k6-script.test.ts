import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProject } from '../../src/build/build-project.js';
import { explainRows } from '../../src/cli/commands/explain/index.js';
import { generateK6Script } from '../../src/generate/k6/k6-script.js';
import { k6Scenarios, planBurnDrill } from '../../src/generate/k6/k6-scenarios.js';
import { isHttpSlo, k6Measurements, k6Targets, subMetricKey, thresholdExpression, type K6Target } from '../../src/generate/k6/k6-targets.js';
import type { ProjectModel } from '../../src/project/project-model.js';
import { AGGREGATIONS, BUILTIN_METRIC_TYPES, parseMetricKey, parseThreshold, scenarioProblems } from './k6-grammar.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shop = path.join(import.meta.dirname, 'fixtures/shop');
let model: ProjectModel;
let repoModel: ProjectModel;
let targets: K6Target[];

beforeAll(async () => {
  const checked = await checkProject(shop);
  expect(checked.diagnostics.sorted()).toEqual([]);
  model = checked.model;
  targets = k6Targets(model);
  repoModel = (await checkProject(repo)).model;
});

const target = (service: string) => targets.find((t) => t.service === service)!;

describe('which services get a load test', () => {
  it('takes services with HTTP request SLOs, and leaves gauge-only services out', () => {
    expect(targets.map((t) => t.service)).toEqual(['checkout', 'inference']);
    expect(target('checkout').slos.map((s) => s.name)).toEqual(['availability', 'latency']);
  });

  it("in this repo: the request SLOs of document-processing and gpu-inference, not the exporter's up or the time to first token", () => {
    const t = k6Targets(repoModel);
    expect(t.map((x) => [x.service, x.slos.map((s) => s.name)])).toEqual([
      ['document-processing', ['errors', 'latency']],
      ['gpu-inference', ['availability', 'latency']],
    ]);
    expect(repoModel.slos.filter(isHttpSlo).length).toBe(4);
  });
});

describe('thresholds follow k6’s documented grammar', () => {
  it('every threshold parses, uses an aggregation its metric type allows, and its key is a valid (sub-)metric', () => {
    for (const t of targets)
      for (const m of k6Measurements(t)) {
        const parsed = parseThreshold(thresholdExpression(m));
        expect(parsed, thresholdExpression(m)).toBeDefined();
        const type = BUILTIN_METRIC_TYPES[m.metric] ?? 'rate'; // vigil_slow_* are Rate metrics
        expect(AGGREGATIONS[type]).toContain(parsed!.aggregation);
        expect(parseMetricKey(subMetricKey(m.metric, m.tags))).toEqual({ name: m.metric, tags: m.tags });
      }
  });

  it('are 1 − objective for errors and the objective percentile below the threshold in ms for latency, per tagged group', () => {
    const rows = k6Measurements(target('checkout')).map((m) => `${subMetricKey(m.metric, m.tags)} ${thresholdExpression(m)}`);
    expect(rows).toEqual([
      'http_req_failed{endpoint:/v1/cart} rate<=0.001',
      'http_req_failed{endpoint:/v1/pay} rate<=0.001',
      'http_req_duration p(99)<=300',
      'vigil_slow_checkout_latency rate<=0.01',
    ]);
    // A _milliseconds histogram's threshold is already in ms; a grouped latency SLO is split per model.
    expect(
      k6Measurements(target('inference'))
        .filter((m) => m.kind === 'latency')
        .map((m) => `${subMetricKey(m.metric, m.tags)} ${thresholdExpression(m)}`),
    ).toEqual(['http_req_duration{model:llama-3-8b} p(95)<=800', 'http_req_duration{model:mistral-7b} p(95)<=800']);
  });

  it('the grammar rejects what k6 rejects (the parser is not a rubber stamp)', () => {
    for (const bad of ['p95<200', 'p(101)<1', 'rate <', 'avg=>3', 'mean<3', 'rate<abc']) expect(parseThreshold(bad), bad).toBeUndefined();
    for (const bad of ['http_req_duration{model}', '9metric', 'a{b:}']) expect(parseMetricKey(bad), bad).toBeUndefined();
    expect(parseThreshold('p(99.9) <= 250')).toEqual({ aggregation: 'p(N)', percentile: 99.9, operator: '<=', value: 250 });
  });
});

describe('scenarios have the fields k6 documents for their executor', () => {
  it('smoke is constant-vus, baseline and burn-drill constant-arrival-rate, each complete', () => {
    for (const t of [...targets, ...k6Targets(repoModel)]) {
      const scenarios = k6Scenarios(t, planBurnDrill(t));
      expect(Object.keys(scenarios)).toEqual(['smoke', 'baseline', 'burn-drill']);
      for (const [name, s] of Object.entries(scenarios)) expect(scenarioProblems(s as unknown as Record<string, unknown>), name).toEqual([]);
    }
    expect(k6Scenarios(target('checkout'), undefined).baseline).toEqual({
      executor: 'constant-arrival-rate',
      rate: 50,
      timeUnit: '1s',
      duration: '15m',
      preAllocatedVUs: 20,
      maxVUs: 200,
      tags: { vigil_scenario: 'baseline' },
    });
  });

  it('the shape check catches a missing rate and an unknown field', () => {
    expect(scenarioProblems({ executor: 'constant-arrival-rate', duration: '1m', preAllocatedVUs: 1, vus: 3 })).toEqual([
      'constant-arrival-rate needs rate',
      'constant-arrival-rate has no field vus',
    ]);
  });
});

describe('the burn drill', () => {
  it('fails factor × (1 − objective) of requests and predicts the page as vigil explain does', () => {
    const drill = planBurnDrill(target('inference'))!;
    expect(drill.slo.id).toBe('inference-availability');
    expect(drill.fraction).toBe(0.144); // 28.8 × 0.5%
    const slo = drill.slo;
    // At a 100% error ratio `vigil explain` tabulates the detection time; a drill at factor 1/budget sends exactly that.
    const full = planBurnDrill({
      ...target('inference'),
      config: { ...target('inference').config, burnDrill: { ...target('inference').config.burnDrill, factor: 1 / slo.errorBudget } },
    })!;
    expect(full.fraction).toBe(1);
    expect(full.pages.map((p) => p.minutes)).toEqual(
      explainRows(slo)
        .filter((r) => r.tier === 'page')
        .map((r) => r.detectionMinutes.at100pct),
    );
    expect(drill.pages.map((p) => [p.long, p.minutes])).toEqual([
      ['1h', 28],
      ['6h', 70],
    ]);
    expect(drill.timeToPageMinutes).toBe(28);
  });

  it('at exactly 14.4x on a 30d SLO the 1h/5m pair only ties its factor and does not fire; the 6h/30m pair pages after 2.5 h', () => {
    const drill = planBurnDrill(target('checkout'))!;
    expect(drill.fraction).toBe(0.0144);
    expect(drill.pages).toEqual([
      { long: '1h', short: '5m', factor: 14.4, minutes: undefined },
      { long: '6h', short: '30m', factor: 6, minutes: 150 },
    ]);
    expect(drill.duration).toBe('3h');
    expect(generateK6Script(target('checkout')).text).toContain('1h/5m (factor 14.4×): does not fire (burn rate 14.4× is not above 14.4×)');
  });

  it('the script fails exactly that share of iterations, evenly spread (its faulted() run as written)', () => {
    const text = generateK6Script(target('checkout')).text;
    const fraction = Number(/const FAULT_FRACTION = ([\d.e-]+);/.exec(text)![1]);
    const body = /function faulted\(i: number\): boolean \{\n([\s\S]*?)\n\}/.exec(text)![1]!;
    const faulted = vm.runInNewContext(`(i) => { ${body} }`, { FAULT_FRACTION: fraction }) as (i: number) => boolean;
    expect(fraction).toBe(0.0144);
    const n = 100_000;
    const hits = Array.from({ length: n }, (_, i) => faulted(i));
    expect(hits.filter(Boolean).length).toBe(Math.floor(n * fraction));
    // Evenly: every window of 700 iterations (share: 10.08) holds 10 or 11 of them.
    for (let start = 0; start + 700 <= n; start += 700) expect([10, 11]).toContain(hits.slice(start, start + 700).filter(Boolean).length);
  });

  it('caps the failed share at 100% and says so', () => {
    const t = target('checkout');
    const drill = planBurnDrill({ ...t, config: { ...t.config, burnDrill: { ...t.config.burnDrill, factor: 5000 } } })!;
    expect(drill.fraction).toBe(1);
    expect(drill.burnRate).toBe(1000);
  });
});

describe('the generated script', () => {
  it('is deterministic, names each threshold’s SLO, and reads URL and credentials from the environment only', () => {
    const a = generateK6Script(target('checkout'));
    expect(generateK6Script(k6Targets(model).find((t) => t.service === 'checkout')!).text).toBe(a.text);
    expect(a.path).toBe('k6/checkout.ts');
    expect(a.text.split('\n')[0]).toBe('// generated by vigil from slos/checkout.yaml, vigil.config.yaml, do not edit');
    expect(a.text).toContain("'http_req_failed{endpoint:/v1/pay}': [\n    'rate<=0.001', // SLO checkout-availability");
    expect(a.text).toContain("const BASE_URL = requiredEnv('K6_BASE_URL_CHECKOUT')");
    expect(a.text).toContain("Authorization: `Bearer ${requiredEnv('CHECKOUT_TOKEN')}`");
    expect(a.text).toContain('http.setResponseCallback(http.expectedStatuses({ min: 200, max: 499 }));');
    expect(a.text).toContain(`body: '{"amount":12.5,"currency":"EUR","note":"it\\'s paid"}'`);
    expect(a.text).toContain('const SCHEDULE: readonly number[] = [0, 1, 1, 1];');
    expect(a.text).not.toMatch(/https?:\/\/(?!\.\.\.)/);
    const inf = generateK6Script(target('inference')).text;
    expect(inf).toContain('"prompt": "Say hi"'); // bodyFile read at load and inlined
    expect(inf).toContain('const url = BASE_URL + (fault ? FAULT_PATH : req.path);');
  });

  it('type-checks under tsc --noEmit --strict against @types/k6 (and a broken script does not)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-k6-tsc-'));
    try {
      fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
      const scripts = [...targets, ...k6Targets(repoModel)].map((t) => generateK6Script(t));
      fs.mkdirSync(path.join(dir, 'ok'));
      for (const s of scripts) fs.writeFileSync(path.join(dir, 'ok', `${path.basename(s.path, '.ts')}-${scripts.indexOf(s)}.ts`), s.text);
      fs.mkdirSync(path.join(dir, 'broken'));
      fs.writeFileSync(path.join(dir, 'broken', 'x.ts'), scripts[0]!.text.replace("executor: 'constant-vus'", "executor: 'constant-vu'"));
      const tsconfig = (include: string) => ({
        compilerOptions: {
          target: 'ES2020',
          module: 'ES2020',
          moduleResolution: 'bundler',
          strict: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          types: ['k6'],
          lib: ['ES2020'],
          skipLibCheck: false,
        },
        include: [`${include}/*.ts`],
      });
      fs.writeFileSync(path.join(dir, 'tsconfig.ok.json'), JSON.stringify(tsconfig('ok')));
      fs.writeFileSync(path.join(dir, 'tsconfig.broken.json'), JSON.stringify(tsconfig('broken')));
      const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
      const ok = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.ok.json'], { cwd: dir }).then(
        () => '',
        (e: { stdout: string }) => e.stdout,
      );
      expect(ok).toBe('');
      const broken = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.broken.json'], { cwd: dir }).then(
        () => '',
        (e: { stdout: string }) => e.stdout,
      );
      expect(broken).toMatch(/error TS\d+: Type ."constant-vu". is not assignable/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProject } from '../../src/build/build-project.js';
import { k6Targets, type K6Target } from '../../src/generate/k6/k6-targets.js';
import { compareSummaries } from '../../src/k6/compare-summaries.js';
import { parseK6Summary, readK6Summary } from '../../src/k6/read-summary.js';
import { verifySummary } from '../../src/k6/verify-summary.js';
import { DEFAULT_K6_COMPARE } from '../../src/load/k6-config.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const summary = (name: string) => readK6Summary(path.join(fixtures, 'summaries', name), name);
let checkout: K6Target;
let inference: K6Target;

beforeAll(async () => {
  const { model } = await checkProject(path.join(fixtures, 'shop'));
  [checkout, inference] = k6Targets(model) as [K6Target, K6Target];
});

describe('reading k6 summaries', () => {
  it('reads both documented forms to the same statistics', async () => {
    const exp = await summary('checkout-pass.summary-export.json');
    const handle = await summary('checkout-fail.handle-summary.json');
    expect(exp.format).toBe('summary-export');
    expect(handle.format).toBe('handleSummary');
    expect(exp.metrics.get('http_req_failed{endpoint:/v1/pay}')).toEqual({ type: 'rate', values: { passes: 28, fails: 34972, value: 0.0008, rate: 0.0008 } });
    expect(handle.metrics.get('http_req_failed{endpoint:/v1/pay}')).toEqual({ type: 'rate', values: { rate: 0.0025, passes: 75, fails: 29925 } });
    expect(exp.metrics.get('http_reqs')).toEqual({ type: 'counter', values: { count: 45000, rate: 49.9876 } });
    expect(exp.metrics.get('http_req_duration')!.type).toBe('trend');
    expect(exp.metrics.get('vus')).toEqual({ type: 'gauge', values: { value: 20, min: 20, max: 20 } });
    expect(handle.metrics.get('http_req_duration')!.values['p(99)']).toBe(340);
  });

  it('gives the same result whatever the chunk size (strings, keys and values split across chunks)', async () => {
    const file = path.join(fixtures, 'summaries', 'checkout-fail.handle-summary.json');
    const whole = parseK6Summary(fs.readFileSync(file, 'utf8'), 'x');
    for (const chunkBytes of [1, 7, 64]) expect((await readK6Summary(file, 'x', { chunkBytes })).metrics).toEqual(whole.metrics);
    // With a filter only the wanted metrics are parsed; every name is still listed.
    const some = await readK6Summary(file, 'x', { want: (n) => n.startsWith('http_req_failed{'), chunkBytes: 5 });
    expect([...some.metrics.keys()]).toEqual(['http_req_failed{endpoint:/v1/cart}', 'http_req_failed{endpoint:/v1/pay}']);
    expect([...some.names]).toEqual([...whole.metrics.keys()]);
  });

  it('reads null and bare NaN as NaN, and drops everything outside metrics', () => {
    const s = parseK6Summary('{"root_group":{"metrics":{"x":{"avg":1}}},"metrics":{"a\\"b":{"avg":NaN,"p(95)":null,"med":"NaN","max":2}},"state":{}}', 't');
    expect([...s.metrics.keys()]).toEqual(['a"b']);
    expect(s.metrics.get('a"b')!.values).toEqual({ avg: NaN, 'p(95)': NaN, med: NaN, max: 2 });
  });

  it('says why a file is not a summary', async () => {
    expect(() => parseK6Summary('[1]', 'a.json')).toThrow('a.json: not a k6 summary (a JSON object with "metrics")');
    expect(() => parseK6Summary('{"state":{}}', 'a.json')).toThrow('a.json: not a k6 summary: no top-level "metrics" object');
    expect(() => parseK6Summary('{"metrics":{"x":{"avg":1}', 'a.json')).toThrow('a.json: truncated');
    expect(() => parseK6Summary('', 'a.json')).toThrow('a.json: empty');
    expect(() => parseK6Summary('{"metrics":{"x":{"avg":1,,}}}', 'a.json')).toThrow('a.json: metrics.x is not valid JSON');
    await expect(readK6Summary(path.join(os.tmpdir(), 'vigil-no-such-summary.json'), 'gone.json')).rejects.toThrow('gone.json: cannot read: ENOENT');
  });
});

describe('vigil k6 verify: a summary judged against the SLOs', () => {
  it('passes a run within every objective, with the burn per SLO group', async () => {
    const r = verifySummary(checkout, await summary('checkout-pass.summary-export.json'));
    expect(r.ok).toBe(true);
    expect(r.verdicts.map((v) => [v.slo, v.group, v.status, v.badRatio, v.burnRate, v.budgetPerHour])).toEqual([
      ['checkout-availability', { endpoint: '/v1/cart' }, 'pass', 0.0004, 0.4, 0.000555556],
      ['checkout-availability', { endpoint: '/v1/pay' }, 'pass', 0.0008, 0.8, 0.00111111],
      ['checkout-latency', {}, 'pass', 0.005, 0.5, 0.000694444],
    ]);
    // budget per hour = burn rate ÷ period hours: 0.4 ÷ 720 h (30d).
    expect(r.verdicts[0]!.hoursToExhaust).toBe(1800);
    expect(r.verdicts[2]!.percentile).toEqual({ stat: 'p(99)', ms: 260.2, limitMs: 300 });
  });

  it('fails the endpoint over budget and the latency SLO over its percentile and its slow share', async () => {
    const r = verifySummary(checkout, await summary('checkout-fail.handle-summary.json'));
    expect(r.ok).toBe(false);
    expect(r.verdicts.map((v) => [v.status, v.reasons])).toEqual([
      ['pass', []],
      ['fail', ['error ratio 0.25% is above the budget 0.1%']],
      ['fail', ['p(99) 340 ms is above 300 ms', '1.8% of requests slower than 300 ms, above the budget 1%']],
    ]);
    expect(r.verdicts[1]!.burnRate).toBe(2.5);
  });

  it('a missing sub-metric, a null percentile or a bare NaN is "not measured", which fails', async () => {
    const missing = verifySummary(checkout, await summary('checkout-missing.handle-summary.json'));
    expect(missing.verdicts.map((v) => [v.status, v.reasons])).toEqual([
      ['pass', []],
      ['not-measured', ['http_req_failed{endpoint:/v1/pay} is not in the summary']],
      ['not-measured', ['http_req_duration p(99) is NaN or null']],
    ]);
    expect(missing.ok).toBe(false);
    const nan = verifySummary(checkout, await summary('checkout-nan.summary-export.json'));
    expect(nan.verdicts.map((v) => v.status)).toEqual(['pass', 'pass', 'not-measured']);
  });

  it('reads tagged sub-metrics per model for a grouped SLO (a _milliseconds histogram in ms)', async () => {
    const r = verifySummary(inference, await summary('inference.handle-summary.json'));
    expect(r.verdicts.map((v) => [v.slo, v.group.model, v.status, v.percentile?.ms ?? v.badRatio])).toEqual([
      ['inference-availability', 'llama-3-8b', 'pass', 0.002],
      ['inference-availability', 'mistral-7b', 'pass', 0.001],
      ['inference-latency', 'llama-3-8b', 'pass', 760],
      ['inference-latency', 'mistral-7b', 'pass', 640],
    ]);
    // The same summary holds no checkout endpoint sub-metrics (not measured); checkout's ungrouped
    // latency SLO reads the whole http_req_duration, whose p(99) of 900 ms fails it.
    expect(verifySummary(checkout, await summary('inference.handle-summary.json')).verdicts.map((v) => v.status)).toEqual([
      'not-measured',
      'not-measured',
      'fail',
    ]);
  });
});

describe('vigil k6 compare: two runs against the regression thresholds', () => {
  it('flags a p95 rise over its limit and names the figure the candidate lacks', async () => {
    const r = compareSummaries(await summary('baseline.summary-export.json'), await summary('candidate.handle-summary.json'), {
      ...DEFAULT_K6_COMPARE,
      p95: 5,
      throughput: 20,
    });
    expect(r.figures.map((f) => [f.name, f.base, f.candidate, f.change, f.regression, f.missing])).toEqual([
      ['p50', 95, 99, 4.21053, false, null],
      ['p95', 180, 207, 15, true, null],
      ['p99', 250, null, null, false, 'candidate'],
      ['errorRatio', 0.0005, 30 / 24600, 0.000719512, false, null],
      ['throughput', 50, 41, -18, false, null],
    ]);
    expect(r.ok).toBe(false);
  });

  it('flags a throughput drop and an error-ratio rise beyond their limits, and passes a like-for-like run', async () => {
    const base = await summary('baseline.summary-export.json');
    const cand = await summary('candidate.handle-summary.json');
    const strict = compareSummaries(base, cand, { ...DEFAULT_K6_COMPARE, p95: 50, errorRatio: 0.0005 });
    expect(strict.figures.filter((f) => f.regression).map((f) => f.name)).toEqual(['errorRatio', 'throughput']);
    expect(compareSummaries(base, await summary('candidate-ok.handle-summary.json'), DEFAULT_K6_COMPARE)).toMatchObject({ ok: true, compared: 5 });
  });

  it('is not ok when the runs share no figure', () => {
    const a = parseK6Summary('{"metrics":{"vus":{"value":1}}}', 'a');
    expect(compareSummaries(a, a, DEFAULT_K6_COMPARE)).toMatchObject({ ok: false, compared: 0 });
  });
});

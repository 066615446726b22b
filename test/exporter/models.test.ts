import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Diagnostics, formatDiagnostic } from '../../src/diagnostics.js';
import { parseYamlSource } from '../../src/load/yaml-source.js';
import { checkModelsSource, loadModelsFile } from '../../exporters/gpu/models/load-models-file.js';
import { parsePrometheusText } from '../../exporters/gpu/models/parse-prometheus-text.js';
import { normalizeModelMetrics } from '../../exporters/gpu/models/normalize-model-metrics.js';
import { ModelScraper } from '../../exporters/gpu/models/model-scraper.js';
import { silentLogger } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('the Prometheus text parser', () => {
  it('reads names with colons, escaped labels, special values and timestamps', () => {
    const text =
      '# HELP x y\n# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{model_name="m\\"1",engine="0"} 3 1700000000000\nup 1\nnan_metric NaN\ninf{a="b"} +Inf\nbad line here\n{}\n# EOF\n';
    const parsed = parsePrometheusText(text);
    expect(parsed.samples[0]).toEqual({ name: 'vllm:num_requests_waiting', labels: { model_name: 'm"1', engine: '0' }, value: 3 });
    expect(parsed.samples.map((s) => s.name)).toEqual(['vllm:num_requests_waiting', 'up', 'nan_metric', 'inf']);
    expect(parsed.samples[3]!.value).toBe(Infinity);
    expect(parsed.badLines).toBe(2);
  });

  it('never throws on arbitrary text and round-trips well-formed samples (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => void parsePrometheusText(s)),
      { numRuns: 2000 },
    );
    const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
    const label = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/);
    fc.assert(
      fc.property(
        name,
        fc.dictionary(label, fc.string({ maxLength: 20 }), { maxKeys: 4 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (n, labels, v) => {
          const esc = (x: string) => x.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
          const line = `${n}{${Object.entries(labels)
            .map(([k, x]) => `${k}="${esc(x)}"`)
            .join(',')}} ${v}`;
          const parsed = parsePrometheusText(line);
          expect(parsed.samples).toEqual([{ name: n, labels, value: v === 0 ? 0 : v }]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('model metric normalization', () => {
  it('sums Triton pending requests over versions, per model', () => {
    const samples = parsePrometheusText(
      'nv_inference_pending_request_count{model="resnet50",version="1"} 3\nnv_inference_pending_request_count{model="resnet50",version="2"} 2\nnv_inference_pending_request_count{model="other",version="1"} 9\n',
    ).samples;
    const out = normalizeModelMetrics({ name: 'triton', type: 'triton', url: 'http://x', models: [{ name: 'resnet50' }, { name: 'bert-ner' }] }, samples);
    expect(out).toEqual([
      { server: 'triton', model: 'resnet50', up: true, queueDepth: 5 },
      { server: 'triton', model: 'bert-ner', up: false },
    ]);
  });

  it('reads vLLM waiting/running by model_name and TGI queue size for its single model', () => {
    const vllm = normalizeModelMetrics(
      { name: 'gw', type: 'vllm', url: 'http://x' },
      parsePrometheusText('vllm:num_requests_waiting{model_name="llama",engine="0"} 4\nvllm:num_requests_running{model_name="llama",engine="0"} 7\n').samples,
    );
    expect(vllm).toEqual([{ server: 'gw', model: 'llama', up: true, queueDepth: 4, running: 7 }]);
    const tgi = normalizeModelMetrics(
      { name: 'tgi', type: 'tgi', url: 'http://x', models: [{ name: 'mistral' }] },
      parsePrometheusText('tgi_queue_size 6\ntgi_batch_current_size 2\n').samples,
    );
    expect(tgi).toEqual([{ server: 'tgi', model: 'mistral', up: true, queueDepth: 6, running: 2 }]);
  });
});

describe('model metric normalization on constructed expositions of TensorRT-LLM and data-parallel vLLM', () => {
  // Both fixtures are written from the servers' documented metric names, not captured from a server.
  const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures/model-servers', name), 'utf8');
  const triton = { name: 'triton', type: 'triton' as const, url: 'http://x' };

  it("takes a TensorRT-LLM model's queue from its batcher's waiting requests, not Triton's pending count, and running from scheduled", () => {
    const out = normalizeModelMetrics(triton, parsePrometheusText(fixture('triton-trtllm.prom')).samples);
    expect(out).toEqual([
      { server: 'triton', model: 'ensemble', up: true, queueDepth: 0 },
      { server: 'triton', model: 'postprocessing', up: true, queueDepth: 0 },
      { server: 'triton', model: 'preprocessing', up: true, queueDepth: 0 },
      { server: 'triton', model: 'resnet50', up: true, queueDepth: 3 },
      { server: 'triton', model: 'tensorrt_llm', up: true, queueDepth: 6, running: 8 },
    ]);
  });

  it("falls back to Triton's pending count for the same model when the TensorRT-LLM request family is absent", () => {
    const text = fixture('triton-trtllm.prom')
      .split('\n')
      .filter((l) => !l.includes('nv_trt_llm_request_metrics'))
      .join('\n');
    const out = normalizeModelMetrics({ ...triton, models: [{ name: 'tensorrt_llm' }] }, parsePrometheusText(text).samples);
    expect(out).toEqual([{ server: 'triton', model: 'tensorrt_llm', up: true, queueDepth: 0 }]);
  });

  it('sums waiting and scheduled over model versions and ignores pending for a model that has them', () => {
    const text = [
      'nv_inference_pending_request_count{model="tensorrt_llm",version="1"} 4',
      'nv_inference_pending_request_count{model="tensorrt_llm",version="2"} 9',
      'nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="waiting",version="1"} 6',
      'nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="waiting",version="2"} 1',
      'nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="scheduled",version="1"} 8',
      'nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="scheduled",version="2"} 2',
      'nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="active",version="1"} 14',
    ].join('\n');
    expect(normalizeModelMetrics(triton, parsePrometheusText(text).samples)).toEqual([
      { server: 'triton', model: 'tensorrt_llm', up: true, queueDepth: 7, running: 10 },
    ]);
  });

  it("sums vLLM V1's waiting and running over data-parallel engines", () => {
    const out = normalizeModelMetrics({ name: 'gw', type: 'vllm', url: 'http://x' }, parsePrometheusText(fixture('vllm-data-parallel.prom')).samples);
    expect(out).toEqual([{ server: 'gw', model: 'llama-3.1-8b-instruct', up: true, queueDepth: 8, running: 22 }]);
  });
});

describe('the models file', () => {
  it('accepts the repository models file', async () => {
    const diags = new Diagnostics();
    const config = await loadModelsFile(path.join(REPO, 'exporters/gpu/models.yaml'), REPO, diags);
    expect(diags.items).toEqual([]);
    expect(config?.spec.servers.map((s) => s.name)).toEqual(['document-processing', 'llm-gateway', 'triton']);
    expect(config?.scrapeIntervalMs).toBe(10_000);
  });

  it.each([
    [
      'unknown key',
      'apiVersion: vigil/v1\nkind: ModelServers\nservers:\n  - name: a\n    type: vllm\n    url: http://a/metrics\n    tiemout: 1s\n',
      'models.yaml:7:5: error EXP001: servers[0].tiemout: unknown key "tiemout"',
    ],
    [
      'bad type',
      'apiVersion: vigil/v1\nkind: ModelServers\nservers:\n  - name: a\n    type: onnx\n    url: http://a/metrics\n',
      'models.yaml:5:11: error EXP004',
    ],
    [
      'generic without mapping',
      'apiVersion: vigil/v1\nkind: ModelServers\nservers:\n  - name: a\n    type: generic\n    url: http://a/metrics\n',
      'models.yaml:4:5: error EXP006',
    ],
    [
      'duplicate server',
      'apiVersion: vigil/v1\nkind: ModelServers\nservers:\n  - { name: a, type: vllm, url: "http://a/m" }\n  - { name: a, type: vllm, url: "http://b/m" }\n',
      'models.yaml:5:13: error EXP005',
    ],
    [
      'timeout above interval',
      'apiVersion: vigil/v1\nkind: ModelServers\nscrapeInterval: 1s\nscrapeTimeout: 5s\nservers:\n  - { name: a, type: vllm, url: "http://a/m" }\n',
      'models.yaml:4:16: error EXP004',
    ],
  ])('reports %s with its position', (_name, text, expected) => {
    const diags = new Diagnostics();
    const source = parseYamlSource('models.yaml', text, diags)!;
    expect(checkModelsSource(source, diags)).toBeUndefined();
    expect(diags.sorted().map(formatDiagnostic).join('\n')).toContain(expected);
  });
});

describe('the model scraper', () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });
  const serve = async (handler: http.RequestListener) => {
    const s = http.createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/metrics`;
  };

  it('marks only the dead and the slow server down', async () => {
    const good = await serve((_q, res) => res.end('vllm:num_requests_waiting{model_name="llama"} 5\nvllm:num_requests_running{model_name="llama"} 2\n'));
    const slow = await serve((_q, res) => void setTimeout(() => res.end('tgi_queue_size 1\n'), 1500));
    const dead = 'http://127.0.0.1:1/metrics';
    const failures: string[] = [];
    const config = {
      file: 'm.yaml',
      scrapeIntervalMs: 10_000,
      scrapeTimeoutMs: 300,
      spec: {
        apiVersion: 'vigil/v1' as const,
        kind: 'ModelServers' as const,
        servers: [
          { name: 'good', type: 'vllm' as const, url: good, models: [{ name: 'llama' }] },
          { name: 'slow', type: 'tgi' as const, url: slow, models: [{ name: 'mistral' }] },
          { name: 'dead', type: 'triton' as const, url: dead, models: [{ name: 'resnet50' }] },
        ],
      },
    };
    const scraper = new ModelScraper({ config, logger: silentLogger, onFailure: (s, r) => failures.push(`${s}:${r}`) });
    const t0 = Date.now();
    await scraper.scrapeAll();
    expect(Date.now() - t0).toBeLessThan(1200);
    expect(scraper.statuses()).toEqual([
      { server: 'good', model: 'llama', up: true, queueDepth: 5, running: 2 },
      { server: 'slow', model: 'mistral', up: false },
      { server: 'dead', model: 'resnet50', up: false },
    ]);
    expect(failures.sort()).toEqual(['dead:connect', 'slow:timeout']);
    scraper.stop();
  });
});

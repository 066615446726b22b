import { clusterVariable, dashboard, labelVariable, prom, promInstant, row, stat, table, timeseries } from '../src/dashboards/index.js';
import { sloDashboardUrl } from '../src/conventions.js';

/** Requests of the selected models on the inference servers (the gpu-inference SLO's series). */
const REQ = 'job="gpu-inference", cluster=~"$cluster", model=~"$model"';
/** Model-server queue series from the GPU exporter. */
const QUEUE = 'cluster=~"$cluster", model=~"$model"';

/** Latency quantile `q` per model from the request-duration histogram. */
const quantile = (q: number) =>
  prom(
    `histogram_quantile(${q}, sum by (model, le) (rate(inference_request_duration_seconds_bucket{${REQ}}[$__rate_interval])))`,
    `{{model}} p${Math.round(q * 100)}`,
  );

export default dashboard({
  title: 'Inference and model serving',
  description:
    'Model serving on GPUs: request latency quantiles, throughput, errors, batch size, queue depth and running requests per model, and time to first token of LLMs served by vLLM.',
  tags: ['inference', 'gpu'],
  variables: [
    clusterVariable('vigil_model_up'),
    labelVariable('model', { selector: 'vigil_model_up{cluster=~"$cluster"}', description: 'Served model (exporter label `model`).' }),
  ],
  links: [{ title: 'SLO: gpu-inference', url: sloDashboardUrl('gpu-inference', 'gpu-inference-availability') }],
  rows: [
    row('Now', [
      stat('Models up', {
        description: "Models whose server answered the exporter's last scrape and served the model.",
        unit: 'none',
        thresholds: [
          ['red', null],
          ['green', 1],
        ],
        queries: [promInstant(`sum(vigil_model_up{${QUEUE}})`)],
      }),
      stat('Models down', {
        description: 'Models the exporter could not reach or find.',
        unit: 'none',
        thresholds: [
          ['green', null],
          ['red', 1],
        ],
        queries: [promInstant(`count(vigil_model_up{${QUEUE}} == 0) or vector(0)`)],
      }),
      stat('Requests queued', {
        description: 'Requests waiting in model-server queues, not yet started.',
        unit: 'none',
        thresholds: [
          ['green', null],
          ['orange', 50],
          ['red', 200],
        ],
        graph: true,
        queries: [prom(`sum(vigil_model_queue_depth{${QUEUE}})`)],
      }),
      stat('Error rate', {
        description: 'Share of inference requests that failed over the last rate interval (SLO: 0.5%).',
        unit: 'percentunit',
        decimals: 2,
        thresholds: [
          ['green', null],
          ['red', 0.005],
        ],
        graph: true,
        queries: [
          prom(`sum(rate(inference_requests_total{${REQ}, status="error"}[$__rate_interval])) / sum(rate(inference_requests_total{${REQ}}[$__rate_interval]))`),
        ],
      }),
    ]),
    row('Latency and throughput', [
      timeseries('Latency p50 / p95 / p99', {
        description: 'Request latency quantiles per model from the inference_request_duration_seconds histogram. SLO: 99% within 1 s.',
        unit: 's',
        thresholds: [
          ['green', null],
          ['red', 1],
        ],
        thresholdLines: true,
        queries: [quantile(0.5), quantile(0.95), quantile(0.99)],
      }),
      timeseries('Throughput', {
        description: 'Requests per second per model.',
        unit: 'reqps',
        stack: true,
        queries: [prom(`sum by (model) (rate(inference_requests_total{${REQ}}[$__rate_interval]))`, '{{model}}')],
      }),
      timeseries('Errors per model', {
        description: 'Share of failed requests per model.',
        unit: 'percentunit',
        thresholds: [
          ['green', null],
          ['red', 0.005],
        ],
        thresholdLines: true,
        queries: [
          prom(
            `sum by (model) (rate(inference_requests_total{${REQ}, status="error"}[$__rate_interval])) / sum by (model) (rate(inference_requests_total{${REQ}}[$__rate_interval]))`,
            '{{model}}',
          ),
        ],
      }),
      timeseries('Mean batch size', {
        description: 'Inferences per model execution on Triton (nv_inference_count / nv_inference_exec_count): how well requests are batched.',
        unit: 'short',
        queries: [
          prom(
            `sum by (model) (rate(nv_inference_count{cluster=~"$cluster", model=~"$model"}[$__rate_interval])) / sum by (model) (rate(nv_inference_exec_count{cluster=~"$cluster", model=~"$model"}[$__rate_interval]))`,
            '{{model}}',
          ),
        ],
      }),
    ]),
    row('Queues', [
      timeseries('Queue depth', {
        description: 'Requests waiting per model and server; a growing queue means too few replicas.',
        unit: 'none',
        queries: [prom(`vigil_model_queue_depth{${QUEUE}}`, '{{model}} on {{server}}')],
      }),
      timeseries('Running requests', {
        description: 'Requests executing now per model and server.',
        unit: 'none',
        queries: [prom(`vigil_model_requests_running{${QUEUE}}`, '{{model}} on {{server}}')],
      }),
      table('Model servers', {
        description: 'Every model and server the exporter scrapes, and whether it is up (1) now.',
        unit: 'none',
        thresholds: [
          ['red', null],
          ['green', 1],
        ],
        queries: [promInstant(`vigil_model_up{${QUEUE}}`)],
      }),
    ]),
    row('LLM (vLLM)', [
      timeseries('Time to first token', {
        description: 'Time until the first streamed token, p50 and p95 per served model (vLLM). SLO: 95% within 1 s.',
        unit: 's',
        thresholds: [
          ['green', null],
          ['red', 1],
        ],
        thresholdLines: true,
        queries: [
          prom(
            'histogram_quantile(0.5, sum by (model_name, le) (rate(vllm:time_to_first_token_seconds_bucket{cluster=~"$cluster", model_name=~"$model"}[$__rate_interval])))',
            '{{model_name}} p50',
          ),
          prom(
            'histogram_quantile(0.95, sum by (model_name, le) (rate(vllm:time_to_first_token_seconds_bucket{cluster=~"$cluster", model_name=~"$model"}[$__rate_interval])))',
            '{{model_name}} p95',
          ),
        ],
      }),
      timeseries('vLLM requests running and waiting', {
        description: 'Requests vLLM is running and holding in its waiting queue.',
        unit: 'none',
        queries: [
          prom('sum by (model_name) (vllm:num_requests_running{cluster=~"$cluster", model_name=~"$model"})', '{{model_name}} running'),
          prom('sum by (model_name) (vllm:num_requests_waiting{cluster=~"$cluster", model_name=~"$model"})', '{{model_name}} waiting'),
        ],
      }),
    ]),
  ],
});

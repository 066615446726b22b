import { dashboard } from '../dashboard.js';
import { row } from '../layout.js';
import { stat, table, timeseries } from '../panels.js';
import { prom, promInstant } from '../queries.js';
import { clusterVariable, labelVariable } from '../variables.js';

/** Series filter shared by every GPU query: the cluster, node and GPU pickers. */
const GPU = 'cluster=~"$cluster", Hostname=~"$Hostname", gpu=~"$gpu"';

/**
 * Every GPU and every MIG instance has a framebuffer series (utilization is N/A under MIG), so GPU
 * counts and the pickers read this one. MIG instance rows carry the parent's `gpu` label.
 */
const EVERY_GPU = 'DCGM_FI_DEV_FB_USED';

/**
 * One row per GPU of a framebuffer metric: the GPU's own row (no GPU_I_ID), or, where an exporter
 * has none (dcgm-exporter exports only instances of a MIG GPU), the sum of its MIG instances.
 * Never both: adding a GPU's row to its instances' would count its memory twice.
 */
const perGpu = (metric: string) =>
  `(${metric}{${GPU}, GPU_I_ID=""} or on (cluster, Hostname, gpu) sum by (cluster, Hostname, gpu) (${metric}{${GPU}, GPU_I_ID!=""}))`;

/** MIG GPU-instance rows of a metric. */
const MIG = (metric: string) => `${metric}{${GPU}, GPU_I_ID!=""}`;

export const gpuFleetDashboard = dashboard({
  title: 'GPU fleet',
  description:
    'GPUs per cluster, node and device from the GPU exporter (dcgm-exporter names): utilization, framebuffer, thermals, power, clocks, XID/ECC errors, throttling, MIG, and GPUs that are allocated but idle.',
  tags: ['gpu'],
  variables: [
    clusterVariable(EVERY_GPU),
    labelVariable('Hostname', { selector: `${EVERY_GPU}{cluster=~"$cluster"}`, title: 'node' }),
    labelVariable('gpu', { selector: `${EVERY_GPU}{cluster=~"$cluster", Hostname=~"$Hostname"}`, title: 'GPU' }),
  ],
  rows: [
    row('Fleet', [
      stat('GPUs reporting', {
        description: 'GPUs the exporters read in their last collection, MIG GPUs included (each counted once).',
        unit: 'none',
        queries: [promInstant(`count(count by (cluster, Hostname, gpu) (${EVERY_GPU}{${GPU}}))`)],
      }),
      stat('Mean utilization', {
        description: 'Mean GPU utilization across the selected GPUs without MIG (MIG GPUs report no utilization; see the MIG row).',
        unit: 'percent',
        graph: true,
        thresholds: [
          ['blue', null],
          ['green', 20],
          ['orange', 90],
        ],
        queries: [prom(`avg(DCGM_FI_DEV_GPU_UTIL{${GPU}})`)],
      }),
      stat('Framebuffer used', {
        description:
          'Share of GPU memory in use across the selected GPUs; a MIG GPU counts once (its own row, or its instances where the exporter has no GPU row).',
        unit: 'percentunit',
        thresholds: [
          ['green', null],
          ['orange', 0.85],
          ['red', 0.95],
        ],
        queries: [promInstant(`sum(${perGpu('DCGM_FI_DEV_FB_USED')}) / (sum(${perGpu('DCGM_FI_DEV_FB_USED')}) + sum(${perGpu('DCGM_FI_DEV_FB_FREE')}))`)],
      }),
      stat('GPUs lost', {
        description: 'GPUs seen earlier that the driver no longer reaches (fallen off the bus).',
        unit: 'none',
        thresholds: [
          ['green', null],
          ['red', 1],
        ],
        queries: [promInstant(`sum(vigil_gpu_lost{cluster=~"$cluster", Hostname=~"$Hostname"}) or vector(0)`)],
      }),
    ]),
    row('Utilization', [
      timeseries('GPU utilization', {
        description: 'Per-GPU utilization (share of time a kernel ran).',
        unit: 'percent',
        min: 0,
        max: 100,
        queries: [prom(`DCGM_FI_DEV_GPU_UTIL{${GPU}}`, '{{Hostname}} GPU {{gpu}}')],
      }),
      timeseries('Utilization per node', {
        description: "Mean utilization of each node's GPUs.",
        unit: 'percent',
        min: 0,
        max: 100,
        queries: [prom(`avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL{${GPU}})`, '{{Hostname}}')],
      }),
      timeseries('Memory copy utilization', {
        description: 'Share of time GPU memory was being read or written.',
        unit: 'percent',
        min: 0,
        max: 100,
        queries: [prom(`DCGM_FI_DEV_MEM_COPY_UTIL{${GPU}}`, '{{Hostname}} GPU {{gpu}}')],
      }),
      table('Allocated but idle', {
        description:
          'GPUs holding more than 1 GiB of framebuffer (a workload is allocated) whose mean utilization over the dashboard range is below 5%: capacity that is paid for and unused.',
        unit: 'percent',
        span: 12,
        thresholds: [
          ['red', null],
          ['green', 5],
        ],
        queries: [promInstant(`avg_over_time(DCGM_FI_DEV_GPU_UTIL{${GPU}}[$__range]) < 5 and on (Hostname, gpu, UUID) DCGM_FI_DEV_FB_USED{${GPU}} > 1024`)],
      }),
    ]),
    row('Memory', [
      timeseries('Framebuffer used', {
        description: 'GPU memory in use per GPU (a MIG GPU once; its instances are in the MIG row).',
        unit: 'mbytes',
        queries: [prom(perGpu('DCGM_FI_DEV_FB_USED'), '{{Hostname}} GPU {{gpu}}')],
      }),
      timeseries('Framebuffer free', {
        description: 'GPU memory free per GPU; near zero means the next allocation fails (OOM).',
        unit: 'mbytes',
        thresholds: [
          ['red', null],
          ['green', 1024],
        ],
        queries: [prom(perGpu('DCGM_FI_DEV_FB_FREE'), '{{Hostname}} GPU {{gpu}}')],
      }),
    ]),
    row('Thermals, power and clocks', [
      timeseries('GPU temperature', {
        description: 'GPU die temperature; throttling usually starts in the mid 80s °C.',
        unit: 'celsius',
        span: 8,
        thresholds: [
          ['green', null],
          ['orange', 80],
          ['red', 87],
        ],
        thresholdLines: true,
        queries: [prom(`DCGM_FI_DEV_GPU_TEMP{${GPU}}`, '{{Hostname}} GPU {{gpu}}')],
      }),
      timeseries('Power draw', {
        description: 'Power draw per GPU against its power-management limit.',
        unit: 'watt',
        span: 8,
        queries: [
          prom(`DCGM_FI_DEV_POWER_USAGE{${GPU}}`, '{{Hostname}} GPU {{gpu}}'),
          prom(`DCGM_FI_DEV_POWER_MGMT_LIMIT{${GPU}}`, '{{Hostname}} GPU {{gpu}} limit'),
        ],
      }),
      timeseries('SM clock', {
        description: 'Streaming-multiprocessor clock; a drop under load means throttling.',
        unit: 'suffix: MHz',
        span: 8,
        queries: [prom(`DCGM_FI_DEV_SM_CLOCK{${GPU}}`, '{{Hostname}} GPU {{gpu}}')],
      }),
      timeseries('Active throttle reasons', {
        description: 'Clock event (throttle) reasons active now, per GPU and reason.',
        unit: 'none',
        queries: [prom(`vigil_gpu_clock_event_active{${GPU}} == 1`, '{{Hostname}} GPU {{gpu}} {{reason}}')],
      }),
      timeseries('Time throttled', {
        description: 'Share of time clocks were held down by power or thermal limits (from the violation counters, ns).',
        unit: 'percentunit',
        queries: [
          prom(`rate(DCGM_FI_DEV_POWER_VIOLATION{${GPU}}[$__rate_interval]) / 1e9`, '{{Hostname}} GPU {{gpu}} power'),
          prom(`rate(DCGM_FI_DEV_THERMAL_VIOLATION{${GPU}}[$__rate_interval]) / 1e9`, '{{Hostname}} GPU {{gpu}} thermal'),
        ],
      }),
    ]),
    row('Errors', [
      timeseries('XID errors', {
        description: 'XID errors per GPU and code (rate). XIDs 48, 63, 64, 74, 79 and 94/95 usually need a drain or reset.',
        unit: 'short',
        span: 8,
        queries: [prom(`sum by (Hostname, gpu, xid) (rate(vigil_gpu_xid_errors_total{${GPU}}[$__rate_interval]))`, '{{Hostname}} GPU {{gpu}} XID {{xid}}')],
      }),
      table('Last XID per GPU', {
        description: 'Value of the last XID error each GPU reported (0: none).',
        unit: 'none',
        span: 8,
        thresholds: [
          ['green', null],
          ['red', 1],
        ],
        queries: [promInstant(`DCGM_FI_DEV_XID_ERRORS{${GPU}} > 0`)],
      }),
      timeseries('ECC errors', {
        description: 'Volatile single-bit (corrected) and double-bit (uncorrectable) ECC errors; any double-bit error needs attention.',
        unit: 'short',
        span: 8,
        queries: [
          prom(`sum by (Hostname, gpu) (increase(DCGM_FI_DEV_ECC_SBE_VOL_TOTAL{${GPU}}[$__rate_interval]))`, '{{Hostname}} GPU {{gpu}} single-bit'),
          prom(`sum by (Hostname, gpu) (increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{${GPU}}[$__rate_interval]))`, '{{Hostname}} GPU {{gpu}} double-bit'),
        ],
      }),
    ]),
    row('MIG', [
      table('MIG instances', {
        description: 'MIG GPU instances per GPU with their profile.',
        unit: 'none',
        span: 12,
        queries: [promInstant(`vigil_gpu_mig_info{${GPU}}`)],
      }),
      timeseries('MIG instance utilization', {
        description:
          'Graphics engine activity per MIG GPU instance (DCGM_FI_PROF_GR_ENGINE_ACTIVE from DCGM profiling or NVML GPM, Hopper and newer); the classic utilization counter is N/A under MIG.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [prom(MIG('DCGM_FI_PROF_GR_ENGINE_ACTIVE'), '{{Hostname}} GPU {{gpu}} {{GPU_I_PROFILE}} #{{GPU_I_ID}}')],
      }),
      timeseries('MIG instance memory used', {
        description: 'Share of its own framebuffer each MIG GPU instance uses; near 1 means the next allocation in that instance fails.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [
          prom(
            `${MIG('DCGM_FI_DEV_FB_USED')} / (${MIG('DCGM_FI_DEV_FB_USED')} + ${MIG('DCGM_FI_DEV_FB_FREE')})`,
            '{{Hostname}} GPU {{gpu}} {{GPU_I_PROFILE}} #{{GPU_I_ID}}',
          ),
        ],
      }),
    ]),
  ],
});

import { dashboard } from '../dashboard.js';
import { row } from '../layout.js';
import { stat, timeseries } from '../panels.js';
import { prom, promInstant } from '../queries.js';
import { clusterVariable, labelVariable } from '../variables.js';

/** node_exporter series of the selected nodes. */
const NODE = 'cluster=~"$cluster", job=~"$job", instance=~"$instance"';

export const clusterHealthDashboard = dashboard({
  title: 'Cluster and node health',
  description: 'Host health of the cluster nodes from node_exporter: scrape health, CPU, memory, disk, network and load.',
  tags: ['nodes'],
  variables: [
    clusterVariable('node_uname_info'),
    labelVariable('job', { selector: 'node_uname_info{cluster=~"$cluster"}', allValue: '.+' }),
    labelVariable('instance', { selector: 'node_uname_info{cluster=~"$cluster", job=~"$job"}', allValue: '.+' }),
  ],
  rows: [
    row('Nodes', [
      stat('Nodes up', {
        description: 'node_exporter targets that answered their last scrape.',
        unit: 'none',
        thresholds: [
          ['red', null],
          ['green', 1],
        ],
        queries: [promInstant(`sum(up{${NODE}})`)],
      }),
      stat('Nodes down', {
        description: 'node_exporter targets that did not answer their last scrape.',
        unit: 'none',
        thresholds: [
          ['green', null],
          ['red', 1],
        ],
        queries: [promInstant(`count(up{${NODE}} == 0) or vector(0)`)],
      }),
      stat('Mean CPU busy', {
        description: 'Mean share of CPU time not idle across the selected nodes.',
        unit: 'percentunit',
        graph: true,
        thresholds: [
          ['green', null],
          ['orange', 0.8],
          ['red', 0.95],
        ],
        queries: [prom(`1 - avg(rate(node_cpu_seconds_total{${NODE}, mode="idle"}[$__rate_interval]))`)],
      }),
      stat('Lowest memory available', {
        description: 'Available memory share of the node with the least.',
        unit: 'percentunit',
        thresholds: [
          ['red', null],
          ['orange', 0.1],
          ['green', 0.2],
        ],
        queries: [promInstant(`min(node_memory_MemAvailable_bytes{${NODE}} / node_memory_MemTotal_bytes{${NODE}})`)],
      }),
    ]),
    row('Resources', [
      timeseries('CPU busy', {
        description: 'Share of CPU time not idle, per node.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [prom(`1 - avg by (instance) (rate(node_cpu_seconds_total{${NODE}, mode="idle"}[$__rate_interval]))`, '{{instance}}')],
      }),
      timeseries('Memory available', {
        description: 'Available memory share per node; low values precede the OOM killer.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [
          ['red', null],
          ['green', 0.1],
        ],
        queries: [prom(`node_memory_MemAvailable_bytes{${NODE}} / node_memory_MemTotal_bytes{${NODE}}`, '{{instance}}')],
      }),
      timeseries('Disk space available', {
        description: 'Free share of each real filesystem per node.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [
          ['red', null],
          ['green', 0.1],
        ],
        queries: [
          prom(
            `node_filesystem_avail_bytes{${NODE}, fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{${NODE}, fstype!~"tmpfs|overlay|squashfs"}`,
            '{{instance}} {{mountpoint}}',
          ),
        ],
      }),
      timeseries('Network traffic', {
        description: 'Bytes received and sent per node (physical interfaces).',
        unit: 'Bps',
        queries: [
          prom(`sum by (instance) (rate(node_network_receive_bytes_total{${NODE}, device!~"lo|veth.*|cali.*"}[$__rate_interval]))`, '{{instance}} in'),
          prom(`sum by (instance) (rate(node_network_transmit_bytes_total{${NODE}, device!~"lo|veth.*|cali.*"}[$__rate_interval]))`, '{{instance}} out'),
        ],
      }),
      timeseries('Load per CPU', {
        description: '1-minute load average divided by the CPU count.',
        unit: 'short',
        queries: [prom(`node_load1{${NODE}} / count by (instance) (rate(node_cpu_seconds_total{${NODE}, mode="idle"}[$__rate_interval]))`, '{{instance}}')],
      }),
      timeseries('Disk I/O busy', {
        description: 'Share of time each disk was busy.',
        unit: 'percentunit',
        queries: [prom(`rate(node_disk_io_time_seconds_total{${NODE}}[$__rate_interval])`, '{{instance}} {{device}}')],
      }),
    ]),
  ],
});

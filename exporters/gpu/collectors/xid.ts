import { DCGM_METRICS, VIGIL_METRICS } from '../metric-catalog.js';
import type { Sample } from '../exposition.js';
import { gpuLabels, type Collector } from './context.js';

/**
 * XID errors from the tracker (not the snapshot), so they stay visible while collections fail and
 * after a GPU is lost: dcgm's last-XID gauge and windowed count, plus a true counter since start.
 */
export const collectXid: Collector = (input) => {
  const last: Sample[] = [];
  const windowed: Sample[] = [];
  const total: Sample[] = [];
  const lastTs: Sample[] = [];
  const windowMs = String(input.xid.windowMs);
  for (const g of input.xid.gpus(input.now)) {
    const labels = gpuLabels(g.identity, input.hostname);
    last.push({ labels: [...labels, ['err_code', String(g.lastXid)]], value: g.lastXid });
    for (const c of g.codes) {
      const xidLabels = [...labels, ['xid', String(c.xid)]] as const;
      windowed.push({ labels: [...xidLabels, ['window_size_in_ms', windowMs]], value: c.inWindow });
      total.push({ labels: xidLabels, value: c.total });
      lastTs.push({ labels: xidLabels, value: c.lastAt / 1000 });
    }
  }
  return [
    { metric: DCGM_METRICS.xidLast, samples: last },
    { metric: DCGM_METRICS.xidWindowCount, samples: windowed },
    { metric: VIGIL_METRICS.xidTotal, samples: total },
    { metric: VIGIL_METRICS.xidLastTimestamp, samples: lastTs },
  ];
};

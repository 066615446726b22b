import { DCGM_METRICS, VIGIL_METRICS } from '../metric-catalog.js';
import type { Sample } from '../exposition.js';
import { xidMessage } from '../xid-messages.js';
import { gpuLabels, type Collector } from './context.js';

/**
 * XID errors from the tracker (not the snapshot), so they stay visible while collections fail and
 * after a GPU is lost: dcgm's last-XID gauge and windowed count, plus a true counter since start.
 * Like dcgm-exporter, DCGM_FI_DEV_XID_ERRORS is there for every GPU, 0 (`No Error`) until its first
 * XID, when the source watches XIDs at all.
 */
export const collectXid: Collector = (input) => {
  const last: Sample[] = [];
  const windowed: Sample[] = [];
  const total: Sample[] = [];
  const lastTs: Sample[] = [];
  const windowMs = String(input.xid.windowMs);
  const tracked = input.xid.gpus(input.now);
  const seen = new Set(tracked.map((g) => g.identity.index));
  const lastXid = (labels: Sample['labels'], xid: number) =>
    last.push({
      labels: [...labels, ['err_code', String(xid)], ['err_msg', xidMessage(xid)]],
      value: xid,
    });
  if (input.watchesXid) for (const d of input.snapshot?.devices ?? []) if (!seen.has(d.index)) lastXid(gpuLabels(d, input.hostname), 0);
  for (const g of tracked) {
    const labels = gpuLabels(g.identity, input.hostname);
    lastXid(labels, g.lastXid);
    for (const c of g.codes) {
      const xidLabels = [...labels, ['xid', String(c.xid)]] as const;
      windowed.push({ labels: [...xidLabels, ['window_size_in_ms', windowMs]], value: c.inWindow });
      total.push({ labels: xidLabels, value: c.total });
      lastTs.push({ labels: xidLabels, value: c.lastAt / 1000 });
    }
  }
  last.sort((a, b) => Number(a.labels[0]![1]) - Number(b.labels[0]![1]));
  return [
    { metric: DCGM_METRICS.xidLast, samples: last },
    { metric: DCGM_METRICS.xidWindowCount, samples: windowed },
    { metric: VIGIL_METRICS.xidTotal, samples: total },
    { metric: VIGIL_METRICS.xidLastTimestamp, samples: lastTs },
  ];
};

import type { GpuDeviceSample, XidEvent } from './types.js';

/** Identity of a GPU as the labels need it. */
export type GpuIdentity = Pick<GpuDeviceSample, 'index' | 'uuid' | 'pciBusId' | 'name' | 'minor'>;

interface CodeState {
  total: number;
  lastAt: number;
  /** [second bucket, count] pairs inside the window; at most window/1s entries. */
  buckets: [number, number][];
}

interface GpuState {
  identity: GpuIdentity;
  lastXid: number;
  codes: Map<number, CodeState>;
}

/** What the XID collector reads per GPU. */
export interface XidGpuView {
  readonly identity: GpuIdentity;
  readonly lastXid: number;
  readonly codes: readonly { xid: number; total: number; inWindow: number; lastAt: number }[];
}

/**
 * XidTracker keeps XID history since the exporter started: totals, the last code, and counts in a
 * sliding window (dcgm-exporter's default 5 min). Bounded: at most `maxCodesPerGpu` codes per GPU.
 */
export class XidTracker {
  private readonly state = new Map<number, GpuState>();
  /** Events that named a code beyond the cap, for the dropped-series counter. */
  dropped = 0;

  constructor(
    /** Sliding window, ms (default 300000). */
    readonly windowMs = 300_000,
    private readonly maxCodesPerGpu = 32,
  ) {}

  /** Records events; `identities` resolves a device index to its labels (events for unknown GPUs are kept under a bare identity). */
  record(events: readonly XidEvent[], identities: ReadonlyMap<number, GpuIdentity>): void {
    for (const e of events) {
      if (!Number.isInteger(e.gpu) || !Number.isInteger(e.xid) || e.xid < 0 || !Number.isFinite(e.at)) {
        this.dropped++;
        continue;
      }
      let g = this.state.get(e.gpu);
      const identity = identities.get(e.gpu) ?? g?.identity ?? { index: e.gpu, uuid: '', pciBusId: '', name: '' };
      if (!g) {
        g = { identity, lastXid: e.xid, codes: new Map() };
        this.state.set(e.gpu, g);
      }
      g.identity = identity;
      g.lastXid = e.xid;
      let c = g.codes.get(e.xid);
      if (!c) {
        if (g.codes.size >= this.maxCodesPerGpu) {
          this.dropped++;
          continue;
        }
        c = { total: 0, lastAt: 0, buckets: [] };
        g.codes.set(e.xid, c);
      }
      c.total++;
      c.lastAt = Math.max(c.lastAt, e.at);
      const second = Math.floor(e.at / 1000);
      const tail = c.buckets[c.buckets.length - 1];
      if (tail && tail[0] === second) tail[1]++;
      else c.buckets.push([second, 1]);
    }
  }

  /** Per-GPU view at time `now` (ms), pruning buckets that left the window. */
  gpus(now: number): XidGpuView[] {
    const from = Math.floor((now - this.windowMs) / 1000);
    const out: XidGpuView[] = [];
    for (const g of [...this.state.values()].sort((a, b) => a.identity.index - b.identity.index)) {
      const codes = [];
      for (const [xid, c] of [...g.codes.entries()].sort((a, b) => a[0] - b[0])) {
        while (c.buckets.length > 0 && c.buckets[0]![0] <= from) c.buckets.shift();
        codes.push({ xid, total: c.total, inWindow: c.buckets.reduce((n, b) => n + b[1], 0), lastAt: c.lastAt });
      }
      out.push({ identity: g.identity, lastXid: g.lastXid, codes });
    }
    return out;
  }
}

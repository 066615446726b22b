import type { XidEvent } from '../../types.js';
import { NVML, type Handle, type NvmlApi } from './nvml-api.js';
import { decodeEventData, EVENT_DATA_SIZE } from './nvml-structs.js';

/** nvmlEventTypeXidCriticalError */
export const EVENT_XID = 0x8n;

/**
 * XidWatcher waits on an NVML event set for XID errors on every GPU. It owns its own NVML
 * reference (init is ref-counted), and after any failure frees everything and starts over on the
 * next poll, with exponential backoff (1 s to 30 s).
 */
export class XidWatcher {
  private set: Handle | undefined;
  private handles = new Map<bigint, number>();
  private retryAt = 0;
  private backoffMs = 1000;

  constructor(
    private readonly api: Partial<NvmlApi>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits up to `timeoutMs` for one event (blocking the calling thread); returns the XIDs seen. */
  poll(timeoutMs: number): XidEvent[] {
    if (this.set === undefined && !this.setup()) return [];
    const data = Buffer.alloc(EVENT_DATA_SIZE);
    const rc = this.api.nvmlEventSetWait_v2!(this.set!, data, timeoutMs);
    if (rc === NVML.ERROR_TIMEOUT) return [];
    if (rc !== NVML.SUCCESS) {
      this.teardown();
      return [];
    }
    const e = decodeEventData(data);
    if ((e.eventType & EVENT_XID) === 0n) return [];
    const gpu = this.handles.get(e.device);
    return gpu === undefined ? [] : [{ gpu, xid: e.eventData, at: this.now() }];
  }

  /** Frees the set and drops the NVML reference. */
  teardown(): void {
    if (this.set !== undefined) {
      this.api.nvmlEventSetFree?.(this.set);
      this.api.nvmlShutdown?.();
    }
    this.set = undefined;
    this.handles.clear();
    this.retryAt = this.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
  }

  private setup(): boolean {
    const a = this.api;
    if (this.now() < this.retryAt) return false;
    if (
      !a.nvmlInit_v2 ||
      !a.nvmlEventSetCreate ||
      !a.nvmlEventSetWait_v2 ||
      !a.nvmlDeviceRegisterEvents ||
      !a.nvmlDeviceGetCount_v2 ||
      !a.nvmlDeviceGetHandleByIndex_v2
    ) {
      this.retryAt = Number.POSITIVE_INFINITY;
      return false;
    }
    if (a.nvmlInit_v2() !== NVML.SUCCESS) {
      this.retryAt = this.now() + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
      return false;
    }
    const sb = Buffer.alloc(8);
    if (a.nvmlEventSetCreate(sb) !== NVML.SUCCESS) {
      a.nvmlShutdown?.();
      this.retryAt = this.now() + this.backoffMs;
      return false;
    }
    this.set = sb.readBigUInt64LE(0);
    const cb = Buffer.alloc(4);
    const count = a.nvmlDeviceGetCount_v2(cb) === NVML.SUCCESS ? cb.readUInt32LE(0) : 0;
    for (let i = 0; i < count; i++) {
      const hb = Buffer.alloc(8);
      if (a.nvmlDeviceGetHandleByIndex_v2(i, hb) !== NVML.SUCCESS) continue;
      const h = hb.readBigUInt64LE(0);
      const types = Buffer.alloc(8);
      // Register only where XID events are supported; registering an unsupported type fails.
      if (a.nvmlDeviceGetSupportedEventTypes && a.nvmlDeviceGetSupportedEventTypes(h, types) === NVML.SUCCESS && (types.readBigUInt64LE(0) & EVENT_XID) === 0n)
        continue;
      if (a.nvmlDeviceRegisterEvents(h, EVENT_XID, this.set) === NVML.SUCCESS) this.handles.set(h, i);
    }
    this.backoffMs = 1000;
    return true;
  }
}

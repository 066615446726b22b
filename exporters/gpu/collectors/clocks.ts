import { DCGM_METRICS, VIGIL_METRICS } from '../metric-catalog.js';
import type { Sample } from '../exposition.js';
import { gpuLabels, perDevice, type Collector } from './context.js';

/** NVML clock-event (throttle) reason bits and their dcgm-exporter `clock_event` names. */
export const CLOCK_EVENT_REASONS: readonly (readonly [number, string])[] = [
  [0x1, 'gpu_idle'],
  [0x2, 'clocks_setting'],
  [0x4, 'power_cap'],
  [0x8, 'hw_slowdown'],
  [0x10, 'sync_boost'],
  [0x20, 'sw_thermal'],
  [0x40, 'hw_thermal'],
  [0x80, 'hw_power_brake'],
  [0x100, 'display_clocks'],
];

/** SM/memory clocks, the raw event-reason bitmask, one 0/1 series per reason, violation counters. */
export const collectClocks: Collector = (input) => {
  const active: Sample[] = [];
  for (const d of input.snapshot?.devices ?? []) {
    const mask = d.fields.clocksEventReasons;
    if (mask === undefined) continue;
    const labels = gpuLabels(d, input.hostname);
    for (const [bit, reason] of CLOCK_EVENT_REASONS) active.push({ labels: [...labels, ['reason', reason]], value: (mask & bit) !== 0 ? 1 : 0 });
  }
  return [
    perDevice(DCGM_METRICS.smClock, 'smClock', input),
    perDevice(DCGM_METRICS.memClock, 'memClock', input),
    perDevice(DCGM_METRICS.clocksEventReasons, 'clocksEventReasons', input),
    { metric: VIGIL_METRICS.clockEventActive, samples: active },
    perDevice(DCGM_METRICS.powerViolation, 'powerViolation', input),
    perDevice(DCGM_METRICS.thermalViolation, 'thermalViolation', input),
  ];
};

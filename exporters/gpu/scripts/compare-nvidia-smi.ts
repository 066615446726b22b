/**
 * Samples the NVML source and the nvidia-smi source at the same moment and prints a markdown
 * table comparing every field per GPU. For checking the NVML adapter on a real GPU machine:
 *
 *   npx tsx exporters/gpu/scripts/compare-nvidia-smi.ts [--rounds 3] [--nvml-lib PATH] [--nvidia-smi PATH]
 *
 * Exit code 0 when every field both sources report agrees within its tolerance, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { NvmlSource } from '../sources/nvml/nvml-source.js';
import { NvidiaSmiSource } from '../sources/nvidia-smi/nvidia-smi-source.js';
import type { GpuFields, GpuSnapshot } from '../types.js';

/** Allowed |nvml − nvidia-smi| per field: absolute, or relative when `rel`. */
const TOLERANCE: Partial<Record<keyof GpuFields, { abs?: number; rel?: number }>> = {
  gpuUtil: { abs: 15 },
  memCopyUtil: { abs: 15 },
  encUtil: { abs: 10 },
  decUtil: { abs: 10 },
  fbTotal: { abs: 1 },
  fbReserved: { abs: 1 },
  fbUsed: { abs: 64 },
  fbFree: { abs: 64 },
  gpuTemp: { abs: 2 },
  memoryTemp: { abs: 2 },
  powerUsage: { rel: 0.1, abs: 10 },
  powerLimit: { abs: 1 },
  smClock: { rel: 0.1 },
  memClock: { rel: 0.05 },
  fanSpeed: { abs: 3 },
};

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '1' }, 'nvml-lib': { type: 'string' }, 'nvidia-smi': { type: 'string' } } });

function within(key: keyof GpuFields, a: number, b: number): boolean {
  const t = TOLERANCE[key] ?? { abs: 0 };
  const d = Math.abs(a - b);
  return d <= (t.abs ?? 0) || (t.rel !== undefined && d <= t.rel * Math.max(Math.abs(a), Math.abs(b)));
}

const nvml = new NvmlSource({ ...(values['nvml-lib'] ? { library: values['nvml-lib'] } : {}), xidEvents: false, callTimeoutMs: 10_000 });
const smi = new NvidiaSmiSource({ ...(values['nvidia-smi'] ? { binary: values['nvidia-smi'] } : {}) });
let mismatches = 0;
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    const signal = new AbortController().signal;
    const t0 = performance.now();
    const [a, b] = await Promise.allSettled([nvml.collect(signal), smi.collect(signal)]);
    const ms = (performance.now() - t0).toFixed(0);
    if (a.status === 'rejected' || b.status === 'rejected') {
      console.log(
        `round ${round}: nvml ${a.status === 'rejected' ? `FAILED: ${reasonText(a.reason)}` : 'ok'}, nvidia-smi ${b.status === 'rejected' ? `FAILED: ${reasonText(b.reason)}` : 'ok'}`,
      );
      mismatches++;
      continue;
    }
    console.log(`\n### Round ${round} (both sampled within ${ms} ms)\n`);
    console.log(table(a.value, b.value));
  }
} finally {
  await nvml.close();
  await smi.close();
}
process.exitCode = mismatches === 0 ? 0 : 1;

/** Why a collection failed: the error's message, or the rejection value itself. */
function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

function table(x: GpuSnapshot, y: GpuSnapshot): string {
  const rows = ['| gpu | field | nvml | nvidia-smi | verdict |', '| --- | --- | --- | --- | --- |'];
  rows.push(`| - | driver | ${x.driverVersion ?? '-'} | ${y.driverVersion ?? '-'} | ${x.driverVersion === y.driverVersion ? 'ok' : 'DIFF'} |`);
  for (const d of x.devices) {
    const e = y.devices.find((o) => o.uuid === d.uuid);
    if (!e) {
      rows.push(`| ${d.index} | uuid | ${d.uuid} | (not found) | DIFF |`);
      mismatches++;
      continue;
    }
    for (const [k, a, b] of [
      ['name', d.name, e.name],
      ['pci_bus_id', d.pciBusId, e.pciBusId],
      ['index', String(d.index), String(e.index)],
      ['mig', String(d.migEnabled), String(e.migEnabled)],
    ] as const) {
      const ok = a.toLowerCase() === b.toLowerCase();
      if (!ok) mismatches++;
      rows.push(`| ${d.index} | ${k} | ${a} | ${b} | ${ok ? 'ok' : 'DIFF'} |`);
    }
    const keys = [...new Set([...Object.keys(d.fields), ...Object.keys(e.fields)])].sort() as (keyof GpuFields)[];
    for (const k of keys) {
      const a = d.fields[k];
      const b = e.fields[k];
      let verdict: string;
      if (a === undefined || b === undefined) verdict = `only ${a === undefined ? 'nvidia-smi' : 'nvml'}`;
      else if (within(k, a, b)) verdict = 'ok';
      else {
        verdict = 'DIFF';
        mismatches++;
      }
      rows.push(`| ${d.index} | ${k} | ${a ?? '-'} | ${b ?? '-'} | ${verdict} |`);
    }
    rows.push(`| ${d.index} | mig instances | ${d.mig?.map((m) => `${m.gpuInstanceId}:${m.profile}`).join(' ') ?? '-'} | - | info |`);
  }
  return rows.join('\n');
}

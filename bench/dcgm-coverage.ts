/**
 * `npm run bench dcgm-coverage`: how much of dcgm-exporter's default counter set the exporter
 * covers per source, the series count per GPU before and after issue 12's additions, and what the
 * DCGM_FI_DRIVER_VERSION label costs when the exposition is rendered. In-process, no tools needed.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { GpuExporter } from '../exporters/gpu/exporter.js';
import { GPU_COLLECTORS } from '../exporters/gpu/collectors/index.js';
import { renderFamilies } from '../exporters/gpu/exposition.js';
import { DCGM_METRICS } from '../exporters/gpu/metric-catalog.js';
import { NvidiaSmiSource } from '../exporters/gpu/sources/nvidia-smi/nvidia-smi-source.js';
import { SimulatedSource } from '../exporters/gpu/sources/simulated/simulated-source.js';
import type { GpuSource } from '../exporters/gpu/types.js';
import { XidTracker } from '../exporters/gpu/xid-tracker.js';
import { DEFAULT_COUNTERS, H100_LOAD_CAPTURE, dcgmCoverage, replayQueryGpu } from '../test/support/dcgm-coverage.js';
import { median, writeSection } from './lib/report.js';

/** Metric families issue 12 (items 1-2) added; with the XID series of GPUs that never had one. */
const ADDED = new Set(
  [
    DCGM_METRICS.nvlinkBandwidthTotal,
    DCGM_METRICS.vgpuLicenseStatus,
    DCGM_METRICS.profGrEngineActive,
    DCGM_METRICS.profSmActive,
    DCGM_METRICS.profPipeTensorActive,
    DCGM_METRICS.profDramActive,
    DCGM_METRICS.profPcieTxBytes,
    DCGM_METRICS.profPcieRxBytes,
  ].map((m) => m.name),
);

async function exposition(source: GpuSource, driverVersionLabel = true): Promise<string> {
  const exporter = new GpuExporter({ source, hostname: 'bench', logger: pino({ level: 'silent' }), registry: new Registry(), driverVersionLabel });
  await exporter.sampleOnce();
  await exporter.stop();
  return exporter.exposition.body.toString();
}

/** Series of GPU `gpu`: all, and those that existed before issue 12 (no added family, no XID-0 series). */
function perGpu(text: string, gpu: number): { after: number; before: number } {
  const lines = text.split('\n').filter((l) => l.includes(`{gpu="${gpu}",`));
  const xidZero = (l: string) => l.startsWith('DCGM_FI_DEV_XID_ERRORS{') && l.includes(',err_code="0",');
  const before = lines.filter((l) => !ADDED.has(l.slice(0, l.indexOf('{'))) && !xidZero(l));
  return { after: lines.length, before: before.length };
}

export async function run(): Promise<void> {
  const total = DEFAULT_COUNTERS.length;
  const simGuest = dcgmCoverage(await exposition(new SimulatedSource({ gpus: 2, vgpu: true })));
  const simMetal = dcgmCoverage(await exposition(new SimulatedSource({ gpus: 2 })));
  const smi = dcgmCoverage(await exposition(new NvidiaSmiSource({}, replayQueryGpu(H100_LOAD_CAPTURE))));

  // 16 GPUs, 4 of them MIG with 7 instances (the figure shape), bare metal.
  const node = await exposition(new SimulatedSource({ gpus: 16, migGpus: 4 }));
  const whole = perGpu(node, 8);
  const mig = perGpu(node, 0);
  const allSeries = node.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

  // Render cost of the driver-version label: the same families, rendered with and without it.
  const src = new SimulatedSource({ gpus: 16, migGpus: 4 });
  const snapshot = await src.collect(new AbortController().signal);
  const families = GPU_COLLECTORS.flatMap((c) => c({ snapshot, hostname: 'bench', xid: new XidTracker(), now: Date.now(), watchesXid: true }));
  const time = (gpuLabels: readonly (readonly [string, string])[]) => {
    const runs: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) renderFamilies(families, { gpuLabels });
      runs.push((performance.now() - t0) / 200);
    }
    return median(runs);
  };
  time([]); // warm-up
  const plain = time([]);
  const labelled = time([['DCGM_FI_DRIVER_VERSION', '590.48.01']]);

  const list = (m: Record<string, string>) =>
    Object.keys(m)
      .map((n) => `\`${n}\``)
      .join(', ') || 'none';
  const md = `## Exporter: dcgm-exporter default counters covered

Method: \`npm run bench dcgm-coverage\` (in-process, no tools). Coverage = the 26 enabled lines of
dcgm-exporter's \`etc/default-counters.csv\` (copy in \`test/exporter/fixtures/dcgm-exporter/\`) for which
the exposition has a GPU 0 series with dcgm's name, TYPE and HELP (for the \`label\` line: the label on
every GPU series); the same check runs in \`test/exporter/dcgm-defaults.test.ts\`. The nvidia-smi source
answers from a real H100 \`--query-gpu\` capture (driver 590.48.01). No GPU was available: the \`nvml\`
source's GPM, NVLink and vGPU paths are tested against a fake NVML only, so no \`nvml\` figure is given.

| source | dcgm default counters covered | not covered |
| --- | --- | --- |
| simulated, vGPU guest (\`--sim-vgpu\`) | **${simGuest.covered.length}/${total}** | ${list(simGuest.missing)} |
| simulated, bare metal | ${simMetal.covered.length}/${total} | ${list(simMetal.missing)} (vGPU guests only) |
| nvidia-smi (H100 capture) | **${smi.covered.length}/${total}** | ${list(smi.missing)} |

Series per GPU, simulated node of 16 GPUs (4 with MIG, 7 × 1g.10gb each), bare metal, no XID yet;
"before" = the same exposition without the families issue 12 added (\`DCGM_FI_PROF_*\` ×6,
\`DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL\`) and without the XID-0 series:

| GPU | before | after | added |
| --- | --- | --- | --- |
| whole GPU (gpu 8) | ${whole.before} | ${whole.after} | +${whole.after - whole.before} |
| MIG GPU with 7 instances (gpu 0, instance rows included) | ${mig.before} | ${mig.after} | +${mig.after - mig.before} |

Whole exposition: ${allSeries} series. Rendering all GPU families of that node (median of 7 × 200 renders):
${plain.toFixed(3)} ms without the \`DCGM_FI_DRIVER_VERSION\` label, ${labelled.toFixed(3)} ms with it
(${((labelled / plain - 1) * 100).toFixed(0)} %); rendering happens once per sample, not per scrape.`;
  console.log(md);
  writeSection('dcgm-coverage', md);
}

import type { ExporterMetric } from './metric-catalog.js';

/** Label pairs in output order. */
export type Labels = readonly (readonly [string, string])[];

/** One series value. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** One metric family with its samples, as a collector produces it. */
export interface MetricFamily {
  readonly metric: ExporterMetric;
  readonly samples: readonly Sample[];
}

/** Escapes a label value for the text format (backslash, quote, newline). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Formats a sample value; integers print without a fraction. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Options of renderFamilies. */
export interface RenderOptions {
  /**
   * Label pairs added to every GPU series (those whose first label is `gpu`), like dcgm-exporter's
   * `label`-type fields (DCGM_FI_DRIVER_VERSION). Escaped once per render, appended as text: no
   * per-series allocation beyond the line itself.
   */
  readonly gpuLabels?: Labels;
}

/**
 * Renders families in the Prometheus text format (0.0.4). Families without samples are left out;
 * families sharing a name (GPU and MIG rows of one metric) are merged under one HELP/TYPE.
 */
export function renderFamilies(families: readonly MetricFamily[], options: RenderOptions = {}): string {
  const gpuSuffix = (options.gpuLabels ?? []).map(([k, v]) => `,${k}="${escapeLabelValue(v)}"`).join('');
  const merged = new Map<string, { metric: ExporterMetric; samples: Sample[] }>();
  for (const f of families) {
    if (f.samples.length === 0) continue;
    const entry = merged.get(f.metric.name);
    if (entry) entry.samples.push(...f.samples);
    else merged.set(f.metric.name, { metric: f.metric, samples: [...f.samples] });
  }
  const out: string[] = [];
  for (const { metric, samples } of merged.values()) {
    out.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}\n# TYPE ${metric.name} ${metric.type}\n`);
    for (const s of samples) {
      const extra = gpuSuffix !== '' && s.labels[0]?.[0] === 'gpu' ? gpuSuffix : '';
      const labels = s.labels.length === 0 ? '' : `{${s.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}${extra}}`;
      out.push(`${metric.name}${labels} ${formatValue(s.value)}\n`);
    }
  }
  return out.join('');
}

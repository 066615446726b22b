import { pino } from 'pino';
import { Registry } from 'prom-client';
import { GpuExporter, type ExporterOptions } from '../../exporters/gpu/exporter.js';
import type { GpuSource } from '../../exporters/gpu/types.js';

/** A logger that writes nothing. */
export const silentLogger = pino({ level: 'silent' });

/** A fresh exporter on its own registry. */
export function makeExporter(source: GpuSource, extra: Partial<ExporterOptions> = {}): GpuExporter {
  return new GpuExporter({ source, hostname: 'node-a', logger: silentLogger, registry: new Registry(), intervalMs: 1000, collectTimeoutMs: 200, ...extra });
}

/** Value of the first series of `name` whose labels include every `labels` pair; undefined when absent. */
export function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

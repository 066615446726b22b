import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { GpuExporter } from './exporter.js';
import { ModelScraper } from './models/model-scraper.js';
import type { ModelsConfig } from './models/load-models-file.js';
import { startServer, type ExporterServer } from './server.js';
import type { GpuSource } from './types.js';

/** Version reported in vigil_exporter_build_info. */
export const EXPORTER_VERSION = '0.1.0';

export interface ServiceOptions {
  readonly source: GpuSource;
  readonly host: string;
  readonly port: number;
  /** ms */
  readonly intervalMs: number;
  /** ms; default min(interval, 10s) */
  readonly collectTimeoutMs?: number;
  readonly hostname: string;
  readonly models?: ModelsConfig;
  readonly logger: Logger;
  readonly maxSeries?: number;
  /** DCGM_FI_DRIVER_VERSION label on every GPU series (default true; `--no-driver-version-label`). */
  readonly driverVersionLabel?: boolean;
}

/** A running exporter: sampler, model scraper and HTTP server. */
export interface RunningService {
  readonly port: number;
  readonly exporter: GpuExporter;
  stop(): Promise<void>;
}

/**
 * The exporter's composition root: wires a source, the collectors (GpuExporter), its registry,
 * the model scraper and the HTTP server together and starts them.
 */
export async function startExporterService(options: ServiceOptions): Promise<RunningService> {
  const { exporter, scraper } = createExporter(options);
  // First sample before listening, so the first scrape already has data.
  await exporter.sampleOnce();
  exporter.start();
  scraper?.start();
  let server: ExporterServer;
  try {
    server = await startServer({ host: options.host, port: options.port, exposition: () => exporter.exposition, logger: options.logger });
  } catch (err) {
    scraper?.stop();
    await exporter.stop();
    throw err;
  }
  options.logger.info({ listen: `${options.host}:${server.port}`, source: options.source.name, intervalMs: options.intervalMs }, 'exporter listening');
  return {
    port: server.port,
    exporter,
    stop: async () => {
      scraper?.stop();
      await exporter.stop();
      await server.close();
      options.logger.info('exporter stopped');
    },
  };
}

/** What `vigil exporter --once` produced: one exposition and whether its GPU collection worked. */
export interface OnceResult {
  readonly exposition: string;
  readonly collected: boolean;
}

/** One sample without a server (`--once`): scrape the model servers, collect once, stop. */
export async function collectOnce(options: Omit<ServiceOptions, 'host' | 'port'>): Promise<OnceResult> {
  const { exporter, scraper } = createExporter(options);
  await scraper?.scrapeAll();
  const sample = await exporter.sampleOnce();
  await exporter.stop();
  return { exposition: exporter.exposition.body.toString('utf8'), collected: sample.collected };
}

/** Flags that choose and configure the GPU source. */
export interface SourceSettings {
  readonly intervalMs: number;
  readonly processes: boolean;
  readonly logger: Logger;
  readonly nvidiaSmi?: string;
  readonly nvmlLib?: string;
  readonly simGpus?: number;
  readonly simMig?: number;
  readonly simMigProfiles?: readonly string[];
  readonly simModel?: string;
  /** Simulate vGPU guests (DCGM_FI_DEV_VGPU_LICENSE_STATUS). */
  readonly simVgpu?: boolean;
  readonly faults?: string;
  readonly cwd?: string;
}

/** Builds the GPU source (each kind loaded only when chosen: NVML needs koffi). */
export async function createSource(kind: 'nvml' | 'nvidia-smi' | 'simulated', f: SourceSettings): Promise<GpuSource> {
  switch (kind) {
    case 'simulated': {
      const { SimulatedSource } = await import('./sources/simulated/simulated-source.js');
      const { faultsFromFile } = await import('./sources/simulated/faults.js');
      const path = await import('node:path');
      const faults =
        f.faults !== undefined
          ? faultsFromFile(path.resolve(f.cwd ?? '.', f.faults), (message) => f.logger.warn({ err: message }, 'faults file ignored'))
          : undefined;
      return new SimulatedSource({
        intervalMs: f.intervalMs,
        processes: f.processes,
        ...(f.simGpus !== undefined ? { gpus: f.simGpus } : {}),
        ...(f.simMig !== undefined ? { migGpus: f.simMig } : {}),
        ...(f.simMigProfiles !== undefined ? { migProfiles: f.simMigProfiles } : {}),
        ...(f.simModel !== undefined ? { model: f.simModel } : {}),
        ...(f.simVgpu ? { vgpu: true } : {}),
        ...(faults ? { faults } : {}),
      });
    }
    case 'nvidia-smi': {
      const { NvidiaSmiSource } = await import('./sources/nvidia-smi/nvidia-smi-source.js');
      return new NvidiaSmiSource({ ...(f.nvidiaSmi !== undefined ? { binary: f.nvidiaSmi } : {}) });
    }
    case 'nvml': {
      const { NvmlSource } = await import('./sources/nvml/nvml-source.js');
      return new NvmlSource({ processes: f.processes, logger: f.logger, ...(f.nvmlLib !== undefined ? { library: f.nvmlLib } : {}) });
    }
  }
}

/** Builds the exporter and (with a models file) its model scraper, without starting anything. */
export function createExporter(options: Omit<ServiceOptions, 'host' | 'port'>): { exporter: GpuExporter; scraper: ModelScraper | undefined } {
  const registry = new Registry();
  const exporter = new GpuExporter({
    source: options.source,
    intervalMs: options.intervalMs,
    ...(options.collectTimeoutMs !== undefined ? { collectTimeoutMs: options.collectTimeoutMs } : {}),
    hostname: options.hostname,
    logger: options.logger,
    registry,
    version: EXPORTER_VERSION,
    ...(options.maxSeries !== undefined ? { maxSeries: options.maxSeries } : {}),
    ...(options.driverVersionLabel !== undefined ? { driverVersionLabel: options.driverVersionLabel } : {}),
  });
  let scraper: ModelScraper | undefined;
  if (options.models) {
    const health = exporter.selfHealth;
    scraper = new ModelScraper({
      config: options.models,
      logger: options.logger,
      onUpdate: () => void exporter.refresh(),
      onFailure: (server, reason) => health.modelScrapeFailed(server, reason),
    });
    exporter.attachModels(scraper);
  }
  return { exporter, scraper };
}

import os from 'node:os';
import { UserError } from '../../../diagnostics.js';
import { parseDurationFlag, parseFlags } from '../../args.js';
import { parseListen, type HostPort } from '../../../runtime/host-port.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from '../../io.js';

const usage =
  'vigil exporter --source nvml|nvidia-smi|simulated [--listen 0.0.0.0:9400] [--interval 5s] [--collect-timeout 5s] [--models FILE] [--once] ' +
  '[--hostname NAME] [--processes] [--max-series N] [--log-level info] [--nvidia-smi PATH] [--nvml-lib PATH] ' +
  '[--no-driver-version-label] [--sim-gpus 4] [--sim-mig-gpus 0] [--sim-mig-profiles 3g.40gb,2g.20gb,1g.10gb,1g.10gb] [--sim-model NAME] [--sim-vgpu] [--faults FILE]';

const options = {
  source: { type: 'string' },
  listen: { type: 'string', default: '0.0.0.0:9400' },
  interval: { type: 'string', default: '5s' },
  'collect-timeout': { type: 'string' },
  models: { type: 'string' },
  once: { type: 'boolean', default: false },
  hostname: { type: 'string' },
  processes: { type: 'boolean', default: false },
  'max-series': { type: 'string' },
  'log-level': { type: 'string', default: 'info' },
  'nvidia-smi': { type: 'string' },
  'nvml-lib': { type: 'string' },
  'sim-gpus': { type: 'string' },
  'sim-mig-gpus': { type: 'string' },
  'sim-mig-profiles': { type: 'string' },
  'sim-model': { type: 'string' },
  'sim-vgpu': { type: 'boolean', default: false },
  'no-driver-version-label': { type: 'boolean', default: false },
  faults: { type: 'string' },
} as const;

const usageError = (message: string) => new UserError(`${message}\nusage: ${usage}`, EXIT_USAGE);

/** `host:port`, `[v6]:port` or `:port` (every interface) → parts; a usage error otherwise. */
function listenFlag(value: string): HostPort {
  const listen = parseListen(value, { defaultHost: '0.0.0.0' });
  if (!listen) throw usageError(`--listen must be HOST:PORT, got ${JSON.stringify(value)}`);
  return listen;
}

function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw usageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `vigil exporter`: serves GPU and model-queue metrics (DESIGN A7). */
export const exporterCommand: Command = {
  summary: 'Run the GPU and model-queue exporter (dcgm-exporter compatible metrics on /metrics).',
  usage,
  examples: [
    'vigil exporter --source nvml --listen 0.0.0.0:9400 --interval 5s --models exporters/gpu/models.yaml',
    'vigil exporter --source nvidia-smi --once   # one snapshot on stdout; exit 1 if the collection failed',
    'vigil exporter --source simulated --sim-gpus 8   # no GPU needed',
  ],
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, options, usage);
    const source = values.source;
    if (source !== 'nvml' && source !== 'nvidia-smi' && source !== 'simulated')
      throw usageError(`--source must be nvml, nvidia-smi or simulated, got ${source === undefined ? 'nothing' : JSON.stringify(source)}`);
    const { host, port } = listenFlag(values.listen);
    const intervalMs = parseDurationFlag('interval', values.interval, usage);
    if (intervalMs < 100) throw usageError('--interval must be at least 100ms');
    const collectTimeoutMs = values['collect-timeout'] !== undefined ? parseDurationFlag('collect-timeout', values['collect-timeout'], usage) : undefined;
    const maxSeries = intFlag('max-series', values['max-series'], 1, 10_000_000);
    const simGpus = intFlag('sim-gpus', values['sim-gpus'], 0, 64);
    const simMig = intFlag('sim-mig-gpus', values['sim-mig-gpus'], 0, 64);
    const simMigProfiles = values['sim-mig-profiles']?.split(',').map((p) => p.trim());
    if (simMigProfiles && (simMigProfiles.length > 16 || !simMigProfiles.every((p) => /^\d+g\.\d+gb$/.test(p))))
      throw usageError(`--sim-mig-profiles must be up to 16 comma-separated MIG profiles like 1g.10gb, got ${JSON.stringify(values['sim-mig-profiles'])}`);
    const level = values['log-level'];
    if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(level))
      throw usageError(`--log-level must be one of trace, debug, info, warn, error, silent, got ${JSON.stringify(level)}`);
    for (const flag of ['sim-gpus', 'sim-mig-gpus', 'sim-mig-profiles', 'sim-model', 'faults'] as const) {
      if (values[flag] !== undefined && source !== 'simulated') throw usageError(`--${flag} only applies to --source simulated`);
    }
    if (values['sim-vgpu'] && source !== 'simulated') throw usageError('--sim-vgpu only applies to --source simulated');

    const { createLogger } = await import('../../../runtime/logger.js');
    const logger = createLogger({ component: 'vigil-exporter', level, isoTime: true, destination: { write: (s: string) => void io.stderr.write(s) } });

    let models;
    if (values.models !== undefined) {
      const { loadModelsFileFrom } = await import('../../../../exporters/gpu/models/load-models-file.js');
      const loaded = await loadModelsFileFrom(io.cwd, values.models);
      if (!loaded.config) throw new UserError(`invalid models file ${values.models}`, EXIT_INVALID, loaded.diags.sorted());
      models = loaded.config;
    }

    const service = await import('../../../../exporters/gpu/service.js');
    const gpuSource = await service.createSource(source, {
      intervalMs,
      processes: values.processes,
      logger,
      ...(values['nvidia-smi'] !== undefined ? { nvidiaSmi: values['nvidia-smi'] } : {}),
      ...(values['nvml-lib'] !== undefined ? { nvmlLib: values['nvml-lib'] } : {}),
      ...(simGpus !== undefined ? { simGpus } : {}),
      ...(simMig !== undefined ? { simMig } : {}),
      ...(simMigProfiles ? { simMigProfiles } : {}),
      ...(values['sim-model'] !== undefined ? { simModel: values['sim-model'] } : {}),
      ...(values['sim-vgpu'] ? { simVgpu: true } : {}),
      ...(values.faults !== undefined ? { faults: values.faults, cwd: io.cwd } : {}),
    });
    const hostname = values.hostname ?? process.env.NODE_NAME ?? os.hostname();
    const common = {
      source: gpuSource,
      intervalMs,
      hostname,
      logger,
      ...(models ? { models } : {}),
      ...(collectTimeoutMs !== undefined ? { collectTimeoutMs } : {}),
      ...(maxSeries !== undefined ? { maxSeries } : {}),
      ...(values['no-driver-version-label'] ? { driverVersionLabel: false } : {}),
    };

    if (values.once) {
      const once = await service.collectOnce(common);
      io.stdout.write(once.exposition);
      return once.collected ? EXIT_OK : EXIT_INVALID;
    }

    let running;
    try {
      running = await service.startExporterService({ ...common, host, port });
    } catch (err) {
      await gpuSource.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
        throw new UserError(`cannot listen on ${values.listen}: ${code}`, EXIT_INVALID);
      throw err;
    }
    io.stdout.write(`listening on http://${host.includes(':') ? `[${host}]` : host}:${running.port}/metrics\n`);
    await new Promise<void>((resolve) => {
      if (!io.signal) return; // No signal: run until the process is killed.
      if (io.signal.aborted) return resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await running.stop();
    return EXIT_OK;
  },
};

import { execFile } from 'node:child_process';
import type { GpuDeviceSample, GpuSnapshot, GpuSource, LostGpu } from '../../types.js';
import { SourceError } from '../../types.js';
import { parseQueryGpu, QUERY_FIELDS } from './parse-query-gpu.js';
import { parseMigList, parseQueryXml, type MigList, type ParsedQueryXml } from './parse-mig-xml.js';

export interface NvidiaSmiOptions {
  /** Binary to run (default `nvidia-smi`). */
  readonly binary?: string;
  /** Kill the child after this many ms (default 10000). */
  readonly timeoutMs?: number;
}

/** Result of one child run. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a binary with arguments; injectable for tests. */
export type Runner = (binary: string, args: readonly string[], timeoutMs: number, signal: AbortSignal) => Promise<RunResult>;

/** The real runner: execFile with a hard kill on timeout and on abort. */
export const execRunner: Runner = (binary, args, timeoutMs, signal) =>
  new Promise((resolve, reject) => {
    execFile(binary, [...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 * 2 ** 20, signal, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new SourceError(`${binary} not found`, 'driver'));
      if (err && (err.killed || err.name === 'AbortError')) return reject(new SourceError(`${binary} did not finish in ${timeoutMs} ms`, 'timeout'));
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });

/**
 * NvidiaSmiSource runs `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits` once per
 * cycle. Fields an older driver does not know are dropped from the query (once, then remembered);
 * GPUs that vanish between cycles are reported lost. When a GPU runs MIG, `nvidia-smi -q -x`
 * (instance memory) and `nvidia-smi -L` (instance profiles) run too; the CUDA version comes from
 * the XML (or the banner) once.
 */
export class NvidiaSmiSource implements GpuSource {
  readonly name = 'nvidia-smi';
  private fields = [...QUERY_FIELDS];
  private readonly known = new Map<number, Omit<LostGpu, 'reason'>>();
  private cudaVersion: string | undefined;
  private cudaTries = 0;

  constructor(
    private readonly options: NvidiaSmiOptions = {},
    private readonly run: Runner = execRunner,
  ) {}

  async collect(signal: AbortSignal): Promise<GpuSnapshot> {
    const binary = this.options.binary ?? 'nvidia-smi';
    for (let attempt = 0; attempt < 8; attempt++) {
      const r = await this.run(binary, [`--query-gpu=${this.fields.join(',')}`, '--format=csv,noheader,nounits'], this.options.timeoutMs ?? 10_000, signal);
      const invalid = /Field "([^"]+)" is not a valid field to query/.exec(r.stdout + r.stderr);
      if (invalid && this.fields.includes(invalid[1]!) && !['index', 'uuid'].includes(invalid[1]!)) {
        this.fields = this.fields.filter((f) => f !== invalid[1]);
        continue;
      }
      const parsed = parseQueryGpu(r.stdout, this.fields);
      if (parsed.devices.length === 0 && r.code !== 0) {
        const msg = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
        throw new SourceError(`nvidia-smi exited ${r.code}: ${msg.slice(0, 200)}`, 'driver');
      }
      const seen = new Set(parsed.devices.map((d) => d.index));
      const lost: LostGpu[] = [];
      for (const [index, id] of this.known) if (!seen.has(index)) lost.push({ ...id, reason: 'NOT_VISIBLE' });
      for (const d of parsed.devices) this.known.set(d.index, { index: d.index, uuid: d.uuid, pciBusId: d.pciBusId, name: d.name });
      const mig = parsed.devices.some((d) => d.migEnabled);
      const wantCuda = this.cudaVersion === undefined && this.cudaTries < 3;
      const xml = mig || wantCuda ? await this.query(binary, ['-q', '-x'], signal, parseQueryXml) : undefined;
      if (wantCuda) {
        this.cudaTries++;
        this.cudaVersion = xml?.cudaVersion ?? (await this.query(binary, [], signal, (out) => /CUDA Version:\s*([\d.]+)/.exec(out)?.[1]));
      }
      const devices = mig && xml ? await this.withMig(parsed.devices, xml, binary, signal) : parsed.devices;
      return {
        ...(parsed.driverVersion ? { driverVersion: parsed.driverVersion } : {}),
        ...(this.cudaVersion ? { cudaVersion: this.cudaVersion } : {}),
        devices,
        lost,
        xidEvents: [],
      };
    }
    throw new SourceError('nvidia-smi rejected too many query fields', 'driver');
  }

  /** Runs an extra query; its failure leaves what it would add absent instead of failing the cycle. */
  private async query<T>(binary: string, args: readonly string[], signal: AbortSignal, parse: (stdout: string) => T): Promise<T | undefined> {
    try {
      const r = await this.run(binary, args, this.options.timeoutMs ?? 10_000, signal);
      return r.code === 0 ? parse(r.stdout) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Adds each MIG GPU's instances (memory from the XML, profile and UUID from `-L`), matched by GPU UUID. */
  private async withMig(devices: readonly GpuDeviceSample[], xml: ParsedQueryXml, binary: string, signal: AbortSignal): Promise<GpuDeviceSample[]> {
    const list: MigList = (await this.query(binary, ['-L'], signal, parseMigList)) ?? new Map<string, never>();
    return devices.map((d) => {
      const gpu = xml.gpus.find((g) => g.uuid === d.uuid);
      if (!d.migEnabled || !gpu || gpu.instances.length === 0) return d;
      const names = list.get(d.uuid);
      const mig = gpu.instances.map(({ deviceIndex, ...inst }) => {
        const named = names?.get(deviceIndex);
        return { ...inst, profile: named?.profile ?? 'unknown', ...(named?.uuid ? { uuid: named.uuid } : {}) };
      });
      return { ...d, mig };
    });
  }

  async close(): Promise<void> {}
}

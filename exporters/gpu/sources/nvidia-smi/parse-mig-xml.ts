import type { MigSample } from '../../types.js';
import { child, children, parseXml, textAt, type XmlElement } from './parse-xml.js';
import { isAbsentCell } from './parse-query-gpu.js';

/** What the exporter reads from `nvidia-smi -q -x`: versions and, per GPU, its MIG GPU instances. */
export interface ParsedQueryXml {
  readonly driverVersion?: string;
  readonly cudaVersion?: string;
  readonly gpus: readonly XmlGpu[];
}

/** One `<gpu>` of the XML. */
export interface XmlGpu {
  readonly uuid?: string;
  readonly pciBusId?: string;
  readonly migEnabled?: boolean;
  /** GPU instances with the MIG device index nvidia-smi gave their first compute instance. */
  readonly instances: readonly (Omit<MigSample, 'profile' | 'uuid'> & { readonly deviceIndex: number })[];
}

const TO_MIB: Readonly<Record<string, number>> = { KiB: 1 / 1024, MiB: 1, GiB: 1024 };

/** `40192 MiB` → 40192; N/A, `[...]` notes and unknown units → undefined. */
export function parseMiB(text: string | undefined): number | undefined {
  if (text === undefined || isAbsentCell(text)) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(KiB|MiB|GiB)?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (TO_MIB[m[2] ?? 'MiB'] ?? 1);
}

const version = (root: XmlElement | undefined, name: string) => {
  const v = textAt(root, [name]);
  return v === undefined || isAbsentCell(v) ? undefined : v;
};

function readInstances(gpu: XmlElement): XmlGpu['instances'] {
  const out: XmlGpu['instances'][number][] = [];
  for (const d of children(child(gpu, 'mig_devices'), 'mig_device')) {
    const gi = Number(textAt(d, ['gpu_instance_id']));
    const index = Number(textAt(d, ['index']));
    // Compute instances of one GPU instance share its memory: keep one row per GPU instance.
    if (!Number.isInteger(gi) || !Number.isInteger(index) || out.some((x) => x.gpuInstanceId === gi)) continue;
    const fb = (k: string) => parseMiB(textAt(d, ['fb_memory_usage', k]));
    const [fbTotal, fbUsed, fbFree, fbReserved] = [fb('total'), fb('used'), fb('free'), fb('reserved')];
    out.push({
      deviceIndex: index,
      gpuInstanceId: gi,
      ...(fbTotal !== undefined ? { fbTotal } : {}),
      ...(fbUsed !== undefined ? { fbUsed } : {}),
      ...(fbFree !== undefined ? { fbFree } : {}),
      ...(fbReserved !== undefined ? { fbReserved } : {}),
    });
  }
  return out;
}

/** Reads `nvidia-smi -q -x` output; elements it does not know are ignored, missing ones left absent. */
export function parseQueryXml(xml: string): ParsedQueryXml {
  const log = child(parseXml(xml), 'nvidia_smi_log');
  const driverVersion = version(log, 'driver_version');
  const cudaVersion = version(log, 'cuda_version');
  const gpus = children(log, 'gpu').map((g): XmlGpu => {
    const uuid = textAt(g, ['uuid']);
    const mode = textAt(g, ['mig_mode', 'current_mig']);
    return {
      ...(uuid ? { uuid } : {}),
      ...(g.attrs.id ? { pciBusId: g.attrs.id } : {}),
      ...(mode && !isAbsentCell(mode) ? { migEnabled: /^enabled$/i.test(mode) } : {}),
      instances: readInstances(g),
    };
  });
  return { ...(driverVersion ? { driverVersion } : {}), ...(cudaVersion ? { cudaVersion } : {}), gpus };
}

/** Per GPU UUID, its MIG devices by index with their GPU-instance profile and UUID. */
export type MigList = Map<string, Map<number, { profile: string; uuid?: string }>>;

/**
 * `nvidia-smi -L` → per GPU UUID, the MIG devices by index with their GPU-instance profile and
 * UUID. `MIG 1c.3g.40gb Device 1` (a compute instance smaller than its GPU instance) gives `3g.40gb`.
 */
export function parseMigList(text: string): MigList {
  const out: MigList = new Map();
  let current: Map<number, { profile: string; uuid?: string }> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const gpu = /^GPU \d+:.*\(UUID: (GPU-[^)\s]+)\)/.exec(line);
    if (gpu) {
      current = new Map();
      out.set(gpu[1]!, current);
      continue;
    }
    const mig = /^\s+MIG\s+(?:\d+c\.)?(\d+g\.\d+gb(?:\+\w+)*)\s+Device\s+(\d+):\s*(?:\(UUID: (MIG-[^)\s]+)\))?/.exec(line);
    if (mig && current) current.set(Number(mig[2]), { profile: mig[1]!, ...(mig[3] ? { uuid: mig[3] } : {}) });
  }
  return out;
}

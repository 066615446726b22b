import type { MigSample } from '../../types.js';

/** The MIG layout of a simulated MIG GPU: mixed profiles filling an H100's 7 slices, like a real capture. */
export const DEFAULT_MIG_PROFILES: readonly string[] = ['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb'];

/** Framebuffer of an H100 80GB GPU instance per profile, MiB (as NVML reports it, a bit under the name). */
const PROFILE_FB_MIB: Readonly<Record<string, number>> = {
  '1g.10gb': 9856,
  '1g.20gb': 19968,
  '2g.20gb': 20096,
  '3g.40gb': 40320,
  '4g.40gb': 40320,
  '7g.80gb': 80896,
};

/** GPU-instance ids NVML hands out per slice count on an H100, in placement order. */
const GI_IDS: Readonly<Record<number, readonly number[]>> = { 7: [0], 4: [1], 3: [2, 1], 2: [3, 4, 5, 6], 1: [7, 8, 9, 10, 11, 12, 13, 14] };

/** `3g.40gb` → 3 slices and its framebuffer (known profiles, else ~1000 MiB per GB of the name). */
export function profileShape(profile: string): { slices: number; fbMiB: number } {
  const m = /^(\d+)g\.(\d+)gb$/.exec(profile);
  const slices = m ? Number(m[1]) : 1;
  return { slices, fbMiB: PROFILE_FB_MIB[profile] ?? (m ? Number(m[2]) * 1000 : 9856) };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * The GPU instances of simulated MIG GPU `gpu`: memory and activity of instance k follow
 * `loadOf(k)` (0..1); `gone` lists GPU-instance ids that were destroyed (fault).
 */
export function simulateMigInstances(gpu: number, profiles: readonly string[], loadOf: (k: number) => number, gone: ReadonlySet<number>): MigSample[] {
  const used = new Set<number>();
  const out: MigSample[] = [];
  profiles.forEach((profile, k) => {
    const { slices, fbMiB } = profileShape(profile);
    const id = (GI_IDS[slices] ?? []).find((x) => !used.has(x)) ?? 20 + k;
    used.add(id);
    if (gone.has(id)) return;
    const load = Math.min(1, Math.max(0, loadOf(k)));
    const reserved = 0;
    const fbUsed = Math.round(fbMiB * (0.05 + 0.8 * load));
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    out.push({
      gpuInstanceId: id,
      profile,
      uuid: `MIG-5a1e${hex(gpu, 4)}-0000-4000-8000-${hex(k, 12)}`,
      fbTotal: fbMiB,
      fbUsed,
      fbFree: fbMiB - fbUsed - reserved,
      fbReserved: reserved,
      activity: { grEngineActive: r3(load), pipeTensorActive: r3(load * 0.6), dramActive: r3(load * 0.4) },
    });
  });
  return out;
}

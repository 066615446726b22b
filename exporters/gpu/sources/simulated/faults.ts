import fs from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';

/** Faults the simulated source injects; re-read from the `--faults` file while running. */
export const SimFaultsSchema = Type.Object(
  {
    /** GPU indexes that fell off the bus: their series vanish, `vigil_gpu_lost` appears, XID 79 once. */
    lostGpus: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
    /** XID storms: `perCycle` events of `xid` on `gpu` every sampling cycle (default 10). */
    xidStorm: Type.Optional(
      Type.Array(
        Type.Object(
          { gpu: Type.Integer({ minimum: 0 }), xid: Type.Integer({ minimum: 0 }), perCycle: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })) },
          { additionalProperties: false },
        ),
      ),
    ),
    /** GPU indexes whose GPM (DCGM_FI_PROF_*) is not supported: those series are absent. */
    gpmUnsupported: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
    /** GPU indexes whose NVLink throughput cannot be read: DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL is absent. */
    nvlinkDown: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
    /** GPU indexes of a `--sim-vgpu` node whose vGPU licence is not held: DCGM_FI_DEV_VGPU_LICENSE_STATUS reads 0. */
    vgpuUnlicensed: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
    /** MIG GPU instances destroyed: their series vanish, the GPU's other instances stay. */
    migInstancesGone: Type.Optional(
      Type.Array(Type.Object({ gpu: Type.Integer({ minimum: 0 }), gpuInstanceId: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
    ),
    /** A driver call that hangs: collect() does not return until the fault is cleared. */
    hang: Type.Optional(Type.Boolean()),
    /** collect() throws. */
    throw: Type.Optional(Type.Boolean()),
    /** collect() returns malformed data (no device list). */
    garbage: Type.Optional(Type.Boolean()),
    /** ECC errors added to the counters every cycle. */
    ecc: Type.Optional(
      Type.Array(
        Type.Object(
          {
            gpu: Type.Integer({ minimum: 0 }),
            corrected: Type.Optional(Type.Integer({ minimum: 0 })),
            uncorrected: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

export type SimFaults = Static<typeof SimFaultsSchema>;

/** Returns the current faults; cheap enough to call on every cycle. */
export type FaultsProvider = () => SimFaults;

/**
 * Faults from a YAML/JSON file, re-read when its modification time or size changes. A missing
 * file means no faults; an invalid one keeps the previous faults and reports through `onError`.
 */
export function faultsFromFile(file: string, onError: (message: string) => void = () => {}): FaultsProvider {
  let stamp = '';
  let current: SimFaults = {};
  return () => {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      stamp = '';
      current = {};
      return current;
    }
    const next = `${st.mtimeMs}:${st.size}`;
    if (next === stamp) return current;
    stamp = next;
    try {
      const text = fs.readFileSync(file, 'utf8');
      const value: unknown = text.trim() === '' ? {} : parse(text);
      if (!Value.Check(SimFaultsSchema, value ?? {})) {
        const first = [...Value.Errors(SimFaultsSchema, value ?? {})][0];
        onError(`${file}: invalid faults${first ? ` at ${first.path || '/'}: ${first.message}` : ''}`);
        return current;
      }
      current = value ?? {};
    } catch (err) {
      onError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return current;
  };
}

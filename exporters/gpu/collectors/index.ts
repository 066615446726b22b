import type { Collector } from './context.js';
import { collectIdentity } from './identity.js';
import { collectUtilization } from './utilization.js';
import { collectMemory } from './memory.js';
import { collectMigActivity } from './mig.js';
import { collectThermal } from './thermal.js';
import { collectPower } from './power.js';
import { collectClocks } from './clocks.js';
import { collectReliability } from './reliability.js';
import { collectPcie } from './pcie.js';
import { collectXid } from './xid.js';
import { collectProcesses } from './processes.js';
import { collectProfiling } from './profiling.js';

/** Every GPU collector, in exposition order. */
export const GPU_COLLECTORS: readonly Collector[] = [
  collectIdentity,
  collectUtilization,
  collectMemory,
  collectMigActivity,
  collectThermal,
  collectPower,
  collectClocks,
  collectReliability,
  collectPcie,
  collectXid,
  collectProcesses,
  collectProfiling,
];

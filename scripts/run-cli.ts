/**
 * Runs the vigil CLI from source (tsx), with the same signal handling as bin/vigil.js. Used by the
 * exporter's end-to-end tests, the benchmark and the compare script: `tsx scripts/run-cli.ts exporter ...`.
 */
import { run } from '../src/cli/main.js';

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), signal: stop.signal });

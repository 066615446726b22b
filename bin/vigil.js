#!/usr/bin/env node
import { run } from '../dist/src/cli/main.js';
// SIGINT/SIGTERM abort io.signal so long-running commands (exporter, rollback serve) shut down gracefully.
const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => stop.abort());
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), signal: stop.signal });

/** Runs the vigil CLI from source (no build needed): `node --import tsx bench/vigil-test/cli.ts ARGS`. */
import { run } from '../../src/cli/main.js';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });

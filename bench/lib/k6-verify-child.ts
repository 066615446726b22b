/**
 * One measurement of the k6 bench in a fresh process, so its peak RSS is its own:
 * `verify FILE ROOT` runs `vigil k6 verify` in process; `parse FILE` reads the file whole and
 * JSON.parses it (what a non-streaming reader would do). Prints { ms, maxRssMiB, startRssMiB, code }:
 * the peak, and the resident set just before the measured step.
 */
import fs from 'node:fs';
import { run } from '../../src/cli/main.js';

const [mode, file, root] = process.argv.slice(2);
const startRssMiB = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
let code = 0;
if (mode === 'verify') {
  code = await run(['k6', 'verify', file!, '--root', root!, '--service', 'checkout', '--format', 'json'], {
    cwd: process.cwd(),
    stdout: { write: () => true },
    stderr: { write: (s: string) => process.stderr.write(s) },
  });
} else {
  const parsed = JSON.parse(fs.readFileSync(file!, 'utf8')) as { metrics: Record<string, unknown> };
  code = Object.keys(parsed.metrics).length > 0 ? 0 : 1;
}
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, startRssMiB, code })}\n`);

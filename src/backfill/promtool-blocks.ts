import { spawn } from 'node:child_process';

/** promtool failed: its own words (stderr) are the message. */
export class PromtoolError extends Error {
  override name = 'PromtoolError';
}

/**
 * `promtool tsdb create-blocks-from openmetrics` of one file into `outputDir`, in blocks of 18 h
 * aligned to the epoch (`BLOCK_WINDOW_MS`: a file of one window makes one block). Rejects with
 * promtool's stderr when it fails, or a clear message when promtool is not installed.
 */
export function createBlocksFromOpenMetrics(file: string, outputDir: string, options: { binary?: string; signal?: AbortSignal } = {}): Promise<void> {
  const binary = options.binary ?? 'promtool';
  const args = ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', '--max-block-duration=18h', file, outputDir];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-20_000);
    });
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new PromtoolError(
          err.code === 'ENOENT'
            ? `promtool not found (${binary}); install Prometheus's promtool (Debian: apt-get install prometheus)`
            : `cannot run ${binary}: ${err.message}`,
        ),
      ),
    );
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const said = stderr.trim().split('\n').slice(-12).join('\n');
      reject(new PromtoolError(`${binary} ${args.slice(0, 3).join(' ')} ${file} ${signal ? `was killed (${signal})` : `exited with code ${code}`}:\n${said}`));
    });
  });
}

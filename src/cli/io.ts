/** Where a command writes; tests pass string buffers, the bin passes the process streams. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly cwd: string;
  /** Aborted when the process receives SIGINT/SIGTERM; long-running commands stop on it. */
  readonly signal?: AbortSignal;
}

/** One CLI command: parses its own flags and returns the exit code. */
export interface Command {
  /** One line for `vigil help`. */
  readonly summary: string;
  readonly usage: string;
  /** Example invocations, each with a short comment, for `vigil <command> --help`. */
  readonly examples?: readonly string[];
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
export const EXIT_LINT = 3;

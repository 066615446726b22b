import { UserError } from '../diagnostics.js';
import { EXIT_INVALID, EXIT_USAGE, type CliIo, type Command } from './io.js';
import { formatDiagnostic } from '../diagnostics.js';
import { nearestName } from '../load/nearest-name.js';
import { packageVersion } from './version.js';

/** Commands load lazily so `vigil exporter` does not pay for the dashboard SDK. */
const commands: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init/index.js')).initCommand,
  render: async () => (await import('./commands/render/index.js')).renderCommand,
  check: async () => (await import('./commands/check/index.js')).checkCommand,
  test: async () => (await import('./commands/test/index.js')).testCommand,
  explain: async () => (await import('./commands/explain/index.js')).explainCommand,
  exporter: async () => (await import('./commands/exporter/index.js')).exporterCommand,
  rollback: async () => (await import('./commands/rollback/index.js')).rollbackCommand,
  logs: async () => (await import('./commands/logs/index.js')).logsCommand,
  diff: async () => (await import('./commands/diff/index.js')).diffCommand,
  apply: async () => (await import('./commands/apply/index.js')).applyCommand,
  import: async () => (await import('./commands/import/index.js')).importCommand,
  export: async () => (await import('./commands/export/index.js')).exportCommand,
  k6: async () => (await import('./commands/k6/index.js')).k6Command,
  parity: async () => (await import('./commands/parity/index.js')).parityCommand,
  report: async () => (await import('./commands/report/index.js')).reportCommand,
  status: async () => (await import('./commands/status/index.js')).statusCommand,
  backfill: async () => (await import('./commands/backfill/index.js')).backfillCommand,
};

/** Registers a command; the bin's command table is extended by each feature's module. */
export function listCommands(): string[] {
  return Object.keys(commands).sort();
}

/** The command list with each command's one-line summary (loads every command module: help only). */
async function usage(): Promise<string> {
  const names = listCommands();
  const width = Math.max(...names.map((n) => n.length));
  const lines = await Promise.all(names.map(async (n) => `  ${n.padEnd(width)}  ${(await commands[n]!()).summary}`));
  return `usage: vigil <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\nEvery command takes --root DIR and --format text|json. Run vigil <command> --help for its flags and examples; vigil --version prints the version.\n`;
}

/** `vigil <command> --help`: summary, usage and examples. */
function commandHelp(command: Command): string {
  const examples = command.examples?.length ? `\nexamples:\n${command.examples.map((e) => `  ${e}`).join('\n')}\n` : '';
  return `${command.summary}\n\nusage: ${command.usage}\n${examples}`;
}

/** Runs the CLI and returns the exit code; the bin is the only caller of process.exit. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`vigil ${packageVersion()}\n`);
    return 0;
  }
  if (name === 'help' && rest[0] !== undefined && commands[rest[0]]) return run([rest[0], '--help'], io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(await usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const load = commands[name];
  if (!load) {
    const meant = nearestName(name, listCommands());
    io.stderr.write(`vigil: unknown command ${JSON.stringify(name)}${meant ? ` (did you mean ${meant}?)` : ''}\n${await usage()}`);
    return EXIT_USAGE;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UserError) {
      for (const d of err.diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
      io.stderr.write(`vigil ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`vigil ${name}: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_INVALID;
  }
}

export { EXIT_USAGE };

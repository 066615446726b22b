import * as pinoModule from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Options of `createLogger`. */
export interface LoggerSettings {
  /** The `component` field on every line (`rollback`, `vigil-exporter`). */
  readonly component: string;
  /** pino level (default `info`). */
  readonly level?: string;
  /** Where lines go (default stdout). */
  readonly destination?: DestinationStream | { write(line: string): unknown };
  /** `time` as an ISO string instead of epoch milliseconds. */
  readonly isoTime?: boolean;
}

// pino is CommonJS: take the named export, or the default when a bundler wraps it.
const pino = (pinoModule as unknown as { pino?: typeof pinoModule.pino }).pino ?? (pinoModule as unknown as { default: typeof pinoModule.pino }).default;

/**
 * The one place vigil's services create a JSON logger. Header, token and secret fields are
 * redacted in case a caller ever passes them; the code itself never logs secrets.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { component: settings.component },
    redact: { paths: ['authorization', 'token', 'headers.authorization', '*.authorization', 'secret'], censor: '[redacted]' },
    ...(settings.isoTime ? { timestamp: pino.stdTimeFunctions.isoTime } : {}),
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../ports.js';

/**
 * JSON logger for the trigger. Header and token fields are redacted in case a caller ever
 * passes them; the code itself never logs secrets.
 */
export function createPinoLogger(level = 'info', destination?: DestinationStream): Logger {
  const options = { level, base: { component: 'rollback' }, redact: { paths: ['authorization', 'token', 'headers.authorization', '*.authorization', 'secret'], censor: '[redacted]' } };
  return (destination ? pino(options, destination) : pino(options)) as unknown as Logger;
}

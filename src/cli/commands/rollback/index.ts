import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Diagnostics, UserError } from '../../../diagnostics.js';
import { loadPolicy } from '../../../rollback/policy/load-policy.js';
import { checkDecisionRetention } from '../../../rollback/app/decision-retention.js';
import { leaseTimingsProblem } from '../../../rollback/app/leader-election.js';
import type { HaOptions } from '../../../rollback/serve.js';
import { parseDurationMs } from '../../../runtime/duration.js';
import { parseFlags, resolveRoot } from '../../args.js';
import { loadSlos } from '../../../load/load-slos.js';
import { parseListen, type HostPort } from '../../../runtime/host-port.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from '../../io.js';
import { reportDiagnostics } from '../../report.js';

const USAGE = `vigil rollback serve --policy FILE --listen HOST:PORT --token-file FILE --state-dir DIR [--decision-retention 30d] [--root DIR] [--log-level info] [--no-poll]
         [--ha-lease NAMESPACE/NAME [--identity ID] [--advertise-url URL] [--lease-duration 15s] [--lease-renew-deadline 10s] [--lease-retry-period 2s]]
       vigil rollback check --policy FILE [--root DIR]`;

/** `vigil rollback`: run the SLO-driven rollback trigger (DESIGN A8), or check a policy file. */
export const rollbackCommand: Command = {
  summary: 'Roll a release back when its SLO burns: Alertmanager webhook / Prometheus poll → audited, idempotent rollback.',
  usage: USAGE,
  examples: [
    'vigil rollback check --policy alerts/rollback-policy.yaml',
    'vigil rollback serve --policy alerts/rollback-policy.yaml --listen 127.0.0.1:9470 --token-file F --state-dir DIR',
    'vigil rollback serve --policy P --listen 0.0.0.0:9470 --token-file F --state-dir /var/lib/vigil --ha-lease vigil-monitoring/vigil-rollback-trigger --advertise-url http://$(POD_IP):9470',
  ],
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub !== 'serve' && sub !== 'check')
      throw new UserError(`expected a subcommand serve or check, got ${JSON.stringify(sub ?? '')}\nusage: ${USAGE}`, EXIT_USAGE);
    const { values } = parseFlags(
      rest,
      {
        policy: { type: 'string' },
        listen: { type: 'string' },
        'token-file': { type: 'string' },
        'state-dir': { type: 'string' },
        'decision-retention': { type: 'string', default: '30d' },
        'log-level': { type: 'string', default: 'info' },
        'no-poll': { type: 'boolean', default: false },
        'ha-lease': { type: 'string' },
        identity: { type: 'string' },
        'advertise-url': { type: 'string' },
        'lease-duration': { type: 'string', default: '15s' },
        'lease-renew-deadline': { type: 'string', default: '10s' },
        'lease-retry-period': { type: 'string', default: '2s' },
      },
      USAGE,
    );
    const need = (name: string, v: unknown): string => {
      if (typeof v !== 'string' || v === '') throw new UserError(`--${name} is required\nusage: ${USAGE}`, EXIT_USAGE);
      return v;
    };
    const policyFile = need('policy', values.policy);
    let listen: HostPort | undefined;
    if (sub === 'serve') {
      listen = listenFlag(need('listen', values.listen));
      need('token-file', values['token-file']);
      need('state-dir', values['state-dir']);
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(String(values['log-level'])))
        throw new UserError(`--log-level must be one of fatal, error, warn, info, debug, trace, silent\nusage: ${USAGE}`, EXIT_USAGE);
    }
    const ha = sub === 'serve' ? haFlags(values) : undefined;
    const diags = new Diagnostics();
    // Poll checks may take their windows from the project's SLOs; SLO files with errors are
    // reported by `vigil check`, here they only leave their SLOs out.
    const slos = await loadSlos(resolveRoot(io.cwd, values.root), new Diagnostics());
    const policy = await loadPolicy(policyFile, diags, io.cwd, slos);
    reportDiagnostics(io, String(values.format), diags.sorted());
    if (!policy) return EXIT_INVALID;
    const retention = String(values['decision-retention']);
    const decisionRetentionMs = parseDurationMs(retention);
    if (decisionRetentionMs === undefined || decisionRetentionMs <= 0)
      throw new UserError(`--decision-retention must be a duration such as 30d or 12h, got ${JSON.stringify(retention)}\nusage: ${USAGE}`, EXIT_USAGE);
    const retentionProblem = checkDecisionRetention(policy, decisionRetentionMs);
    if (retentionProblem) throw new UserError(`--decision-retention ${retentionProblem}`, EXIT_USAGE);
    if (sub === 'check') {
      if (values.format !== 'json')
        io.stdout.write(`${policyFile}: ${policy.rules.length} rule(s), ${Object.keys(policy.document.targets).length} target(s), ok\n`);
      return EXIT_OK;
    }
    let token: string;
    try {
      token = (await fs.readFile(path.resolve(io.cwd, String(values['token-file'])), 'utf8')).trim();
    } catch (err) {
      throw new UserError(`cannot read --token-file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT_INVALID);
    }
    if (token.length < 16) throw new UserError('the token in --token-file must be at least 16 characters', EXIT_INVALID);
    const { createLogger } = await import('../../../runtime/logger.js');
    const { startRollbackService } = await import('../../../rollback/serve.js');
    const logger = createLogger({ component: 'rollback', level: String(values['log-level']) });
    const service = await startRollbackService({
      policy,
      host: listen!.host,
      port: listen!.port,
      token,
      stateDir: path.resolve(io.cwd, String(values['state-dir'])),
      logger,
      poll: values['no-poll'] !== true,
      decisionRetentionMs,
      ...(ha ? { ha } : {}),
    });
    io.stderr.write(`vigil rollback: listening on ${service.url}\n`);
    await waitForStop(io.signal);
    await service.close();
    return EXIT_OK;
  },
};

/** `--ha-lease NS/NAME` and its companions; the identity defaults to $POD_NAME, then the host name. */
function haFlags(flags: Readonly<Record<string, unknown>>): HaOptions | undefined {
  const values = Object.fromEntries(Object.entries(flags).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const lease = values['ha-lease'];
  const companions = ['identity', 'advertise-url'].filter((k) => values[k] !== undefined);
  if (lease === undefined) {
    if (companions.length) throw new UserError(`--${companions[0]} needs --ha-lease\nusage: ${USAGE}`, EXIT_USAGE);
    return undefined;
  }
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(lease);
  if (!m) throw new UserError(`--ha-lease must be NAMESPACE/NAME (DNS names), got ${JSON.stringify(lease)}\nusage: ${USAGE}`, EXIT_USAGE);
  const duration = (flag: string) => {
    const ms = parseDurationMs(values[flag] ?? '', { decimals: true });
    if (ms === undefined || ms <= 0) throw new UserError(`--${flag} must be a duration like 15s, got ${JSON.stringify(values[flag])}`, EXIT_USAGE);
    return ms;
  };
  const timings = {
    leaseDurationMs: duration('lease-duration'),
    renewDeadlineMs: duration('lease-renew-deadline'),
    retryPeriodMs: duration('lease-retry-period'),
  };
  const problem = leaseTimingsProblem(timings);
  if (problem) throw new UserError(`--lease-*: ${problem} (defaults 15s / 10s / 2s)`, EXIT_USAGE);
  if (timings.leaseDurationMs % 1000 !== 0) throw new UserError('--lease-duration must be whole seconds (leaseDurationSeconds is an integer)', EXIT_USAGE);
  const identity = values.identity ?? process.env.POD_NAME ?? os.hostname();
  if (identity === '') throw new UserError('--identity must not be empty', EXIT_USAGE);
  const advertise = values['advertise-url'];
  if (advertise !== undefined && !/^https?:\/\/[^/\s@]+\/?$/.test(advertise))
    throw new UserError(`--advertise-url must be http(s)://HOST:PORT without a path or credentials, got ${JSON.stringify(advertise)}`, EXIT_USAGE);
  return { namespace: m[1]!, name: m[3]!, identity, timings, ...(advertise ? { advertiseUrl: advertise } : {}) };
}

/** `host:port` or `[v6]:port`; the trigger has no default interface. */
function listenFlag(text: string): HostPort {
  const listen = parseListen(text);
  if (!listen) throw new UserError(`--listen must be HOST:PORT, e.g. 127.0.0.1:9470, got ${JSON.stringify(text)}\nusage: ${USAGE}`, EXIT_USAGE);
  return listen;
}

function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    // The bin passes no signal: stop on SIGINT/SIGTERM ourselves.
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

import { breachCondition } from '../../model/burn-rate-breach.js';
import path from 'node:path';
import { Diagnostics } from '../../diagnostics.js';
import { readYamlFile } from '../../load/read-yaml.js';
import { validateWithSchema } from '../../load/validate-schema.js';
import type { YamlSource } from '../../load/yaml-source.js';
import { secretsInUrl } from '../../runtime/url-secrets.js';
import { parseDurationMs } from '../../runtime/duration.js';
import { PolicySchema, type EnvironmentName, type PolicyDocument, type SettingsDocument, type TargetDocument } from './schema.js';
import type { SloModel } from '../../model/types.js';
import type { BurnRateCheck } from '../app/poll-burn-rates.js';

/** Effective safety settings of one decision, after defaults → target → rule → environment. */
export interface Settings {
  /** Milliseconds; default 30 minutes. */
  readonly cooldownMs: number;
  /** Default 2. */
  readonly maxActionsPerHour: number;
  readonly dryRun: boolean;
  readonly requireApproval: boolean;
}

export const DEFAULT_SETTINGS: Settings = { cooldownMs: 30 * 60_000, maxActionsPerHour: 2, dryRun: false, requireApproval: false };

/** One compiled rule: the alert matcher plus the target and its settings layers. */
export interface PolicyRule {
  readonly name: string;
  readonly match: Readonly<Record<string, string>>;
  readonly matchRegex: Readonly<Record<string, RegExp>>;
  readonly environments?: readonly EnvironmentName[];
  readonly targetName: string;
  readonly target: TargetDocument;
  readonly settings: SettingsDocument;
}

/** A validated policy, ready for `decideRollback`. */
export interface Policy {
  readonly file: string;
  readonly document: PolicyDocument;
  readonly environmentLabel: string;
  readonly defaultEnvironment?: EnvironmentName;
  readonly rules: readonly PolicyRule[];
  /** Poll-mode checks with their windows resolved (explicit, or the SLO's page pairs). */
  readonly pollChecks: readonly BurnRateCheck[];
  readonly retry: { readonly maxAttempts: number; readonly initialBackoffMs: number; readonly maxBackoffMs: number; readonly budgetMs: number };
}

const CODES = { unknownKey: 'POL001', missingKey: 'POL002', wrongType: 'POL003', badValue: 'POL004' };
const ACTION_KEYS = ['argoRollout', 'flagdFlag', 'mlflowAlias', 'webhook'] as const;

/**
 * Reads and validates a policy file; every problem is a positioned diagnostic (codes POL0xx
 * schema, POL1xx meaning). `slos` (the project's SLO models) resolve poll checks that leave their
 * windows to the SLO.
 */
export async function loadPolicy(file: string, diags: Diagnostics, root = process.cwd(), slos: readonly SloModel[] = []): Promise<Policy | undefined> {
  const source = await readYamlFile(root, path.resolve(root, file), diags);
  if (!source) return undefined;
  return compilePolicy(source, diags, slos);
}

/** Validates an already parsed policy document (used by `loadPolicy` and tests). */
export function compilePolicy(source: YamlSource, diags: Diagnostics, slos: readonly SloModel[] = []): Policy | undefined {
  if (!validateWithSchema(PolicySchema, source, diags, CODES)) return undefined;
  const doc = source.value as PolicyDocument;
  const at = (p: (string | number)[]) => ({
    file: source.file,
    ...lineCol(source, p),
    path: p
      .map((s) => (typeof s === 'number' ? `[${s}]` : s))
      .join('.')
      .replace(/\.\[/g, '['),
  });
  const before = diags.errors.length;

  for (const [name, target] of Object.entries(doc.targets)) {
    const kinds = ACTION_KEYS.filter((k) => target[k] !== undefined);
    if (kinds.length !== 1) {
      diags.error(
        'POL101',
        kinds.length === 0 ? `target ${name} has no action` : `target ${name} has ${kinds.length} actions (${kinds.join(', ')}); give it exactly one`,
        at(['targets', name]),
        `set one of ${ACTION_KEYS.join(', ')}`,
      );
    }
    if (target.mlflowAlias && !doc.mlflow)
      diags.error(
        'POL102',
        `target ${name} moves an MLflow alias but the policy has no mlflow.url`,
        at(['targets', name, 'mlflowAlias']),
        'add mlflow: { url: http://mlflow:5000 }',
      );
    if (target.webhook && !/^https?:\/\//.test(target.webhook.url))
      diags.error(
        'POL103',
        `webhook url must start with http:// or https://, got ${JSON.stringify(target.webhook.url)}`,
        at(['targets', name, 'webhook', 'url']),
      );
    for (const secret of target.webhook ? secretsInUrl(target.webhook.url) : [])
      diags.error(
        'POL109',
        `secret in the webhook URL of target ${name}: ${secret.what} would be logged and kept in the audit trail`,
        { ...at(['targets', name, 'webhook', 'url']), ...source.offsetPositionOf(['targets', name, 'webhook', 'url'], secret.offset) },
        'the webhook is signed with webhook.secretFile (HMAC); put any further credential on the receiving side, not in the URL',
      );
    if (target.webhook && !doc.webhook)
      diags.error(
        'POL102',
        `target ${name} calls a webhook but the policy has no webhook.secretFile to sign it with`,
        at(['targets', name, 'webhook']),
        'add webhook: { secretFile: /etc/vigil/webhook-secret }',
      );
  }
  const seen = new Map<string, number>();
  const rules: PolicyRule[] = [];
  doc.rules.forEach((rule, i) => {
    const prev = seen.get(rule.name);
    if (prev !== undefined) diags.error('POL104', `rule name ${rule.name} is used twice (also rules[${prev}])`, at(['rules', i, 'name']));
    seen.set(rule.name, i);
    const target = doc.targets[rule.target];
    if (!target)
      diags.error(
        'POL105',
        `unknown target ${JSON.stringify(rule.target)}`,
        at(['rules', i, 'target']),
        `known targets: ${Object.keys(doc.targets).join(', ') || '(none)'}`,
      );
    const matchRegex: Record<string, RegExp> = {};
    for (const [label, re] of Object.entries(rule.matchRegex ?? {})) {
      try {
        matchRegex[label] = new RegExp(`^(?:${re})$`);
      } catch (err) {
        diags.error('POL106', `invalid regular expression: ${(err as Error).message}`, at(['rules', i, 'matchRegex', label]));
      }
    }
    if (target)
      rules.push({
        name: rule.name,
        match: rule.match,
        matchRegex,
        ...(rule.environments ? { environments: rule.environments } : {}),
        targetName: rule.target,
        target,
        settings: pickSettings(rule),
      });
  });
  const pollChecks = resolvePollChecks(doc, slos, diags, at);
  const r = doc.retry ?? {};
  if (diags.errors.length > before) return undefined;
  return {
    file: source.file,
    document: doc,
    environmentLabel: doc.environmentLabel ?? 'environment',
    ...(doc.defaultEnvironment ? { defaultEnvironment: doc.defaultEnvironment } : {}),
    rules,
    pollChecks,
    retry: {
      maxAttempts: r.maxAttempts ?? 5,
      initialBackoffMs: parseDurationMs(r.initialBackoff ?? '500ms')!,
      maxBackoffMs: parseDurationMs(r.maxBackoff ?? '10s')!,
      budgetMs: parseDurationMs(r.budget ?? '2m')!,
    },
  };
}

/**
 * Poll checks as the poller runs them. A check with long, short and burnRateFactor is used as
 * written; one with none of them polls every page pair of that SLO, as its alerts would (POL107
 * when no such SLO is loaded; POL108 for a check that gives only some of the three).
 */
function resolvePollChecks(
  doc: PolicyDocument,
  slos: readonly SloModel[],
  diags: Diagnostics,
  at: (p: (string | number)[]) => { file: string; line: number; column: number; path: string },
): BurnRateCheck[] {
  const out: BurnRateCheck[] = [];
  (doc.poll?.checks ?? []).forEach((c, i) => {
    const given = [c.long, c.short, c.burnRateFactor].filter((v) => v !== undefined).length;
    if (given === 3) {
      out.push({
        slo: c.slo,
        long: c.long!,
        short: c.short!,
        burnRateFactor: c.burnRateFactor!,
        ...(c.severity ? { severity: c.severity } : {}),
        ...(c.alertname ? { alertname: c.alertname } : {}),
      });
      return;
    }
    if (given > 0) {
      diags.error('POL108', "give all of long, short and burnRateFactor, or none of them to use the SLO's own page windows", at(['poll', 'checks', i]));
      return;
    }
    const slo = slos.find((s) => s.id === c.slo);
    if (!slo) {
      const known = slos.map((s) => s.id);
      diags.error(
        'POL107',
        `no SLO ${JSON.stringify(c.slo)} to take the windows from`,
        at(['poll', 'checks', i, 'slo']),
        known.length ? `known SLOs: ${known.join(', ')}` : 'run from the project root (--root) whose slos/ defines it, or give long, short and burnRateFactor',
      );
      return;
    }
    for (const w of slo.windows.filter((x) => x.tier === 'page')) {
      // The page alert's own breach condition (same windows, same rounding of the factor).
      const breach = breachCondition(w);
      out.push({
        slo: slo.id,
        long: breach.long,
        short: breach.short,
        burnRateFactor: breach.burnRateAbove,
        severity: c.severity ?? w.severity,
        alertname: c.alertname ?? slo.alertName,
      });
    }
  });
  return out;
}

function pickSettings(s: SettingsDocument): SettingsDocument {
  const out: { -readonly [K in keyof SettingsDocument]: SettingsDocument[K] } = {};
  if (s.cooldown !== undefined) out.cooldown = s.cooldown;
  if (s.maxActionsPerHour !== undefined) out.maxActionsPerHour = s.maxActionsPerHour;
  if (s.dryRun !== undefined) out.dryRun = s.dryRun;
  if (s.requireApproval !== undefined) out.requireApproval = s.requireApproval;
  return out;
}

/** Folds settings layers in order; later layers win. */
export function effectiveSettings(...layers: (SettingsDocument | undefined)[]): Settings {
  let s: Settings = DEFAULT_SETTINGS;
  for (const l of layers) {
    if (!l) continue;
    s = {
      cooldownMs: l.cooldown !== undefined ? parseDurationMs(l.cooldown)! : s.cooldownMs,
      maxActionsPerHour: l.maxActionsPerHour ?? s.maxActionsPerHour,
      dryRun: l.dryRun ?? s.dryRun,
      requireApproval: l.requireApproval ?? s.requireApproval,
    };
  }
  return s;
}

function lineCol(source: YamlSource, p: (string | number)[]): { line: number; column: number; file?: string } {
  const pos = source.positionOf(p);
  return { line: pos.line, column: pos.column, ...(pos.file ? { file: pos.file } : {}) };
}

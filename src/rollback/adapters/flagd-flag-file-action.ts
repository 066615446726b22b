import fs from 'node:fs/promises';
import { parseDocument, stringify } from 'yaml';
import type { ActionContext, ActionOutcome, RollbackAction } from '../ports.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';

/** Serializes rewrites of one flag file inside this process (two targets may share a file). */
const fileLocks = new Map<string, Promise<unknown>>();

async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const prev = fileLocks.get(file) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const settled = next.catch(() => undefined);
  fileLocks.set(file, settled);
  try {
    return await next;
  } finally {
    if (fileLocks.get(file) === settled) fileLocks.delete(file);
  }
}

/**
 * Model-version switch through a flagd flag file (JSON, or YAML for `.yaml`/`.yml`): the flag
 * is set to serve `variant` to everyone (state ENABLED, defaultVariant = variant, targeting
 * removed), written atomically so flagd's watcher never reads a partial file.
 */
export class FlagdFlagFileAction implements RollbackAction {
  readonly kind = 'flagd-flag';
  readonly target: string;

  constructor(
    private readonly file: string,
    private readonly flag: string,
    private readonly variant: string,
  ) {
    this.target = `flagd:${file}#${flag}`;
  }

  execute(ctx: ActionContext): Promise<ActionOutcome> {
    return withFileLock(this.file, () => this.flip(ctx));
  }

  private async flip(ctx: ActionContext): Promise<ActionOutcome> {
    const yaml = /\.ya?ml$/i.test(this.file);
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { status: 'failed', detail: `cannot read flag file ${this.file}: ${code ?? String(err)}`, retryable: code !== 'ENOENT' };
    }
    let doc: unknown;
    try {
      doc = yaml ? parseDocument(text).toJS() : JSON.parse(text);
    } catch (err) {
      // A file being edited by hand may be mid-save; a retry may find it whole.
      return { status: 'failed', detail: `flag file ${this.file} does not parse: ${(err as Error).message}`, retryable: true };
    }
    const flags = (doc as { flags?: Record<string, FlagDefinition> } | null)?.flags;
    const flag = flags?.[this.flag];
    if (!flag || typeof flag !== 'object') return { status: 'failed', detail: `flag ${this.flag} not found in ${this.file}`, retryable: false };
    if (!flag.variants || !Object.prototype.hasOwnProperty.call(flag.variants, this.variant)) {
      return {
        status: 'failed',
        detail: `flag ${this.flag} has no variant ${this.variant} (variants: ${Object.keys(flag.variants ?? {}).join(', ')})`,
        retryable: false,
      };
    }
    if (flag.state === 'ENABLED' && flag.defaultVariant === this.variant && flag.targeting === undefined) {
      return { status: 'already-done', detail: `flag ${this.flag} already serves ${this.variant} to everyone` };
    }
    const previous = flag.defaultVariant;
    flag.state = 'ENABLED';
    flag.defaultVariant = this.variant;
    delete flag.targeting;
    flag.metadata = { ...(flag.metadata ?? {}), vigilRollbackDecision: ctx.decisionId };
    await writeFileAtomic(this.file, yaml ? stringify(doc) : `${JSON.stringify(doc, null, 2)}\n`);
    return { status: 'success', detail: `flag ${this.flag} now serves ${this.variant} to everyone (default was ${String(previous)})` };
  }
}

interface FlagDefinition {
  state?: string;
  variants?: Record<string, unknown>;
  defaultVariant?: string | null;
  targeting?: unknown;
  metadata?: Record<string, unknown>;
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic-write.js';

/** One observed (or set) version of a model alias. */
export interface ChampionEntry {
  readonly version: string;
  readonly at: string;
  /** Set when the trigger itself moved the alias here. */
  readonly rollbackDecision?: string;
  readonly from?: string;
}

/**
 * ChampionHistory remembers which version each MLflow alias pointed to over time, because
 * MLflow keeps no alias history and a rollback needs "the version before this one".
 * Stored in `<stateDir>/mlflow-champions.json`, rewritten atomically.
 */
export class ChampionHistory {
  private data: Record<string, ChampionEntry[]> = {};
  private loaded = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  static inStateDir(stateDir: string): ChampionHistory {
    return new ChampionHistory(path.join(stateDir, 'mlflow-champions.json'));
  }

  /** Entries of `model@alias`, oldest first. */
  async entries(key: string): Promise<readonly ChampionEntry[]> {
    await this.load();
    return this.data[key] ?? [];
  }

  /** Records an observed version when it differs from the last one known. */
  observe(key: string, version: string, at: string): Promise<void> {
    return this.mutate(key, (list) => (list.at(-1)?.version === version ? false : (list.push({ version, at }), true)));
  }

  /** Records, before moving the alias, that decision `id` moves it from `from` to `to`. */
  recordRollback(key: string, id: string, from: string, to: string, at: string): Promise<void> {
    return this.mutate(key, (list) =>
      list.some((e) => e.rollbackDecision === id) ? false : (list.push({ version: to, at, rollbackDecision: id, from }), true),
    );
  }

  private mutate(key: string, fn: (list: ChampionEntry[]) => boolean): Promise<void> {
    const run = this.chain.then(async () => {
      await this.load();
      const list = this.data[key] ?? [];
      if (!fn(list)) return;
      this.data[key] = list.slice(-50);
      await writeFileAtomic(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    try {
      this.data = JSON.parse(await fs.readFile(this.file, 'utf8')) as Record<string, ChampionEntry[]>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.loaded = true;
  }
}

/** The version to go back to from `current`: the one observed just before it. */
export function previousVersion(entries: readonly ChampionEntry[], current: string): string | undefined {
  let i = -1;
  for (let j = entries.length - 1; j >= 0; j--)
    if (entries[j]!.version === current && !entries[j]!.rollbackDecision) {
      i = j;
      break;
    }
  const before = i >= 0 ? entries.slice(0, i) : entries;
  for (let j = before.length - 1; j >= 0; j--) if (before[j]!.version !== current) return before[j]!.version;
  return undefined;
}

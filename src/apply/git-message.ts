import { execFileSync } from 'node:child_process';

/** The version message of an apply: the git commit of `root` when there is one. */
export function applyMessage(root: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
        .toString()
        .trim() !== '';
    return `vigil apply from git ${sha}${dirty ? ' (uncommitted changes)' : ''}`;
  } catch {
    return 'vigil apply';
  }
}

/**
 * Atomic exchange of two paths (Linux `renameat2(..., RENAME_EXCHANGE)`), called through koffi
 * (an optional dependency vigil already uses for NVML). After it, each name holds what the other
 * held; a reader of either name sees the old or the new entry, never neither, whatever kills the
 * process. Where the platform, the filesystem or the install cannot, `exchangePaths` answers
 * false and the caller falls back.
 */

type Renameat2 = (olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number) => number;

const AT_FDCWD = -100;
const RENAME_EXCHANGE = 2;
/** errno values meaning "not here" (fall back) rather than a real failure. */
const UNSUPPORTED = new Set([22 /* EINVAL */, 38 /* ENOSYS */, 95 /* EOPNOTSUPP */, 18 /* EXDEV */]);

let bound: Promise<{ call: Renameat2; errno: () => number } | undefined> | undefined;

async function bind(): Promise<{ call: Renameat2; errno: () => number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const mod = (await import('koffi')) as unknown as { default?: KoffiLike } & KoffiLike;
    const koffi = mod.default ?? mod;
    const libc = koffi.load('libc.so.6');
    const call = libc.func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)') as Renameat2;
    return { call, errno: () => koffi.errno() };
  } catch {
    // koffi not installed, or a libc without renameat2 (glibc < 2.28, musl): fall back.
    return undefined;
  }
}

interface KoffiLike {
  load(path: string): { func(signature: string): unknown };
  errno(): number;
}

/** Exchanges `a` and `b` (both must exist); false where that cannot be done atomically here. */
export async function exchangePaths(a: string, b: string): Promise<boolean> {
  const fn = await (bound ??= bind());
  if (!fn) return false;
  if (fn.call(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) === 0) return true;
  const errno = fn.errno();
  if (UNSUPPORTED.has(errno)) return false;
  throw Object.assign(new Error(`cannot exchange ${a} and ${b} (errno ${errno})`), { errno });
}

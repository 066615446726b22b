import fs from 'node:fs';

/**
 * CPU seconds (user + system) of this process's children that have exited and been waited for,
 * from /proc/self/stat (cutime + cstime, in USER_HZ = 100 ticks a second on Linux); undefined
 * where /proc is not there. Differences around a child's run give that child's CPU time.
 */
export function childCpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

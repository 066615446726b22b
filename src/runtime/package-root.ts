import fs from 'node:fs';
import path from 'node:path';

/** The root of the installed vigil package: the nearest folder above this module (dist/ or src/) with a package.json. */
export function packageRoot(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
  }
}

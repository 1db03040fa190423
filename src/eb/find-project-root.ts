import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export const EB_DIRECTORY = '.elasticbeanstalk';

/**
 * The EB CLI's project root is the nearest folder, walking up from the working directory,
 * that holds a `.elasticbeanstalk` *directory* (ebcli/core/fileoperations.py,
 * `ProjectRoot.traverse`: `os.path.isdir`, then `chdir('..')` until the path stops changing).
 * It then reads `buildspec.yml` and `.elasticbeanstalk/config*.yml` relative to that root.
 * We walk the path lexically; the EB CLI walks the physical path (getcwd), which differs only
 * when the start folder is reached through a symlink.
 */
export async function findProjectRoot(startDir: string): Promise<string | undefined> {
  let dir = resolve(startDir);
  for (;;) {
    if (await isDirectory(join(dir, EB_DIRECTORY))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

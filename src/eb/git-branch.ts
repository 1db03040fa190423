import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * The current git branch, read from `.git/HEAD` without running git.
 * The EB CLI asks `git rev-parse --abbrev-ref HEAD` (ebcli/objects/sourcecontrol.py,
 * `Git.get_current_branch`) to pick the `branch-defaults` entry; reading HEAD gives the same
 * name for a checked-out branch. Differences: in a repository with no commit yet git fails
 * and the EB CLI uses no branch settings, while HEAD already names the branch here.
 * Returns undefined when there is no repository or HEAD is detached.
 */
export async function readCurrentBranch(startDir: string): Promise<string | undefined> {
  const gitDir = await findGitDir(resolve(startDir));
  if (gitDir === undefined) return undefined;
  try {
    return parseHeadRef(await readFile(join(gitDir, 'HEAD'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** `ref: refs/heads/<name>` → name; a bare commit id (detached HEAD) → undefined. */
export function parseHeadRef(text: string): string | undefined {
  const match = /^ref:\s*refs\/heads\/(.+)$/.exec(text.trim());
  return match?.[1];
}

/**
 * A worktree or submodule has a `.git` *file* saying `gitdir: <path>`, relative to the
 * folder holding it (gitrepository-layout(5)); the HEAD to read is in that folder.
 */
export function parseGitDirFile(text: string): string | undefined {
  const match = /^gitdir:\s*(.+)$/m.exec(text);
  return match?.[1]?.trim();
}

async function findGitDir(startDir: string): Promise<string | undefined> {
  let dir = startDir;
  for (;;) {
    const candidate = join(dir, '.git');
    const kind = await kindOf(candidate);
    if (kind === 'directory') return candidate;
    if (kind === 'file') {
      try {
        const target = parseGitDirFile(await readFile(candidate, 'utf8'));
        return target === undefined ? undefined : resolve(dir, target);
      } catch {
        return undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function kindOf(path: string): Promise<'directory' | 'file' | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'directory';
    return info.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGitDirFile, parseHeadRef, readCurrentBranch } from '../../src/eb/git-branch.js';
import { makeTree } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tree(files: Record<string, string>): Promise<string> {
  const t = await makeTree(files);
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('parseHeadRef / parseGitDirFile', () => {
  it('reads branch names, including ones with slashes', () => {
    expect(parseHeadRef('ref: refs/heads/main\n')).toBe('main');
    expect(parseHeadRef('ref: refs/heads/feature/login\n')).toBe('feature/login');
  });
  it('a detached HEAD or another ref is no branch', () => {
    expect(parseHeadRef('4b825dc642cb6eb9a060e54bf8d69288fbee4904\n')).toBeUndefined();
    expect(parseHeadRef('ref: refs/remotes/origin/main\n')).toBeUndefined();
    expect(parseHeadRef('')).toBeUndefined();
  });
  it('reads the gitdir line of a .git file', () => {
    expect(parseGitDirFile('gitdir: ../main/.git/worktrees/wt\n')).toBe('../main/.git/worktrees/wt');
    expect(parseGitDirFile('nonsense\n')).toBeUndefined();
  });
});

describe('readCurrentBranch', () => {
  it('walks up to .git/HEAD', async () => {
    const dir = await tree({ '.git/HEAD': 'ref: refs/heads/feature/login\n', 'app/src/x': '' });
    expect(await readCurrentBranch(join(dir, 'app/src'))).toBe('feature/login');
  });

  it('follows the .git file of a worktree (relative gitdir)', async () => {
    const dir = await tree({
      'main/.git/HEAD': 'ref: refs/heads/main\n',
      'main/.git/worktrees/wt/HEAD': 'ref: refs/heads/hotfix\n',
      'wt/.git': 'gitdir: ../main/.git/worktrees/wt\n',
    });
    expect(await readCurrentBranch(join(dir, 'wt'))).toBe('hotfix');
  });

  it('follows an absolute gitdir', async () => {
    const dir = await tree({ 'store/HEAD': 'ref: refs/heads/release\n' });
    const wt = await tree({ '.git': `gitdir: ${join(dir, 'store')}\n` });
    expect(await readCurrentBranch(wt)).toBe('release');
  });

  it('detached HEAD, a broken .git file, or no repository: undefined', async () => {
    expect(await readCurrentBranch(await tree({ '.git/HEAD': 'a'.repeat(40) + '\n' }))).toBeUndefined();
    expect(await readCurrentBranch(await tree({ '.git': 'gitdir: missing\n' }))).toBeUndefined();
    expect(await readCurrentBranch(await tree({ x: '' }))).toBeUndefined();
  });
});

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The folder file paths in reports are relative to: the git work tree above the file (where
 * GitHub code scanning resolves SARIF artifact URIs), else the current folder.
 */
export function findRepositoryRoot(file: string, cwd: string = process.cwd()): string {
  let dir = dirname(resolve(cwd, file));
  for (;;) {
    if (existsSync(resolve(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return cwd;
    dir = parent;
  }
}

/** A path relative to the root, with forward slashes; left absolute when it is outside the root. */
export function relativeToRoot(file: string, root: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, file);
  const rel = relative(root, absolute);
  if (rel.startsWith('..') || isAbsolute(rel)) return absolute.split(sep).join('/');
  return rel.split(sep).join('/');
}
